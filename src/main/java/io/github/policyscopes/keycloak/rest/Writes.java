package io.github.policyscopes.keycloak.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
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
 *
 * <p>The lock is taken only for input already {@link Checked} (docs/adr/0025): a write validates
 * its body, its counts and the resources it names first, so what runs under the lock (claims
 * included) is bounded by what those checks let through, and a write refused for its input takes no
 * lock at all.
 */
final class Writes {

  private static final Logger LOG = Logger.getLogger(Writes.class);

  /**
   * One lock per realm id, held weakly: a lock lives while a write holds or waits for it, so the
   * map never outgrows the writes in flight (realms come and go; none is remembered forever).
   */
  private static final Cache<String, ReentrantLock> LOCKS =
      Caffeine.newBuilder().weakValues().build();

  /**
   * The part of a write that runs under the lock, in its own transaction.
   *
   * @param <I> the checked input it works on
   * @param <T> its result
   */
  @FunctionalInterface
  interface Work<I, T extends @Nullable Object> {
    T run(KeycloakSession session, RealmModel realm, I input);
  }

  /**
   * A write with no result: {@link Work} that returns nothing.
   *
   * @param <I> the checked input it works on
   */
  @FunctionalInterface
  interface Action<I> {
    void run(KeycloakSession session, RealmModel realm, I input);
  }

  private Writes() {}

  /** {@link #inTransaction} for an {@link Action}: under the realm's lock, committed on return. */
  static <I> void runInTransaction(KeycloakSession session, Checked<I> input, Action<I> action) {
    Work<I, Boolean> work =
        (s, r, checked) -> {
          action.run(s, r, checked);
          return Boolean.TRUE;
        };
    inTransaction(session, input, work);
  }

  /**
   * Runs {@code work} on {@code input} under the realm's lock, in a transaction of its own that
   * commits before this returns. {@code input} passed the checks that need no lock ({@link
   * Checked}): only they make one.
   */
  static <I, T extends @Nullable Object> T inTransaction(
      KeycloakSession session, Checked<I> input, Work<I, T> work) {
    I checked = input.value();
    String realmId = session.getContext().getRealm().getId();
    ReentrantLock lock = LOCKS.get(realmId, id -> new ReentrantLock());
    lock.lock();
    try {
      return KeycloakModelUtils.runJobInTransactionWithResult(
          session.getKeycloakSessionFactory(),
          session.getContext(),
          job -> {
            RealmModel realm = job.realms().getRealm(realmId);
            job.getContext().setRealm(realm);
            return work.run(job, realm, checked);
          },
          "config API write");
    } catch (ModelDuplicateException e) {
      throw ApiError.conflict("already exists: " + e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  /**
   * The compare-and-set of a write to one resource, before anything is read or written: claims the
   * resource ({@link Revisions#claim}: any other writer of it, on any node, commits first or waits;
   * Keycloak's cache forgets it for this transaction). The caller then finds the resource afresh
   * and checks {@code If-Match} against its representation at the returned revision.
   */
  static long claim(
      KeycloakSession session,
      RealmModel realm,
      Revisions.Kind kind,
      String id,
      @Nullable String ifMatch) {
    try {
      return Revisions.claim(session, realm, kind, id);
    } catch (Revisions.Conflict concurrent) {
      if (ifMatch == null || ifMatch.isBlank()) {
        // no precondition was sent: not a 412 (RFC 9110), but the write did not happen
        throw ApiError.conflict("the resource was changed by a concurrent write; send it again");
      }
      throw ApiError.preconditionFailed(
              "If-Match " + ifMatch.trim() + ": the resource was changed by a concurrent write")
          .because(Refusal.IF_MATCH);
    } catch (Revisions.Busy busy) {
      LOG.debugf(busy, "config API write: no lock on %s %s", kind, id);
      throw new ApiError(503, "temporarily_unavailable", "the resource is busy; send it again")
          .header("Retry-After", "1");
    }
  }

  /** RFC 9110 If-Match: absent = no condition; {@code *} = any; else one of the listed tags. */
  static void checkIfMatch(@Nullable String ifMatch, String currentEtag) {
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
