package io.github.policyscopes.keycloak.store;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The invalidations of Keycloak's realm cache heard by {@link PolicyCache}, numbered, so that a
 * cached value stored with the number of the last one before it was read ({@link #now}) can be
 * asked what changed since: nothing, some policies of its realm, or everything. Thread-safe; every
 * call holds the lock for a walk of at most {@link #maxPerRealm} ids.
 */
final class Invalidations {

  /** What changed of a realm's policies after a value was read, and the number to store now. */
  record Since(Set<String> policies, long now) {}

  /** The policies of one realm changed one by one: id → number of its last change. */
  private static final class Realm {
    final Map<String, Long> policies = new HashMap<>();
    long last;
  }

  private final int maxPerRealm;
  private long sequence;
  private long everything;
  private final Map<String, Realm> realms = new HashMap<>();

  /**
   * @param maxPerRealm how many policies of one realm are remembered one by one; one more is heard
   *     as a change of everything, which forgets them all
   */
  Invalidations(int maxPerRealm) {
    this.maxPerRealm = maxPerRealm;
  }

  /** The number of the last invalidation: store it with a value read after this call. */
  synchronized long now() {
    return sequence;
  }

  /**
   * The policies of the realm changed after invalidation {@code read}, with the number of the last
   * invalidation; null when anything may have changed since.
   */
  synchronized @Nullable Since since(String realmId, long read) {
    if (everything > read) {
      return null;
    }
    Realm realm = realms.get(realmId);
    if (realm == null || realm.last <= read) {
      return new Since(Set.of(), sequence);
    }
    Set<String> changed = new HashSet<>();
    realm.policies.forEach(
        (id, at) -> {
          if (at > read) {
            changed.add(id);
          }
        });
    return new Since(changed, sequence);
  }

  /** Whether nothing that could change this policy was heard after invalidation {@code read}. */
  synchronized boolean unchanged(String realmId, String policyId, long read) {
    if (everything > read) {
      return false;
    }
    Realm realm = realms.get(realmId);
    Long at = realm == null ? null : realm.policies.get(policyId);
    return at == null || at <= read;
  }

  /** One policy of a realm changed. */
  synchronized void policy(String realmId, String policyId) {
    Realm realm = realms.computeIfAbsent(realmId, r -> new Realm());
    if (realm.policies.size() >= maxPerRealm && !realm.policies.containsKey(policyId)) {
      everythingLocked();
      return;
    }
    long at = ++sequence;
    realm.policies.put(policyId, at);
    realm.last = at;
  }

  /** Anything of any realm may have changed: every value read before now is out of date. */
  synchronized void everything() {
    everythingLocked();
  }

  private void everythingLocked() {
    everything = ++sequence;
    realms.clear();
  }
}
