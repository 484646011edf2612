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

  /**
   * One page of the members the caller may read (invariant I2: a deny hides a member from the list
   * as from a GET, decided for {@code GET config/{collection}/{id}}), in list order, and how many
   * there are in all. A page costs a page of views: no view is built for a member not shown.
   */
  Page<V> page(
      KeycloakSession session, RealmModel realm, Permissions permissions, int first, int max);

  /** A page of a list: the members shown and how many the caller may read in all. */
  record Page<V>(int total, List<V> members) {}

  /** One resource's view as the caller may see it. */
  V get(KeycloakSession session, RealmModel realm, Permissions permissions, String id);

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
