package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * A collection of the config API (token policies, managed clients): what {@link CollectionResource}
 * serves over HTTP. Writes get the session and realm of their own transaction ({@link Writes});
 * views are the JSON representations, hashed for ETags.
 */
interface ResourceCollection {

  /** The collection's path segment under {@code config/}, and its key in a list answer. */
  String name();

  /** Whose revisions its members have ({@link Revisions}). */
  Revisions.Kind kind();

  /** The route template of a member, {@code name() + "/{id}"}: the meters' {@code resource} tag. */
  String memberRoute();

  /** Every resource's view as the caller may see it, in the order the list shows them. */
  List<?> all(KeycloakSession session, RealmModel realm, Caller caller);

  /**
   * One page of the members the caller may read (invariant I2: a deny hides a member from the list
   * as from a GET, decided for {@code GET config/{collection}/{id}}), in list order, and how many
   * there are in all. By default: every view, filtered, then paged.
   */
  default Page page(KeycloakSession session, RealmModel realm, Caller caller, int first, int max) {
    String prefix = "config/" + name() + "/";
    List<?> readable =
        all(session, realm, caller).stream()
            .filter(view -> caller.scopes().decide("GET", prefix + idOf(view)).allowed())
            .toList();
    return new Page(readable.size(), readable.stream().skip(first).limit(max).toList());
  }

  /** A page of a list: the members shown and how many the caller may read in all. */
  record Page(int total, List<?> members) {}

  /** One resource's view as the caller may see it. */
  Object get(KeycloakSession session, RealmModel realm, Caller caller, String id);

  /** The id of a view (its {@code id} field), to decide whether a caller may read it. */
  default String idOf(Object view) {
    return Json.MAPPER.valueToTree(view).path("id").asText("");
  }

  Created create(KeycloakSession session, RealmModel realm, Caller caller, ObjectNode body);

  Object update(
      KeycloakSession session,
      RealmModel realm,
      Caller caller,
      String id,
      String ifMatch,
      ObjectNode body);

  void delete(KeycloakSession session, RealmModel realm, Caller caller, String id, String ifMatch);

  /** A created resource: its id, its view, and fields shown only once (a client secret). */
  record Created(String id, Object view, Map<String, Object> once) {}
}
