package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * A collection of the config API (token policies, managed clients): what {@link CollectionResource}
 * and {@link MemberResource} serve over HTTP. Writes get the session and realm of their own
 * transaction ({@link Writes}); views are the JSON representations, hashed for ETags. Every method
 * gets the request's {@link Permissions}: the route has decided the request itself, the collection
 * asks the rest (what a view may name, no escalation).
 *
 * @param <V> the view of one resource
 */
interface ResourceCollection<V> {

  /** The collection's path segment under {@code config/}, and its key in a list answer. */
  String name();

  /** Whose revisions its members have ({@link Revisions}). */
  Revisions.Kind kind();

  /** The route template of a member, {@code name() + "/{id}"}: the meters' {@code resource} tag. */
  String memberRoute();

  /** Every resource's view as the caller may see it, in the order the list shows them. */
  List<V> all(KeycloakSession session, RealmModel realm, Permissions permissions);

  /** One resource's view as the caller may see it. */
  V get(KeycloakSession session, RealmModel realm, Permissions permissions, String id);

  /** The id of a view, to decide whether a caller may read it. */
  String idOf(V view);

  Created<V> create(
      KeycloakSession session, RealmModel realm, Permissions permissions, ObjectNode body);

  V update(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      String id,
      String ifMatch,
      ObjectNode body);

  void delete(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      String id,
      String ifMatch);

  /** A created resource: its id, its view, and fields shown only once (a client secret). */
  record Created<V>(String id, V view, Map<String, Object> once) {}
}
