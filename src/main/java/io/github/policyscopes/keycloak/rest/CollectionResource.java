package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.Route;
import io.github.policyscopes.access.Routes;
import io.github.policyscopes.keycloak.store.Revisions;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * {@code config/{collection}}: list and create, each behind the checks of {@link
 * ConfigResource#guarded} for its route of {@link Routes}; {@code config/{collection}/{id}} and
 * below is the member's ({@link MemberResource}).
 *
 * @param <V> the view of one resource
 * @param <I> a checked create body ({@link ResourceCollection#check})
 * @param <M> the sub-resource of one member: named in the type, so that the routes below a member
 *     can be read off the resource classes (RoutesJaxRsTest)
 */
public final class CollectionResource<V, I, M extends MemberResource<V, I>> {

  /** Makes the sub-resource of one member (a client's adds its secret and its dry run). */
  @FunctionalInterface
  interface Members<V, I, M extends MemberResource<V, I>> {
    M of(
        ConfigResource root,
        ResourceCollection<V, I> collection,
        KeycloakSession session,
        String id);
  }

  private final ConfigResource root;
  private final ResourceCollection<V, I> collection;
  private final KeycloakSession session;
  private final RealmModel realm;
  private final Members<V, I, M> members;
  private final String template;

  CollectionResource(
      ConfigResource root,
      ResourceCollection<V, I> collection,
      KeycloakSession session,
      Members<V, I, M> members) {
    this.root = root;
    this.collection = collection;
    this.session = session;
    this.realm = session.getContext().getRealm();
    this.members = members;
    this.template = Routes.collectionTemplate(collection.name());
  }

  private Route route(String method) {
    return Routes.of(method, template);
  }

  @GET
  public Response list(
      @QueryParam("first") @Nullable String first, @QueryParam("max") @Nullable String max) {
    return root.guarded(
        route("GET"),
        permissions -> {
          int from = Paging.first(first);
          int size = Paging.max(max);
          ResourceCollection.Page<V> page =
              collection.page(session, realm, permissions, from, size);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("total", page.total());
          body.put(collection.name(), page.members());
          return Json.response(200, body);
        });
  }

  @HEAD
  public Response head() {
    return root.guarded(route("HEAD"), permissions -> Response.ok());
  }

  @POST
  public Response create(InputStream body) {
    return root.guarded(
        route("POST"),
        permissions -> {
          var json = Json.readObject(session.getContext().getHttpRequest().getHttpHeaders(), body);
          // everything the body can grow is checked before the lock (docs/adr/0025)
          Checked<I> input = collection.check(session, realm, permissions, json);
          ResourceCollection.Created<V> created =
              Writes.inTransaction(
                  session, input, (s, r, checked) -> collection.create(s, r, permissions, checked));
          Map<String, Object> shown = Json.properties(created.view());
          shown.putAll(created.once());
          return Json.response(201, shown)
              .header("ETag", Json.etag(created.view(), Revisions.FIRST))
              .location(root.location(collection.name() + "/" + created.id()));
        });
  }

  @OPTIONS
  public Response preflight() {
    return root.preflight();
  }

  /**
   * {@code PUT}, {@code DELETE} and {@code PATCH} of a whole collection: nothing serves them. A
   * {@code 405} after the checks every request passes, answered (and counted) by the API itself
   * rather than by JAX-RS.
   */
  @Refuses
  @PUT
  public Response putCollection() {
    return root.notAllowed(template);
  }

  @Refuses
  @DELETE
  public Response deleteCollection() {
    return root.notAllowed(template);
  }

  @Refuses
  @PATCH
  public Response patchCollection() {
    return root.notAllowed(template);
  }

  /** One member and everything below it: a sub-resource, as Keycloak's {@code ClientResource}. */
  @Path("{id}")
  public M member(@PathParam("id") String id) {
    return members.of(root, collection, session, id);
  }
}
