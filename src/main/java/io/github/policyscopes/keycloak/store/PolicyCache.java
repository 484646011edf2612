package io.github.policyscopes.keycloak.store;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.access.CollectionReads;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.policy.PolicyList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The config API's lists at Keycloak's speed (docs/adr/0035): per realm, the policy index ({@link
 * PolicyList}: ids and titles in list order, the title clash lookup) and each policy's {@link
 * PolicyEntry} (parsed config and bounded bindings), kept while nothing in Keycloak's realm cache
 * changes.
 *
 * <p>In step: every invalidation of Keycloak's realm cache on this node (its own edits, console and
 * admin REST alike, and the other nodes' through Keycloak's cluster invalidation) bumps {@link
 * #GENERATION} ({@code store.infinispan.RealmCacheEvents}); a value is used only under the
 * generation it was read in. The read-then-store race is closed the same way: a value read from the
 * database is stored only if the generation did not move while it was read (Keycloak invalidates
 * after its transaction commits, so a value read before a commit is stored under an older
 * generation, or not at all). Fail safe: until the listener is registered, or when it cannot be,
 * every call reads the database. Bounded by {@link CacheBudget#POLICY_LISTS_BYTES}.
 */
public final class PolicyCache {

  private static final Logger LOG = Logger.getLogger(PolicyCache.class);

  private static final String EVENTS =
      "io.github.policyscopes.keycloak.store.infinispan.RealmCacheEvents";

  /** Bumped by every invalidation of Keycloak's realm cache on this node. */
  private static final AtomicLong GENERATION = new AtomicLong();

  private enum State {
    NOT_YET,
    LISTENING,
    UNAVAILABLE
  }

  private static volatile State state = State.NOT_YET;

  /** A value and the generation it was read in. */
  private record Versioned<T>(long generation, T value) {}

  /** A policy of a realm. */
  private record Key(String realmId, String policyId) {}

  private static final Cache<Object, Versioned<?>> CACHE =
      CacheBudget.weighedCache(CacheBudget.POLICY_LISTS_BYTES, e -> weight(e.key(), e.value()));

  private PolicyCache() {}

  /**
   * A realm's policies in list order, with the title lookup.
   *
   * @param list the policies
   * @param memberIds whether every id makes a plain member path of {@code config/tokenPolicies}
   *     ({@link CollectionReads#memberPaths}), so a caller who may read every member reads them all
   *     without a decision per policy
   */
  public record Listing(PolicyList list, boolean memberIds) {}

  private static final Predicate<String> MEMBER_PATHS =
      CollectionReads.memberPaths(ApiLayout.collectionPath(ApiLayout.TOKEN_POLICIES));

  /** The realm's policies in list order, with the title lookup. */
  public static Listing list(KeycloakSession session, RealmModel realm) {
    if (!listening(session)) {
      return listing(PolicyIndex.load(session, realm));
    }
    long generation = GENERATION.get();
    if (current(realm.getId(), generation) instanceof Listing listing) {
      return listing;
    }
    Listing listing = listing(PolicyIndex.load(session, realm));
    store(realm.getId(), generation, listing);
    return listing;
  }

  private static Listing listing(PolicyList list) {
    return new Listing(
        list,
        list.inOrder().stream()
            .allMatch(e -> MEMBER_PATHS.test(ApiLayout.tokenPolicyPath(e.id()))));
  }

  /**
   * The entries of the given policies of the realm, by id; a policy that is not (or no longer) one
   * is absent. Those not cached under the current generation are read together: their client scopes
   * through Keycloak's model, their bindings in one bounded query set.
   */
  public static Map<String, PolicyEntry> entries(
      KeycloakSession session, RealmModel realm, Collection<String> ids) {
    boolean cached = listening(session);
    long generation = GENERATION.get();
    Map<String, PolicyEntry> found = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      if (cached && current(new Key(realm.getId(), id), generation) instanceof PolicyEntry e) {
        found.put(id, e);
      } else {
        missing.add(id);
      }
    }
    if (missing.isEmpty()) {
      return found;
    }
    Map<String, PolicyIndex.Bindings> bindings = PolicyIndex.bindings(session, missing);
    for (String id : missing) {
      ClientScopeModel scope = realm.getClientScopeById(id);
      PolicyIndex.Bindings b = bindings.get(id);
      PolicyEntry entry =
          scope == null || !scope.getId().equals(id) || b == null ? null : PolicyEntry.of(scope, b);
      if (entry != null) {
        found.put(id, entry);
        if (cached) {
          store(new Key(realm.getId(), id), generation, entry);
        }
      }
    }
    return found;
  }

  /**
   * The entry of one policy scope, read now (a write's view: never cached, never stale); null when
   * the scope is no (longer a) policy.
   */
  public static @Nullable PolicyEntry fresh(KeycloakSession session, ClientScopeModel scope) {
    return PolicyEntry.of(scope, PolicyIndex.bindingsOf(session, scope.getId()));
  }

  /** The value cached for the key under this generation, or null. */
  private static @Nullable Object current(Object key, long generation) {
    Versioned<?> v = CACHE.getIfPresent(key);
    return v != null && v.generation() == generation ? v.value() : null;
  }

  private static void store(Object key, long generation, Object value) {
    if (GENERATION.get() == generation) {
      CACHE.put(key, new Versioned<>(generation, value));
    }
  }

  /** Something in Keycloak's realm cache changed: every cached value is out of date. */
  static void changed() {
    GENERATION.incrementAndGet();
  }

  /** Whether invalidations are heard: registers the listener on first use. */
  private static boolean listening(KeycloakSession session) {
    State s = state;
    if (s != State.NOT_YET) {
      return s == State.LISTENING;
    }
    synchronized (PolicyCache.class) {
      if (state == State.NOT_YET) {
        state = register(session) ? State.LISTENING : State.UNAVAILABLE;
      }
      return state == State.LISTENING;
    }
  }

  private static boolean register(KeycloakSession session) {
    try {
      Object ok =
          Class.forName(EVENTS)
              .getMethod("listen", KeycloakSession.class, Runnable.class)
              .invoke(null, session, (Runnable) PolicyCache::changed);
      if (Boolean.TRUE.equals(ok)) {
        return true;
      }
      LOG.warn("No Infinispan realm cache: the config API reads its lists from the database");
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      LOG.warnf(
          "Cannot hear Keycloak's realm cache invalidations (%s): the config API reads its lists"
              + " from the database",
          e);
    }
    return false;
  }

  private static long weight(Object key, Versioned<?> value) {
    long keyBytes =
        key instanceof Key k ? 2L * (k.realmId().length() + k.policyId().length()) + 96 : 96;
    Object v = value.value();
    long valueBytes =
        v instanceof Listing l
            ? l.list().estimatedBytes()
            : v instanceof PolicyEntry e ? e.estimatedBytes() : 0;
    return keyBytes + 32 + valueBytes;
  }
}
