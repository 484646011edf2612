package io.github.policyscopes.keycloak.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.Revisions;
import io.github.policyscopes.policy.PolicyList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Every write of the config API runs here, in its own Keycloak transaction that commits before the
 * response is sent, holding on this node what it writes and what it makes unique ({@link Keys}):
 * the policy named in the path and the unique values its body claims (a folded title, a scope
 * name). A write whose checks read other resources (a client's write; the rewrite of a broken
 * policy bound to clients) holds the whole realm ({@link #requireWholeRealm}). So a check
 * (If-Match, a unique title, a binding) and the write it guards see the same state, a failed
 * request leaves nothing behind, and writes that share nothing run side by side (docs/adr/0039). Of
 * two writers with the same If-Match exactly one wins, on one node and across a cluster: each write
 * {@linkplain #claim claims} its resource's revision in the database first
 * (docs/adr/0017-cluster-compare-and-set.md).
 *
 * <p>The locks are taken only for input already {@link Checked} (docs/adr/0025): a write validates
 * its body, its counts and the resources it names first, so what runs under them (claims included)
 * is bounded by what those checks let through, and a write refused for its input takes no lock at
 * all.
 */
final class Writes {

  private static final Logger LOG = Logger.getLogger(Writes.class);

  /**
   * What one write holds while it runs: keys of its realm, or the whole realm. Two writes that
   * share a key take turns; a write that holds the whole realm (a client's, one whose checks read
   * other resources, one of a title Java compares by code point, which no key can name) takes turns
   * with every other write of the realm.
   *
   * @param wholeRealm whether the write holds its whole realm
   * @param keys the keys it holds, in the one order every write takes them (no deadlock)
   */
  record Keys(boolean wholeRealm, SortedSet<String> keys) {

    Keys {
      keys = Collections.unmodifiableSortedSet(new TreeSet<>(keys));
    }

    /** Nothing of the realm but its lock's shared side. */
    static final Keys NONE = new Keys(false, new TreeSet<>());

    /**
     * The whole realm: for a write whose checks read resources other than the one it writes (a
     * client's: the policies it is bound to and binds).
     */
    static final Keys WHOLE_REALM = new Keys(true, new TreeSet<>());

    /** The member {@code id} of {@code kind}: one writer of a resource at a time on this node. */
    static Keys member(Revisions.Kind kind, String id) {
      return of(kind.name() + "/" + id);
    }

    /** A unique value of the realm ({@code what}: {@code name}, a policy's client scope name). */
    static Keys unique(String what, String value) {
      return of(what + "=" + value);
    }

    /**
     * A policy title: titles are unique as {@code equalsIgnoreCase} compares them, so two titles
     * that compare equal share the key of their fold; a title with a surrogate char (compared by
     * code point, not folded) holds the whole realm.
     */
    static Keys title(String title) {
      String fold = PolicyList.fold(title);
      return fold == null ? WHOLE_REALM : of("title=" + fold);
    }

    private static Keys of(String key) {
      return new Keys(false, new TreeSet<>(Set.of(key)));
    }

    /** Both: every key of each, the whole realm if either holds it. */
    Keys and(Keys other) {
      SortedSet<String> both = new TreeSet<>(keys);
      both.addAll(other.keys);
      return new Keys(wholeRealm || other.wholeRealm, both);
    }
  }

  /**
   * One read-write lock per realm id (a write holding the whole realm takes its write side, every
   * other write its read side) and one lock per held key; all held weakly: a lock lives while a
   * write holds or waits for it, so neither map outgrows the writes in flight (realms come and go;
   * none is remembered forever).
   */
  private static final Cache<String, ReentrantReadWriteLock> REALMS =
      Caffeine.newBuilder().weakValues().build();

  private static final Cache<Held, ReentrantLock> KEYS = Caffeine.newBuilder().weakValues().build();

  /** A key of one realm. */
  private record Held(String realmId, String key) {}

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

  /** {@link #inTransaction} for an {@link Action}: holding its keys, committed on return. */
  static <I> void runInTransaction(KeycloakSession session, Checked<I> input, Action<I> action) {
    Work<I, Boolean> work =
        (s, r, checked) -> {
          action.run(s, r, checked);
          return Boolean.TRUE;
        };
    inTransaction(session, input, work);
  }

  /**
   * Runs {@code work} on {@code input} holding what the input names ({@link Keys}), in a
   * transaction of its own that commits before this returns. {@code input} passed the checks that
   * need no lock ({@link Checked}): only they make one.
   */
  static <I, T extends @Nullable Object> T inTransaction(
      KeycloakSession session, Checked<I> input, Work<I, T> work) {
    String realmId = session.getContext().getRealm().getId();
    return holding(
        realmId,
        input.keys(),
        whole -> {
          try {
            return KeycloakModelUtils.runJobInTransactionWithResult(
                session.getKeycloakSessionFactory(),
                session.getContext(),
                job -> {
                  RealmModel realm = job.realms().getRealm(realmId);
                  job.getContext().setRealm(realm);
                  job.setAttribute(WHOLE_REALM, whole);
                  return work.run(job, realm, input.value());
                },
                "config API write");
          } catch (ModelDuplicateException e) {
            throw ApiError.conflict("already exists: " + e.getMessage());
          }
        });
  }

  /**
   * Runs {@code attempt} holding {@code keys}; when it finds it needs the whole realm ({@link
   * #requireWholeRealm}: its transaction rolled back), once more holding the whole realm. The
   * attempt is told whether it holds the whole realm.
   */
  static <T extends @Nullable Object> T holding(
      String realmId, Keys keys, Function<Boolean, T> attempt) {
    Hold hold = Hold.take(realmId, keys);
    try {
      return attempt.apply(keys.wholeRealm());
    } catch (WholeRealmNeeded needed) {
      if (keys.wholeRealm()) {
        throw new IllegalStateException("a write holding its whole realm asked for it", needed);
      }
    } finally {
      hold.release();
    }
    Hold whole = Hold.take(realmId, Keys.WHOLE_REALM);
    try {
      return attempt.apply(true);
    } finally {
      whole.release();
    }
  }

  /** The session attribute that says whether the write holds its whole realm. */
  private static final String WHOLE_REALM = Writes.class.getName() + ".wholeRealm";

  /**
   * For a check that reads resources of the realm other than those the write holds (the clients
   * bound to a policy, and their other policies): unless the write holds the whole realm, it stops
   * here, its transaction rolls back, and it runs again holding the whole realm ({@link #holding}).
   * So every check of a write sees the realm as no concurrent write of this node changes it.
   */
  static void requireWholeRealm(KeycloakSession session) {
    if (!Boolean.TRUE.equals(session.getAttribute(WHOLE_REALM))) {
      throw new WholeRealmNeeded();
    }
  }

  /** Stops a write that needs the whole realm ({@link #requireWholeRealm}); never answered. */
  static final class WholeRealmNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WholeRealmNeeded() {
      super("the write needs its whole realm", null, false, false);
    }
  }

  /**
   * The locks one write holds. It keeps its realm's lock object too: a read side alone does not
   * keep the weakly held lock it belongs to, and a new one made meanwhile would not exclude it.
   */
  record Hold(ReentrantReadWriteLock realm, List<Lock> locks) {

    /**
     * Takes the realm's lock (its write side for the whole realm, else its read side), then each
     * key in order: every write takes them in this one order, so none waits for another that waits
     * for it.
     */
    static Hold take(String realmId, Keys keys) {
      ReentrantReadWriteLock realm = REALMS.get(realmId, id -> new ReentrantReadWriteLock());
      List<Lock> locks = new ArrayList<>(keys.keys().size() + 1);
      Lock side = keys.wholeRealm() ? realm.writeLock() : realm.readLock();
      side.lock();
      locks.add(side);
      try {
        if (!keys.wholeRealm()) {
          for (String key : keys.keys()) {
            ReentrantLock lock = KEYS.get(new Held(realmId, key), k -> new ReentrantLock());
            lock.lock();
            locks.add(lock);
          }
        }
      } catch (RuntimeException | Error e) {
        new Hold(realm, locks).release();
        throw e;
      }
      return new Hold(realm, locks);
    }

    /** Releases them in the reverse order. */
    void release() {
      for (int i = locks.size() - 1; i >= 0; i--) {
        locks.get(i).unlock();
      }
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
