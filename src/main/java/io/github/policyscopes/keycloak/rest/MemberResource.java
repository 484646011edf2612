package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.Route;
import io.github.policyscopes.access.Routes;
import io.github.policyscopes.keycloak.store.Revisions;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * {@code config/{collection}/{id}}: read, replace, delete one resource, each behind the checks of
 * {@link ConfigResource#guarded} for its route of {@link Routes}; any other path below it is
 * answered as anywhere under {@code config/} (the checks, then 404). A subclass adds routes below
 * the member ({@link ManagedClientResource}).
 *
 * @param <V> the view of the resource
 * @param <I> a checked update body ({@link ResourceCollection#check})
 */
public class MemberResource<V, I> {

  final ConfigResource root;
  final ResourceCollection<V, I> collection;
  final KeycloakSession session;
  final RealmModel realm;
  final String id;
  private final String template;

  MemberResource(
      ConfigResource root,
      ResourceCollection<V, I> collection,
      KeycloakSession session,
      String id) {
    this.root = root;
    this.collection = collection;
    this.session = session;
    this.realm = session.getContext().getRealm();
    this.id = id;
    this.template = Routes.memberTemplate(collection.name());
  }

  private Route route(String method) {
    return Routes.of(method, template);
  }

  @GET
  public Response get(@HeaderParam("If-None-Match") @Nullable String ifNoneMatch) {
    return root.guarded(
        route("GET"),
        permissions -> {
          V view = collection.get(session, realm, permissions, id);
          String etag = Json.etag(view, Revisions.current(session, realm, collection.kind(), id));
          if (Conditions.noneMatchFails(ifNoneMatch, etag)) {
            return Conditions.notModified(etag);
          }
          return Json.response(200, view).header("ETag", etag);
        });
  }

  @HEAD
  public Response head(@HeaderParam("If-None-Match") @Nullable String ifNoneMatch) {
    return root.guarded(
        route("HEAD"),
        permissions -> {
          String etag =
              Json.etag(
                  collection.get(session, realm, permissions, id),
                  Revisions.current(session, realm, collection.kind(), id));
          if (Conditions.noneMatchFails(ifNoneMatch, etag)) {
            return Conditions.notModified(etag);
          }
          return Response.ok().header("ETag", etag);
        });
  }

  @PUT
  public Response update(
      @HeaderParam("If-Match") @Nullable String ifMatch,
      @HeaderParam("If-None-Match") @Nullable String ifNoneMatch,
      InputStream body) {
    return root.guarded(
        route("PUT"),
        permissions -> {
          // preconditions before the content is even read (RFC 9110 §13.2.2) …
          Checked<String> target = collection.checkId(id);
          checkIfNoneMatch(session, realm, permissions, ifNoneMatch);
          var json = Json.readObject(session.getContext().getHttpRequest().getHttpHeaders(), body);
          // everything the body can grow is checked before the lock (docs/adr/0025)
          Checked<I> input = collection.check(session, realm, permissions, json);
          Tagged<V> written =
              Writes.inTransaction(
                  session,
                  input.and(target),
                  (s, r, checked) -> {
                    // … and again where the write is serialised, against the state it changes
                    checkIfNoneMatch(s, r, permissions, ifNoneMatch);
                    V view = collection.update(s, r, permissions, target, ifMatch, checked);
                    // the revision this write claimed, as it will be committed
                    return new Tagged<>(
                        view, Json.etag(view, Revisions.current(s, r, collection.kind(), id)));
                  });
          return Json.response(200, written.view()).header("ETag", written.etag());
        });
  }

  @DELETE
  public Response delete(
      @HeaderParam("If-Match") @Nullable String ifMatch,
      @HeaderParam("If-None-Match") @Nullable String ifNoneMatch) {
    return root.guarded(
        route("DELETE"),
        permissions -> {
          Checked<String> target = collection.checkId(id);
          Writes.runInTransaction(
              session,
              target,
              (s, r, checked) -> {
                checkIfNoneMatch(s, r, permissions, ifNoneMatch);
                collection.delete(s, r, permissions, target, ifMatch);
              });
          return Response.noContent();
        });
  }

  /**
   * {@code POST} and {@code PATCH} of a member: nothing serves them ({@link
   * ConfigResource#notAllowed}).
   */
  @Refuses
  @POST
  public Response postMember() {
    return root.notAllowed(template);
  }

  @Refuses
  @PATCH
  public Response patchMember() {
    return root.notAllowed(template);
  }

  // ---- preflight and paths below a member: the same as anywhere under config/ ----

  @OPTIONS
  public Response preflight() {
    return root.preflight();
  }

  @OPTIONS
  @Path("{rest:.+}")
  public Response preflightBelow() {
    return root.preflight();
  }

  @Refuses
  @GET
  @Path("{rest:.+}")
  public Response unknownGet() {
    return root.unknown();
  }

  @Refuses
  @HEAD
  @Path("{rest:.+}")
  public Response unknownHead() {
    return root.unknown();
  }

  @Refuses
  @POST
  @Path("{rest:.+}")
  public Response unknownPost() {
    return root.unknown();
  }

  @Refuses
  @PUT
  @Path("{rest:.+}")
  public Response unknownPut() {
    return root.unknown();
  }

  @Refuses
  @DELETE
  @Path("{rest:.+}")
  public Response unknownDelete() {
    return root.unknown();
  }

  @Refuses
  @PATCH
  @Path("{rest:.+}")
  public Response unknownPatch() {
    return root.unknown();
  }

  /** {@code If-None-Match} on a write: any match (or {@code *}) on the existing resource is 412. */
  private void checkIfNoneMatch(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      @Nullable String ifNoneMatch) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return;
    }
    String etag =
        Json.etag(
            collection.get(session, realm, permissions, id),
            Revisions.current(session, realm, collection.kind(), id));
    if (Conditions.noneMatchFails(ifNoneMatch, etag)) {
      throw ApiError.preconditionFailed(
              "If-None-Match " + ifNoneMatch.trim() + " matches the current ETag " + etag)
          .with("etag", etag);
    }
  }

  private record Tagged<V>(V view, String etag) {}
}
