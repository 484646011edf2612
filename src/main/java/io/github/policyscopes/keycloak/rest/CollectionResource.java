package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.store.Revisions;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.LinkedHashMap;
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
        collection.name(),
        caller -> {
          int from = Paging.first(first);
          int size = Paging.max(max);
          ResourceCollection.Page page = collection.page(session, realm, caller, from, size);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("total", page.total());
          body.put(collection.name(), page.members());
          return Json.response(200, body);
        });
  }

  @HEAD
  public Response head() {
    return root.guarded("HEAD", collection.name(), caller -> Response.ok());
  }

  @POST
  public Response create(InputStream body) {
    return root.guarded(
        "POST",
        collection.name(),
        caller -> {
          var json = Json.readObject(session.getContext().getRequestHeaders(), body);
          ResourceCollection.Created created =
              Writes.inTransaction(session, (s, r) -> collection.create(s, r, caller, json));
          Map<String, Object> shown = Json.MAPPER.convertValue(created.view(), LinkedHashMap.class);
          shown.putAll(created.once());
          return Json.response(201, shown)
              .header("ETag", Json.etag(created.view(), Revisions.FIRST))
              .location(root.location(collection.name() + "/" + created.id()));
        });
  }

  @GET
  @Path("{id}")
  public Response get(
      @PathParam("id") String id, @HeaderParam("If-None-Match") String ifNoneMatch) {
    return root.guarded(
        "GET",
        collection.memberRoute(),
        caller -> {
          Object view = collection.get(session, realm, caller, id);
          String etag = Json.etag(view, Revisions.current(session, realm, collection.kind(), id));
          if (Conditions.noneMatchFails(ifNoneMatch, etag)) {
            return Conditions.notModified(etag);
          }
          return Json.response(200, view).header("ETag", etag);
        });
  }

  @HEAD
  @Path("{id}")
  public Response headOne(
      @PathParam("id") String id, @HeaderParam("If-None-Match") String ifNoneMatch) {
    return root.guarded(
        "HEAD",
        collection.memberRoute(),
        caller -> {
          String etag =
              Json.etag(
                  collection.get(session, realm, caller, id),
                  Revisions.current(session, realm, collection.kind(), id));
          if (Conditions.noneMatchFails(ifNoneMatch, etag)) {
            return Conditions.notModified(etag);
          }
          return Response.ok().header("ETag", etag);
        });
  }

  @PUT
  @Path("{id}")
  public Response update(
      @PathParam("id") String id,
      @HeaderParam("If-Match") String ifMatch,
      @HeaderParam("If-None-Match") String ifNoneMatch,
      InputStream body) {
    return root.guarded(
        "PUT",
        collection.memberRoute(),
        caller -> {
          // preconditions before the content is even read (RFC 9110 §13.2.2) …
          checkIfNoneMatch(session, realm, caller, id, ifNoneMatch);
          var json = Json.readObject(session.getContext().getRequestHeaders(), body);
          Tagged written =
              Writes.inTransaction(
                  session,
                  (s, r) -> {
                    // … and again where the write is serialised, against the state it changes
                    checkIfNoneMatch(s, r, caller, id, ifNoneMatch);
                    Object view = collection.update(s, r, caller, id, ifMatch, json);
                    // the revision this write claimed, as it will be committed
                    return new Tagged(
                        view, Json.etag(view, Revisions.current(s, r, collection.kind(), id)));
                  });
          return Json.response(200, written.view()).header("ETag", written.etag());
        });
  }

  @DELETE
  @Path("{id}")
  public Response delete(
      @PathParam("id") String id,
      @HeaderParam("If-Match") String ifMatch,
      @HeaderParam("If-None-Match") String ifNoneMatch) {
    return root.guarded(
        "DELETE",
        collection.memberRoute(),
        caller -> {
          Writes.inTransaction(
              session,
              (s, r) -> {
                checkIfNoneMatch(s, r, caller, id, ifNoneMatch);
                collection.delete(s, r, caller, id, ifMatch);
                return null;
              });
          return Response.noContent();
        });
  }

  // ---- preflight and paths below a member: the same as anywhere under config/ ----

  @OPTIONS
  public Response preflight() {
    return root.preflight();
  }

  @OPTIONS
  @Path("{id}")
  public Response preflightMember() {
    return root.preflight();
  }

  @OPTIONS
  @Path("{id}/{rest:.+}")
  public Response preflightBelow() {
    return root.preflight();
  }

  @GET
  @Path("{id}/{rest:.+}")
  public Response unknownGet() {
    return root.unknown("GET");
  }

  @HEAD
  @Path("{id}/{rest:.+}")
  public Response unknownHead() {
    return root.unknown("HEAD");
  }

  @POST
  @Path("{id}/{rest:.+}")
  public Response unknownPost() {
    return root.unknown("POST");
  }

  @PUT
  @Path("{id}/{rest:.+}")
  public Response unknownPut() {
    return root.unknown("PUT");
  }

  @DELETE
  @Path("{id}/{rest:.+}")
  public Response unknownDelete() {
    return root.unknown("DELETE");
  }

  /** {@code If-None-Match} on a write: any match (or {@code *}) on the existing resource is 412. */
  private void checkIfNoneMatch(
      KeycloakSession session, RealmModel realm, Caller caller, String id, String ifNoneMatch) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return;
    }
    String etag =
        Json.etag(
            collection.get(session, realm, caller, id),
            Revisions.current(session, realm, collection.kind(), id));
    if (Conditions.noneMatchFails(ifNoneMatch, etag)) {
      throw ApiError.preconditionFailed(
              "If-None-Match " + ifNoneMatch.trim() + " matches the current ETag " + etag)
          .with("etag", etag);
    }
  }

  private record Tagged(Object view, String etag) {}
}
