package io.github.policyscopes.keycloak.rest;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * {@code config/{collection}} and {@code config/{collection}/{id}}: list, create, read, replace,
 * delete, each behind the bearer and scope check of {@link ConfigResource#guarded}.
 */
public final class CollectionResource {

  private final ConfigResource root;
  private final ResourceCollection collection;
  private final KeycloakSession session;
  private final RealmModel realm;

  CollectionResource(ConfigResource root, ResourceCollection collection, KeycloakSession session) {
    this.root = root;
    this.collection = collection;
    this.session = session;
    this.realm = session.getContext().getRealm();
  }

  @GET
  public Response list(@QueryParam("first") String first, @QueryParam("max") String max) {
    return root.guarded(
        "GET",
        caller -> {
          int from = Paging.first(first);
          int size = Paging.max(max);
          List<?> all = collection.all(session, realm, caller);
          Map<String, Object> page = new LinkedHashMap<>();
          page.put("total", all.size());
          page.put(collection.name(), all.stream().skip(from).limit(size).toList());
          return Json.response(200, page);
        });
  }

  @HEAD
  public Response head() {
    return root.guarded("HEAD", caller -> Response.ok());
  }

  @POST
  public Response create(InputStream body) {
    return root.guarded(
        "POST",
        caller -> {
          var json = Json.readObject(session.getContext().getRequestHeaders(), body);
          ResourceCollection.Created created =
              Writes.inTransaction(session, (s, r) -> collection.create(s, r, caller, json));
          Map<String, Object> shown = Json.MAPPER.convertValue(created.view(), LinkedHashMap.class);
          shown.putAll(created.once());
          return Json.response(201, shown)
              .header("ETag", Json.etag(created.view()))
              .location(root.location(collection.name() + "/" + created.id()));
        });
  }

  @GET
  @Path("{id}")
  public Response get(@PathParam("id") String id) {
    return root.guarded("GET", caller -> tagged(collection.get(session, realm, caller, id)));
  }

  @HEAD
  @Path("{id}")
  public Response headOne(@PathParam("id") String id) {
    return root.guarded(
        "HEAD",
        caller ->
            Response.ok().header("ETag", Json.etag(collection.get(session, realm, caller, id))));
  }

  @PUT
  @Path("{id}")
  public Response update(
      @PathParam("id") String id, @HeaderParam("If-Match") String ifMatch, InputStream body) {
    return root.guarded(
        "PUT",
        caller -> {
          var json = Json.readObject(session.getContext().getRequestHeaders(), body);
          return tagged(
              Writes.inTransaction(
                  session, (s, r) -> collection.update(s, r, caller, id, ifMatch, json)));
        });
  }

  @DELETE
  @Path("{id}")
  public Response delete(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
    return root.guarded(
        "DELETE",
        caller -> {
          Writes.inTransaction(
              session,
              (s, r) -> {
                collection.delete(s, r, caller, id, ifMatch);
                return null;
              });
          return Response.noContent();
        });
  }

  private static Response.ResponseBuilder tagged(Object view) {
    return Json.response(200, view).header("ETag", Json.etag(view));
  }
}
