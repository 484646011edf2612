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
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The config API's lists at Keycloak's speed (docs/adr/0035, 0038): per realm, the policy index
 * ({@link PolicyList}: ids and titles in list order, the title clash lookup) and each policy's
 * {@link PolicyEntry} (parsed config and bounded bindings), kept in step with Keycloak's realm
 * cache.
 *
 * <p>In step: every invalidation of Keycloak's realm cache on this node (its own edits, console and
 * admin REST alike, and the other nodes' through Keycloak's cluster invalidation) is heard ({@code
 * store.infinispan.RealmCacheEvents}) and numbered. One that names a policy of a cached index (its
 * client scope changed) marks that policy changed: the next read takes it again from Keycloak's
 * model, and patches the index with it. Any other one (a client, a realm, a role, a scope that is
 * no policy yet, a key this class does not know) may change anything: every cached value read
 * before it is dropped. Only Keycloak's list of a realm's client scopes is ignored, since every
 * change that touches it invalidates the scope itself too. A value is stored with the number of the
 * last invalidation before it was read, so one read while a change committed is used only after
 * what changed is read again. Fail safe: until the listener is registered, or when it cannot be,
 * every call reads the database. Bounded by {@link CacheBudget#POLICY_INDEX_BYTES} and {@link
 * CacheBudget#POLICY_ENTRIES_BYTES}; the policies marked changed by {@link #MAX_CHANGED}.
 */
public final class PolicyCache {

  private static final Logger LOG = Logger.getLogger(PolicyCache.class);

  private static final String EVENTS =
      "io.github.policyscopes.keycloak.store.infinispan.RealmCacheEvents";

  /**
   * How many policies of one realm may be marked changed one by one; one more counts as a change of
   * everything, which forgets them all.
   */
  static final int MAX_CHANGED = 256;

  private enum State {
    NOT_YET,
    LISTENING,
    UNAVAILABLE
  }

  private static volatile State state = State.NOT_YET;

  /** A value and the number of the last invalidation before it was read. */
  private record Versioned<T>(long sequence, T value) {}

  /** A policy of a realm. */
  private record Key(String realmId, String policyId) {}

  private static final Invalidations HEARD = new Invalidations(MAX_CHANGED);

  private static final Cache<String, Versioned<Listing>> INDEXES =
      CacheBudget.weighedCache(
          CacheBudget.POLICY_INDEX_BYTES,
          e -> 2L * e.key().length() + 96 + e.value().value().list().estimatedBytes());

  private static final Cache<Key, Versioned<PolicyEntry>> ENTRIES =
      CacheBudget.weighedCache(
          CacheBudget.POLICY_ENTRIES_BYTES,
          e ->
              2L * (e.key().realmId().length() + e.key().policyId().length())
                  + 128
                  + e.value().value().estimatedBytes());

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
    Versioned<Listing> cached = INDEXES.getIfPresent(realm.getId());
    if (cached != null) {
      Invalidations.Since since = HEARD.since(realm.getId(), cached.sequence());
      if (since != null) {
        if (since.policies().isEmpty()) {
          return cached.value();
        }
        Listing patched = reread(realm, cached.value(), since.policies());
        INDEXES.put(realm.getId(), new Versioned<>(since.now(), patched));
        return patched;
      }
    }
    long now = HEARD.now();
    Listing loaded = listing(PolicyIndex.load(session, realm));
    INDEXES.put(realm.getId(), new Versioned<>(now, loaded));
    return loaded;
  }

  /**
   * The index with the given policies read again from Keycloak's model: a patch ({@link
   * PolicyList#with}) that compares and folds only the titles that changed.
   */
  private static Listing reread(RealmModel realm, Listing before, Set<String> ids) {
    List<PolicyList.Entry> current = new ArrayList<>(ids.size());
    for (String id : ids) {
      ClientScopeModel scope = realm.getClientScopeById(id);
      if (scope != null && scope.getId().equals(id) && PolicyStore.isPolicy(scope)) {
        current.add(new PolicyList.Entry(id, PolicyStore.titleOf(scope)));
      }
    }
    PolicyList list = before.list().with(ids, current);
    // every id a member path still, when it was so before and each policy read again is one
    return before.memberIds() && current.stream().allMatch(PolicyCache::memberPath)
        ? new Listing(list, true)
        : listing(list);
  }

  private static Listing listing(PolicyList list) {
    return new Listing(list, list.inOrder().stream().allMatch(PolicyCache::memberPath));
  }

  private static boolean memberPath(PolicyList.Entry e) {
    return MEMBER_PATHS.test(ApiLayout.tokenPolicyPath(e.id()));
  }

  /**
   * The entries of the given policies of the realm, by id; a policy that is not (or no longer) one
   * is absent. Those not cached, or changed since, are read together: their client scopes through
   * Keycloak's model, their bindings in one bounded query set.
   */
  public static Map<String, PolicyEntry> entries(
      KeycloakSession session, RealmModel realm, Collection<String> ids) {
    boolean cached = listening(session);
    long now = HEARD.now();
    Map<String, PolicyEntry> found = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      Versioned<PolicyEntry> e = cached ? ENTRIES.getIfPresent(new Key(realm.getId(), id)) : null;
      if (e != null && HEARD.unchanged(realm.getId(), id, e.sequence())) {
        found.put(id, e.value());
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
          ENTRIES.put(new Key(realm.getId(), id), new Versioned<>(now, entry));
        }
      }
    }
    return found;
  }

  /**
   * How many invalidations of Keycloak's realm cache this node has heard, or -1 when invalidations
   * are not heard (then nothing read from the model may be kept). A value read from Keycloak's
   * realm cache after this call may be used for as long as this number stays the same: every
   * invalidation heard moves it, on this node or arriving from another one, in the same call in
   * which Keycloak's own cache drops what changed — the keys the lists ignore too. Lock-free.
   */
  public static long heard(KeycloakSession session) {
    return listening(session) ? EVERY_INVALIDATION.get() : -1;
  }

  /** Every invalidation heard, whatever its key ({@link #heard}). */
  private static final AtomicLong EVERY_INVALIDATION = new AtomicLong();

  // ---- the invalidations heard ----

  /**
   * Keycloak invalidated the realm cache entry {@code key} (an object's id, or one of its own query
   * keys): the policy it names is marked changed; any other key counts as a change of everything.
   */
  static void changed(Object key) {
    EVERY_INVALIDATION.incrementAndGet();
    if (!(key instanceof String id)) {
      HEARD.everything();
      return;
    }
    String realmId = realmOfPolicy(id);
    if (realmId != null) {
      HEARD.policy(realmId, id);
    } else if (!realmClientScopeList(id)) {
      HEARD.everything();
    }
    // else Keycloak's list of a cached realm's client scopes: every change that touches it on this
    // node invalidates the client scope too (see the class)
  }

  /**
   * Whether the key is Keycloak's key of the list of client scopes of a realm whose index is cached
   * ({@code <realm id>.clientscopes}).
   */
  private static boolean realmClientScopeList(String key) {
    String suffix = ".clientscopes";
    return key.endsWith(suffix)
        && INDEXES.getIfPresent(key.substring(0, key.length() - suffix.length())) != null;
  }

  /** The realm whose cached index holds a policy of this id; null when none does. */
  private static @Nullable String realmOfPolicy(String id) {
    for (Map.Entry<String, Versioned<Listing>> e : INDEXES.asMap().entrySet()) {
      if (e.getValue().value().list().contains(id)) {
        return e.getKey();
      }
    }
    return null;
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
              .getMethod("listen", KeycloakSession.class, Consumer.class)
              .invoke(null, session, (Consumer<Object>) PolicyCache::changed);
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
}
