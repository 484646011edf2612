package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Every write of the config API runs here: serialised per realm on this node, in its own Keycloak
 * transaction that commits before the response is sent. So a check (If-Match, a unique title, a
 * binding) and the write it guards see the same state, a failed request leaves nothing behind, and
 * of two writers with the same If-Match exactly one wins. Across a cluster, two nodes may still
 * interleave (docs/adr/0007-config-api.md).
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

  /** RFC 9110 If-Match: absent = no condition; {@code *} = any; else one of the listed tags. */
  static void checkIfMatch(String ifMatch, String currentEtag) {
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
