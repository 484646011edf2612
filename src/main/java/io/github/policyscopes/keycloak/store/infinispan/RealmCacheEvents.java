package io.github.policyscopes.keycloak.store.infinispan;

import java.util.function.Consumer;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.keycloak.cluster.ClusterProvider;
import org.keycloak.connections.infinispan.InfinispanConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.cache.infinispan.InfinispanCacheRealmProviderFactory;

/**
 * Hears every invalidation of Keycloak's realm cache on this node, from this node's edits and, via
 * Keycloak's cluster invalidation, from the other nodes' (docs/adr/0035).
 *
 * <p>Keycloak invalidates a realm, client, client scope, role or group after the transaction that
 * changed it commits ({@code CacheManager.invalidateObject}): it removes the entry from the local
 * {@code realms} cache and puts a new revision for its id into the local {@code realmRevisions}
 * cache, whether the entry was cached or not; on every other node the same happens when the
 * invalidation event arrives. This listener hands {@code onChange} the key (the object's id, or a
 * query key of Keycloak's) of every put and removal in {@code realmRevisions} and every removal in
 * {@code realms}. Evictions are not changes and are not heard. A put also happens when Keycloak
 * first caches an object (its revision recorded): heard too, which costs a reload, never a stale
 * read.
 */
@Listener
public final class RealmCacheEvents {

  private final Consumer<Object> onChange;

  private RealmCacheEvents(Consumer<Object> onChange) {
    this.onChange = onChange;
  }

  /** A revision recorded, changed or dropped: the object of that id changed. */
  @CacheEntryCreated
  @CacheEntryModified
  @CacheEntryRemoved
  public void changed(CacheEntryEvent<?, ?> event) {
    if (!event.isPre()) {
      onChange.accept(event.getKey());
    }
  }

  /**
   * Registers a listener on this node's {@code realmRevisions} and {@code realms} caches; false
   * when Keycloak has no Infinispan here (then nothing may be cached).
   */
  public static boolean listen(KeycloakSession session, Consumer<Object> onChange) {
    InfinispanConnectionProvider ispn = session.getProvider(InfinispanConnectionProvider.class);
    if (ispn == null) {
      return false;
    }
    Cache<Object, Object> revisions =
        ispn.getCache(InfinispanConnectionProvider.REALM_REVISIONS_CACHE_NAME);
    Cache<Object, Object> realms = ispn.getCache(InfinispanConnectionProvider.REALM_CACHE_NAME);
    if (revisions == null || realms == null) {
      return false;
    }
    RealmCacheEvents listener = new RealmCacheEvents(onChange);
    revisions.addListener(listener);
    realms.addListener(new Removals(onChange));
    // "Clear realm cache" (admin console, on every node) clears both caches without an event per
    // entry: heard as a change of everything
    ClusterProvider cluster = session.getProvider(ClusterProvider.class);
    if (cluster != null) {
      cluster.registerListener(
          InfinispanCacheRealmProviderFactory.REALM_CLEAR_CACHE_EVENTS,
          event -> onChange.accept(event));
    }
    return true;
  }

  /** Removals from the {@code realms} cache (an invalidation; evictions are not heard). */
  @Listener
  public static final class Removals {

    private final Consumer<Object> onChange;

    Removals(Consumer<Object> onChange) {
      this.onChange = onChange;
    }

    /** An entry of the realm cache invalidated. */
    @CacheEntryRemoved
    public void removed(CacheEntryEvent<?, ?> event) {
      if (!event.isPre()) {
        onChange.accept(event.getKey());
      }
    }
  }
}
