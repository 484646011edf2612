package io.github.policyscopes.keycloak.token;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.store.PolicyCache;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.Decisions;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Footprint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.util.DefaultClientSessionContext;
import org.keycloak.storage.StorageId;

/**
 * What a token request of a client reads of Keycloak's model before its grant runs: the client's
 * default client scopes (name and id), whether it lost the ceiling it was registered under, its
 * policies merged ({@link PolicyStore#effectiveFor}) and, for a bound client, what Keycloak accepts
 * in its {@code scope} parameter ({@link KnownScopes}). Only names, ids and the compiled policy are
 * kept, never one of Keycloak's per-session models.
 *
 * <p>Read once per version of Keycloak's realm cache (docs/adr/0040): kept with the number of
 * invalidations heard before the request read the client ({@link PolicyCache#heard}), and used only
 * while that number has not moved, so never staler than Keycloak's own realm cache on this node.
 * Any invalidation, of any object of any realm, on this node or arriving from another, makes every
 * client read afresh. Kept only for a client of Keycloak's own database that came from its realm
 * cache, while invalidations are heard (a client of an external client store leaves that cache by
 * expiring, which is not an invalidation); otherwise read for every request, as before. Bounded by
 * {@link CacheBudget#CLIENT_FACTS_BYTES}.
 */
final class ClientFacts {

  /** The package of Keycloak's realm-cache models: only a client read from that cache is kept. */
  private static final String REALM_CACHE_MODELS = "org.keycloak.models.cache.";

  private static final Cache<String, ClientFacts> CACHE =
      CacheBudget.weighedCache(
          CacheBudget.CLIENT_FACTS_BYTES,
          e -> Footprint.string(e.key()) + e.value().estimatedBytes());

  private final String clientId;
  private final long heard;
  private final boolean organizations;
  private final Map<String, String> defaultIds;
  private final boolean ceilingLost;
  private final @Nullable Decisions decisions;
  private final @Nullable KnownScopes known;

  private ClientFacts(
      String clientId,
      long heard,
      boolean organizations,
      Map<String, String> defaultIds,
      boolean ceilingLost,
      @Nullable EffectivePolicy policy,
      @Nullable KnownScopes known) {
    this.clientId = clientId;
    this.heard = heard;
    this.organizations = organizations;
    this.defaultIds = defaultIds;
    this.ceilingLost = ceilingLost;
    this.decisions = policy == null ? null : new Decisions(policy);
    this.known = known;
  }

  /**
   * The facts of {@code client} as Keycloak's model has them for this request.
   *
   * @param heard {@link PolicyCache#heard} when the request's grant was created, before the client
   *     was authenticated: Keycloak's model of the client is the one read then, kept for the whole
   *     session, so a change committed after that moves the number past the one its facts are kept
   *     with
   */
  static ClientFacts of(KeycloakSession session, ClientModel client, long heard) {
    // the realm's model was read earlier still: the facts that depend on it are kept with the
    // value they were read with, and used only by requests whose realm model says the same
    boolean organizations = KeycloakRuntime.organizationsOn(client.getRealm());
    boolean keep =
        heard >= 0
            && client.getClass().getName().startsWith(REALM_CACHE_MODELS)
            && StorageId.isLocalStorage(client.getId());
    if (keep) {
      ClientFacts kept = CACHE.getIfPresent(client.getId());
      if (kept != null && kept.heard == heard && kept.organizations == organizations) {
        return kept;
      }
    }
    ClientFacts read = read(client, heard, organizations);
    if (keep && PolicyCache.heard(session) == heard) {
      CACHE.put(client.getId(), read);
    }
    return read;
  }

  private static ClientFacts read(ClientModel client, long heard, boolean organizations) {
    Map<String, ClientScopeModel> defaults = client.getClientScopes(true);
    boolean ceilingLost = PolicyStore.ceilingLost(client, defaults);
    Once<Map<String, ClientScopeModel>> optional = new Once<>(() -> client.getClientScopes(false));
    EffectivePolicy policy = PolicyStore.effectiveFor(client, defaults, optional);
    KnownScopes known =
        policy == null ? null : KnownScopes.of(client.getRealm(), defaults, optional.get());
    return new ClientFacts(
        client.getId(), heard, organizations, defaultIds(defaults), ceilingLost, policy, known);
  }

  /** Client scopes by name, as their ids. */
  static Map<String, String> defaultIds(Map<String, ClientScopeModel> scopes) {
    Map<String, String> ids = new HashMap<>(scopes.size() * 2);
    scopes.forEach((name, scope) -> ids.put(name, scope.getId()));
    return Map.copyOf(ids);
  }

  /** The client's default client scopes: name → id. */
  Map<String, String> defaultIds() {
    return defaultIds;
  }

  /** The names of the client's default client scopes. */
  Set<String> defaultScopes() {
    return defaultIds.keySet();
  }

  /**
   * Whether the client was registered under a token policy ceiling that is no longer bound to it
   * ({@link PolicyStore#ceilingLost}).
   */
  boolean ceilingLost() {
    return ceilingLost;
  }

  /** The client's policies merged, as it may use them now; null for a client no policy governs. */
  @Nullable EffectivePolicy policy() {
    return decisions == null ? null : decisions.policy();
  }

  /**
   * The decisions of the client's policies ({@link Decisions}): kept with these facts, so let go
   * with them when anything in Keycloak's realm cache changes.
   *
   * @throws IllegalStateException for a client no policy governs
   */
  Decisions decisions() {
    if (decisions == null) {
      throw new IllegalStateException("decisions are made for bound clients only");
    }
    return decisions;
  }

  /**
   * {@link io.github.policyscopes.policy.IssuanceDecision#decide} by the client's policies, kept
   * with these facts; when kept facts keep one more answer, the cache weighs them again.
   */
  GrantResult decide(List<String> requested, List<String> keycloakScopes, Ceiling ceiling) {
    Decisions.Decided decided = decisions().decide(requested, keycloakScopes, ceiling);
    if (decided.keptNow()) {
      // weighed again, only while these are the kept facts: Caffeine weighs inside the entry's
      // lock here, so the last of concurrent re-weighs counts every answer kept before it
      CACHE.asMap().computeIfPresent(clientId, (id, kept) -> kept);
    }
    return decided.result();
  }

  /**
   * What Keycloak accepts in the {@code scope} parameter of the client's requests; read for bound
   * clients only.
   *
   * @throws IllegalStateException for a client no policy governs
   */
  Predicate<String> knownScopes() {
    if (known == null) {
      throw new IllegalStateException("known scopes are read for bound clients only");
    }
    return known;
  }

  // ---- the contexts of the client's token requests (docs/adr/0045) ----

  /** The most contexts kept per client. */
  static final int MAX_CONTEXTS = 4;

  private volatile ContextScopes[] contexts = new ContextScopes[0];

  /**
   * What an earlier context of this client read of its client scopes, when {@code ctx} was built
   * alike, so that reading it again would give the same; null otherwise. Alike means Keycloak's own
   * context class, no invalidation of Keycloak's realm cache heard since these facts were read
   * ({@link PolicyCache#heard}), so that every client scope and client has the content it had for
   * the earlier context, and {@link ContextScopes#readFrom}: the same client scopes by id and name,
   * and the very same mapper objects, which vouch for their scopes' content even where an
   * invalidation is heard late.
   */
  @Nullable ContextScopes scopesOf(KeycloakSession session, ClientSessionContext ctx) {
    ContextScopes[] known = contexts;
    if (known.length == 0
        || ctx.getClass() != DefaultClientSessionContext.class
        || PolicyCache.heard(session) != heard) {
      return null;
    }
    for (ContextScopes kept : known) {
      if (kept.readFrom(ctx)) {
        return kept;
      }
    }
    return null;
  }

  /**
   * Keeps what {@code ctx} read for the next context built alike ({@link #scopesOf}): only for kept
   * facts, only while no invalidation was heard since they were read, and for the first {@value
   * #MAX_CONTEXTS} contexts of these facts (the next invalidation, anywhere in the realm cache,
   * makes new facts).
   */
  void keepScopes(KeycloakSession session, ClientSessionContext ctx, ContextScopes read) {
    if (heard < 0
        || contexts.length >= MAX_CONTEXTS
        || !read.keepable()
        || ctx.getClass() != DefaultClientSessionContext.class
        || CACHE.getIfPresent(clientId) != this) {
      return;
    }
    synchronized (this) {
      ContextScopes[] now = contexts;
      if (now.length >= MAX_CONTEXTS || PolicyCache.heard(session) != heard) {
        return;
      }
      for (ContextScopes kept : now) {
        if (kept.readFrom(ctx)) {
          return; // kept meanwhile by a request like this one
        }
      }
      ContextScopes[] next = Arrays.copyOf(now, now.length + 1);
      next[now.length] = read;
      contexts = next;
    }
    // weighed again, only while these are the kept facts (as for a decision kept)
    CACHE.asMap().computeIfPresent(clientId, (id, kept) -> kept);
  }

  private long estimatedBytes() {
    long bytes = Footprint.object(7) + Footprint.hashed(defaultIds.size());
    for (Map.Entry<String, String> e : defaultIds.entrySet()) {
      bytes += Footprint.string(e.getKey()) + Footprint.string(e.getValue());
    }
    if (decisions != null) {
      bytes += decisions.policy().estimatedBytes() + decisions.estimatedBytes();
    }
    if (known != null) {
      bytes += known.estimatedBytes();
    }
    for (ContextScopes kept : contexts) {
      bytes += kept.estimatedBytes();
    }
    return bytes + Footprint.refArray(MAX_CONTEXTS);
  }
}
