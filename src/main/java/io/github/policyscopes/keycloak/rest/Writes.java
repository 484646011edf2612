package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Every write of the config API runs here: serialised per realm on this node, in its own Keycloak
 * transaction that commits before the response is sent. So a check (If-Match, a unique title, a
 * binding) and the write it guards see the same state, and a failed request leaves nothing behind.
 * Of two writers with the same If-Match exactly one wins, on one node and across a cluster: each
 * write {@linkplain #claim claims} its resource's revision in the database first
 * (docs/adr/0017-cluster-compare-and-set.md).
 */
final class Writes {

  /** One lock per realm id; realms are few, writes are admin-rate. */
  private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  @FunctionalInterface
  interface Work<T> {
    T run(KeycloakSession session, RealmModel realm);
  }

  private Writes() {}

  static <T> T inTransaction(KeycloakSession session, Work<T> work) {
    String realmId = session.getContext().getRealm().getId();
    ReentrantLock lock = LOCKS.computeIfAbsent(realmId, id -> new ReentrantLock());
    lock.lock();
    try {
      return KeycloakModelUtils.runJobInTransactionWithResult(
          session.getKeycloakSessionFactory(),
          session.getContext(),
          job -> {
            RealmModel realm = job.realms().getRealm(realmId);
            job.getContext().setRealm(realm);
            return work.run(job, realm);
          },
          "config API write");
    } catch (ModelDuplicateException e) {
      throw ApiError.conflict("already exists: " + e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  /**
   * The compare-and-set of a write to one resource, before anything is written: claims the
   * resource's revision in this transaction ({@link Revisions#claim}: any other writer of it, on
   * any node, commits first or waits) and checks {@code If-Match} against the resource as it stood
   * at that revision.
   *
   * @param current the resource's representation now, from which its ETag is computed
   */
  static void claim(
      KeycloakSession session, RealmModel realm, String key, String ifMatch, Object current) {
    claim(session, realm, key, ifMatch, revision -> Json.etag(current, revision));
  }

  /** As {@link #claim(KeycloakSession, RealmModel, String, String, Object)}, any ETag form. */
  static void claim(
      KeycloakSession session,
      RealmModel realm,
      String key,
      String ifMatch,
      LongFunction<String> etagAt) {
    long before;
    try {
      before = Revisions.claim(session, realm, key);
    } catch (Revisions.Conflict concurrent) {
      throw ApiError.preconditionFailed(
              "If-Match "
                  + (ifMatch == null ? "(none)" : ifMatch.trim())
                  + ": the resource was changed by a concurrent write")
          .because(Refusal.IF_MATCH);
    }
    checkIfMatch(ifMatch, etagAt.apply(before));
  }

  /** RFC 9110 If-Match: absent = no condition; {@code *} = any; else one of the listed tags. */
  private static void checkIfMatch(String ifMatch, String currentEtag) {
    if (ifMatch == null || ifMatch.isBlank()) {
      return;
    }
    List<String> tags = List.of(ifMatch.split(","));
    for (String tag : tags) {
      String t = tag.trim();
      if (t.equals("*") || t.equals(currentEtag)) {
        return;
      }
    }
    throw ApiError.preconditionFailed(
            "If-Match " + ifMatch.trim() + " does not match the current ETag " + currentEtag)
        .because(Refusal.IF_MATCH)
        .with("etag", currentEtag);
  }
}
