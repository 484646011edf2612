package io.github.policyscopes.keycloak.token;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.token.ClaimFilter.Kind;
import io.github.policyscopes.policy.ClaimPlan;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;

/**
 * The claim plans of this node ({@link ClaimPlan}, docs/adr/0034 and 0038): per set of mapper
 * models, one plan per kind of token, made once and kept, so that a token pays for applying its
 * plan, not for making it, and a request looks its context's plans up once for all its tokens.
 *
 * <p>The key is the mapper models themselves, compared by identity: Keycloak's realm cache hands
 * out the same {@link ProtocolMapperModel} objects for a client scope or client until it changes,
 * and then builds new ones (on every node, through its own invalidation), so a changed, added or
 * removed mapper is a new key and no plan is ever used for mappers other than those it was made
 * from. Where Keycloak hands out new models on every read (an object changed in this transaction,
 * no realm cache), a lookup misses and the plan is made as before. Bounded by {@link
 * CacheBudget#CLAIM_PLANS_BYTES}; a plan holds on to its mapper models until it ages out.
 */
final class ClaimPlans {

  /**
   * Claims something other than the context's mappers writes too: the policy mapper adds the client
   * itself as an audience. A dropped mapper's value there is taken out value by value.
   */
  private static final Set<String> SHARED = Set.of("aud");

  /** A plan and the mappers it runs on scratch tokens (model and provider, by model id). */
  record Planned(
      ClaimPlan plan, Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running) {}

  private static final Cache<Key, Plans> CACHE =
      CacheBudget.weighedCache(CacheBudget.CLAIM_PLANS_BYTES, e -> weight(e.key(), e.value()));

  private ClaimPlans() {}

  /**
   * The key of the plans for a context that runs {@code context} and whose dropped client scopes
   * carry {@code dropped} (mappers of the client's protocol). Takes both arrays: the caller made
   * them for this key and does not change them.
   */
  static Key key(ProtocolMapperModel[] dropped, ProtocolMapperModel[] context) {
    return new Key(new Models(dropped), new Models(context));
  }

  /**
   * The plans of a key: one look-up per context, whichever tokens of it are filtered; each kind's
   * plan is made the first time it is asked for ({@link Plans#of}).
   */
  static Plans of(Key key) {
    Plans plans = CACHE.getIfPresent(key);
    return plans != null
        ? plans
        : new Plans(key, List.of(key.dropped.models), List.of(key.context.models));
  }

  /**
   * The estimated bytes of a key of {@code dropped} and {@code context} mapper models, not counting
   * the models.
   */
  static long keyBytes(int dropped, int context) {
    return Footprint.object(3)
        + 2 * Footprint.object(2)
        + Footprint.refArray(dropped)
        + Footprint.refArray(context);
  }

  /**
   * The plans of one set of mapper models, by token kind. A kind's plan is made outside the cache's
   * lock the first time a token of that kind is filtered (two requests may make the same plan,
   * neither waits), and the entry is put again so that its weight counts it.
   */
  static final class Plans {

    private final Key key;
    private final List<ProtocolMapperModel> dropped;
    private final List<ProtocolMapperModel> context;
    private final ConcurrentMap<Kind, Planned> byKind = new ConcurrentHashMap<>(8);

    private Plans(Key key, List<ProtocolMapperModel> dropped, List<ProtocolMapperModel> context) {
      this.key = key;
      this.dropped = List.copyOf(dropped);
      this.context = List.copyOf(context);
    }

    /** The plan for filtering this kind of token. */
    Planned of(Kind kind, KeycloakSession session) {
      Planned planned = byKind.get(kind);
      if (planned == null) {
        Planned made = plan(kind, dropped, context, session);
        Planned raced = byKind.putIfAbsent(kind, made);
        planned = raced == null ? made : raced;
        CACHE.put(key, this);
      }
      return planned;
    }

    /** The estimated bytes of the plans made so far. */
    private long estimatedBytes() {
      long bytes = Footprint.object(4) + Footprint.hashed(Kind.values().length);
      for (Planned planned : byKind.values()) {
        bytes +=
            Footprint.object(2)
                + planned.plan().estimatedBytes()
                + Footprint.hashed(planned.running().size());
      }
      return bytes;
    }
  }

  private static Planned plan(
      Kind kind,
      List<ProtocolMapperModel> droppedModels,
      List<ProtocolMapperModel> context,
      KeycloakSession session) {
    Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running = new HashMap<>();
    List<ClaimPlan.Mapper> dropped = new ArrayList<>();
    droppedModels.forEach(m -> describe(kind, m, session, running, dropped));
    if (dropped.isEmpty()) {
      return new Planned(ClaimPlan.NONE, Map.of());
    }
    Set<String> droppedIds = new HashSet<>();
    droppedModels.forEach(m -> droppedIds.add(m.getId()));
    List<ClaimPlan.Mapper> kept = new ArrayList<>();
    for (ProtocolMapperModel m : context) {
      if (!droppedIds.contains(m.getId())) {
        describe(kind, m, session, running, kept);
      }
    }
    ClaimPlan plan = ClaimPlan.of(dropped, kept, SHARED, ClaimFilter.BASE_CLAIMS);
    // only the mappers the plan may run on a scratch token are kept with it
    Set<String> mayRun = new HashSet<>(plan.droppedToRun());
    if (!mayRun.isEmpty()) {
      kept.forEach(m -> mayRun.add(m.id()));
    }
    running.keySet().retainAll(mayRun);
    return new Planned(plan, Map.copyOf(running));
  }

  /**
   * Adds a mapper that writes into this kind of token, as the plan sees it, and remembers how to
   * run it; skips the policy mappers, disabled ones and those that do not run for this kind.
   */
  private static void describe(
      Kind kind,
      ProtocolMapperModel model,
      KeycloakSession session,
      Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running,
      List<ClaimPlan.Mapper> into) {
    if (PolicyStore.isPolicyMapper(model) || !ProtocolMapperUtils.isEnabled(session, model)) {
      return;
    }
    if (!(provider(session, model.getProtocolMapper()) instanceof ProtocolMapper mapper)
        || !kind.mapperType.isInstance(mapper)) {
      return;
    }
    ClaimPlan.Mapper described = MapperClaims.describe(kind, model, mapper);
    if (described != null) {
      running.put(model.getId(), Map.entry(model, mapper));
      into.add(described);
    }
  }

  /** A protocol mapper type's provider, as Keycloak has it; null for a type it has none of. */
  static @Nullable Object provider(KeycloakSession session, String type) {
    return session.getKeycloakSessionFactory().getProviderFactory(ProtocolMapper.class, type);
  }

  /**
   * The estimated bytes an entry retains: its plans, and the mapper models its key holds (the
   * plans' own lists hold the same models).
   */
  private static long weight(Key key, Plans plans) {
    long bytes =
        keyBytes(key.dropped.models.length, key.context.models.length)
            + 2 * Footprint.list(key.dropped.models.length + key.context.models.length)
            + plans.estimatedBytes();
    for (ProtocolMapperModel m : key.dropped.models) {
      bytes += ContextScopes.modelBytes(m);
    }
    for (ProtocolMapperModel m : key.context.models) {
      bytes += ContextScopes.modelBytes(m);
    }
    return bytes;
  }

  /**
   * Which mappers plans were made from: the models, by identity. Equality written out (not a
   * record's): it is asked on every token of a bound client.
   */
  static final class Key {

    private final Models dropped;
    private final Models context;
    private final int hash;

    Key(Models dropped, Models context) {
      this.dropped = dropped;
      this.context = context;
      this.hash = 31 * dropped.hash + context.hash;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Key other
          && other.hash == hash
          && other.dropped.equals(dropped)
          && other.context.equals(context);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** Mapper models compared by identity: the objects of Keycloak's realm cache. */
  private static final class Models {

    private final ProtocolMapperModel[] models;
    private final int hash;

    /** Takes the array, which no one changes afterwards. */
    Models(ProtocolMapperModel[] models) {
      this.models = models;
      int h = 1;
      for (ProtocolMapperModel m : this.models) {
        h = 31 * h + System.identityHashCode(m);
      }
      this.hash = h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Models other) || other.models.length != models.length) {
        return false;
      }
      for (int i = 0; i < models.length; i++) {
        @SuppressWarnings("ReferenceEquality") // the very objects of Keycloak's cache, on purpose
        boolean same = models[i] == other.models[i];
        if (!same) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
