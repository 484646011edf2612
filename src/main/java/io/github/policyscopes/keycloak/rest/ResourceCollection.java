package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * A collection of the config API (token policies, managed clients): what {@link CollectionResource}
 * and {@link MemberResource} serve over HTTP. Writes get the session and realm of their own
 * transaction ({@link Writes}); views are the JSON representations, hashed for ETags. Every method
 * gets the request's {@link Permissions}: the route has decided the request itself, the collection
 * asks the rest (what a view may name, no escalation).
 *
 * <p>A write comes in two steps (docs/adr/0025): {@link #check} and {@link #checkId} validate
 * everything that needs no lock, before {@link Writes#inTransaction} takes one; {@link #create},
 * {@link #update} and {@link #delete} then get only checked input.
 *
 * @param <V> the view of one resource
 * @param <I> a create or update body, as {@link #check} accepted it
 */
interface ResourceCollection<V, I> {

  /** The collection's path segment under {@code config/}, and its key in a list answer. */
  String name();

  /** Whose revisions its members have ({@link Revisions}). */
  Revisions.Kind kind();

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

  /**
   * Everything about a create or update body that needs no lock and no state the write will change:
   * its fields and their shape, every count and length an input can grow (bounded), and the
   * resources it names (they exist, the caller may read them and hand out what they give). Runs
   * before {@link Writes#inTransaction}; a refusal here took no lock.
   */
  Checked<I> check(
      KeycloakSession session, RealmModel realm, Permissions permissions, ObjectNode body);

  /** A member id from the path, checked before any lock: one that cannot exist is 404. */
  Checked<String> checkId(String id);

  Created<V> create(KeycloakSession session, RealmModel realm, Permissions permissions, I input);

  V update(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> id,
      @Nullable String ifMatch,
      I input);

  void delete(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> id,
      @Nullable String ifMatch);

  /** A created resource: its id, its view, and fields shown only once (a client secret). */
  record Created<V>(String id, V view, Map<String, Object> once) {}
}
