package io.github.policyscopes.keycloak.token;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.keycloak.store.PolicyCache;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.Decisions;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Footprint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
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

  /**
   * A context read ({@link ContextScopes}) and the client scopes it was read from, by id: the name
   * the context gave each ({@link #ITSELF} for the client itself; a decorated {@code
   * organization:acme} has the id of {@code organization}) and its place, so that a context holding
   * one of them twice is told apart.
   */
  private record Shape(Map<String, Slot> scopes, ContextScopes read) {}

  /**
   * A client scope of a {@link Shape}: its name in the context, its place (below 64), and for a
   * scope none of whose mappers the context runs (so that no mapper object tells its version) what
   * the policy reads of it besides its name ({@link #flags}); {@link #VERSIONED} for the others.
   */
  private record Slot(String name, int place, int flags) {}

  /** The flags of a scope whose version its mapper objects in the context tell. */
  private static final int VERSIONED = -1;

  /** The name a shape gives the client itself, which is no client scope's. */
  private static final String ITSELF = "\u0000client";

  /** The most client scopes of a context that is kept: one bit each in {@link #sameScopes}. */
  private static final int MAX_CONTEXT_SCOPES = Long.SIZE;

  private volatile Shape[] shapes = new Shape[0];

  /**
   * What an earlier context of this client read of its client scopes, when {@code ctx} was built
   * alike, so that reading it again would give the same; null otherwise. Alike means:
   *
   * <ol>
   *   <li>Keycloak's own context class;
   *   <li>no invalidation of Keycloak's realm cache heard since these facts were read ({@link
   *       PolicyCache#heard}), so every client scope the context holds has the content it had for
   *       the earlier one;
   *   <li>the same client scopes in the context (those Keycloak left in for the user's roles), by
   *       id and by the name the context gives them, each once; a scope none of whose mappers the
   *       context runs also with the same {@code scope} entry and parameterized flag, which no
   *       mapper object's identity vouches for;
   *   <li>the very mapper models of Keycloak's realm cache the earlier context ran, none more: a
   *       mapper added, changed or removed, on this node or another, is a new model object even
   *       where its invalidation is heard late.
   * </ol>
   */
  @Nullable ContextScopes scopesOf(KeycloakSession session, ClientSessionContext ctx) {
    Shape[] known = shapes;
    if (known.length == 0
        || ctx.getClass() != DefaultClientSessionContext.class
        || PolicyCache.heard(session) != heard) {
      return null;
    }
    for (Shape shape : known) {
      if (sameScopes(shape.scopes(), ctx) && sameMappers(shape.read(), ctx)) {
        return shape.read();
      }
    }
    return null;
  }

  /**
   * Whether the context holds exactly these client scopes, by id and name, each once, and those
   * without a mapper in the context with the same flags.
   */
  private static boolean sameScopes(Map<String, Slot> scopes, ClientSessionContext ctx) {
    long seen = 0;
    int n = 0;
    Once<@Nullable Predicate<ClientScopeModel>> parameterized = parameterizedIn(ctx);
    for (Iterator<ClientScopeModel> it = ctx.getClientScopesStream().iterator(); it.hasNext(); ) {
      ClientScopeModel scope = it.next();
      Slot slot = scopes.get(scope.getId());
      if (slot == null
          || !slot.name().equals(nameOf(scope))
          || (slot.flags() != VERSIONED && slot.flags() != flags(scope, parameterized.get()))) {
        return false;
      }
      long bit = 1L << slot.place();
      if ((seen & bit) != 0) {
        return false;
      }
      seen |= bit;
      n++;
    }
    return n == scopes.size();
  }

  /** Whether the context runs exactly the mapper models {@code read} was read with. */
  private static boolean sameMappers(ContextScopes read, ClientSessionContext ctx) {
    int n = 0;
    for (Iterator<ProtocolMapperModel> it = ctx.getProtocolMappersStream().iterator();
        it.hasNext(); ) {
      if (n >= read.mapperCount() || !read.runs(it.next(), n)) {
        return false;
      }
      n++;
    }
    // as many, each one of them, and the models of one context are distinct objects: the same set
    return n == read.mapperCount();
  }

  private static @Nullable String nameOf(ClientScopeModel scope) {
    return scope instanceof ClientModel ? ITSELF : scope.getName();
  }

  /**
   * What the policy reads of a client scope besides its name and mappers ({@link SessionScopes}):
   * whether Keycloak lists it in {@code scope}, whether it parameterizes it.
   */
  private static int flags(
      ClientScopeModel scope, @Nullable Predicate<ClientScopeModel> parameterized) {
    return (scope.isIncludeInTokenScope() ? 1 : 0)
        | (parameterized != null && parameterized.test(scope) ? 2 : 0);
  }

  private static Once<@Nullable Predicate<ClientScopeModel>> parameterizedIn(
      ClientSessionContext ctx) {
    return new Once<>(() -> ParameterizedClientScopes.reading(ctx.getClientSession().getRealm()));
  }

  /** Whether the context runs one of the scope's mappers, which then tell its version. */
  private static boolean versioned(ClientScopeModel scope, ContextScopes read) {
    try (Stream<ProtocolMapperModel> mappers = scope.getProtocolMappersStream()) {
      return mappers.anyMatch(m -> read.runs(m, 0));
    }
  }

  /**
   * Keeps what {@code ctx} read for the next context built alike ({@link #scopesOf}): only for kept
   * facts, only while no invalidation was heard since they were read, and for the first {@value
   * #MAX_CONTEXTS} contexts of these facts (the next invalidation, anywhere in the realm cache,
   * makes new facts); none with more than {@value #MAX_CONTEXT_SCOPES} client scopes, or with one
   * of them twice or nameless.
   */
  void keepScopes(KeycloakSession session, ClientSessionContext ctx, ContextScopes read) {
    if (heard < 0
        || shapes.length >= MAX_CONTEXTS
        || ctx.getClass() != DefaultClientSessionContext.class
        || CACHE.getIfPresent(clientId) != this) {
      return;
    }
    Map<String, Slot> scopes = new HashMap<>();
    Once<@Nullable Predicate<ClientScopeModel>> parameterized = parameterizedIn(ctx);
    for (Iterator<ClientScopeModel> it = ctx.getClientScopesStream().iterator(); it.hasNext(); ) {
      ClientScopeModel scope = it.next();
      String name = nameOf(scope);
      if (name == null || scopes.size() >= MAX_CONTEXT_SCOPES) {
        return;
      }
      int flags =
          scope instanceof ClientModel || versioned(scope, read)
              ? VERSIONED
              : flags(scope, parameterized.get());
      if (scopes.put(scope.getId(), new Slot(name, scopes.size(), flags)) != null) {
        return; // one scope twice: nothing kept
      }
    }
    Shape shape = new Shape(Map.copyOf(scopes), read);
    synchronized (this) {
      Shape[] now = shapes;
      if (now.length >= MAX_CONTEXTS || PolicyCache.heard(session) != heard) {
        return;
      }
      for (Shape kept : now) {
        if (sameScopes(kept.scopes(), ctx) && sameMappers(kept.read(), ctx)) {
          return; // kept meanwhile by a request like this one
        }
      }
      Shape[] next = Arrays.copyOf(now, now.length + 1);
      next[now.length] = shape;
      shapes = next;
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
    for (Shape shape : shapes) {
      bytes += Footprint.object(2) + Footprint.hashed(shape.scopes().size());
      for (Map.Entry<String, Slot> e : shape.scopes().entrySet()) {
        bytes +=
            Footprint.string(e.getKey())
                + Footprint.object(2)
                + Footprint.string(e.getValue().name());
      }
      bytes += shape.read().estimatedBytes();
    }
    return bytes + Footprint.refArray(MAX_CONTEXTS);
  }
}
