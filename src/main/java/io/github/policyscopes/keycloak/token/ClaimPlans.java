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
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;

/**
 * The claim plans of this node ({@link ClaimPlan}, docs/adr/0034 and 0038): one per kind of token
 * and set of mapper models, made once and kept, so that a token pays for applying its plan, not for
 * making it.
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

  /** Which mappers a plan was made from: the token kind and the models, by identity. */
  private record Key(Kind kind, Models dropped, Models context) {}

  private static final Cache<Key, Planned> CACHE =
      CacheBudget.weighedCache(CacheBudget.CLAIM_PLANS_BYTES, e -> weight(e.key(), e.value()));

  private ClaimPlans() {}

  /**
   * The plan for filtering this kind of token, whose context runs {@code context} and whose dropped
   * client scopes carry {@code dropped} (mappers of the client's protocol).
   */
  static Planned of(
      Kind kind,
      List<ProtocolMapperModel> dropped,
      List<ProtocolMapperModel> context,
      KeycloakSession session) {
    Key key = new Key(kind, new Models(dropped), new Models(context));
    Planned planned = CACHE.getIfPresent(key);
    if (planned == null) {
      // made outside the cache's lock: two requests may make the same plan, neither waits
      planned = plan(kind, dropped, context, session);
      CACHE.put(key, planned);
    }
    return planned;
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
    ProtocolMapper mapper =
        (ProtocolMapper)
            session
                .getKeycloakSessionFactory()
                .getProviderFactory(ProtocolMapper.class, model.getProtocolMapper());
    if (!kind.mapperType.isInstance(mapper)) {
      return;
    }
    ClaimPlan.Mapper described = MapperClaims.describe(kind, model, mapper);
    if (described != null) {
      running.put(model.getId(), Map.entry(model, mapper));
      into.add(described);
    }
  }

  /** The estimated bytes an entry retains: its plan, and the mapper models its key holds. */
  private static long weight(Key key, Planned planned) {
    return Footprint.object(3)
        + key.dropped().estimatedBytes()
        + key.context().estimatedBytes()
        + planned.plan().estimatedBytes()
        + Footprint.hashed(planned.running().size());
  }

  /** Mapper models compared by identity: the objects of Keycloak's realm cache. */
  private static final class Models {

    private final ProtocolMapperModel[] models;
    private final int hash;

    Models(List<ProtocolMapperModel> models) {
      this.models = models.toArray(ProtocolMapperModel[]::new);
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

    /** The array, and the models it keeps alive: their ids, names, types and configs. */
    long estimatedBytes() {
      long bytes = Footprint.object(2) + Footprint.refArray(models.length);
      for (ProtocolMapperModel m : models) {
        bytes +=
            Footprint.object(6)
                + Footprint.string(m.getId())
                + Footprint.string(m.getName())
                + Footprint.string(m.getProtocol())
                + Footprint.string(m.getProtocolMapper());
        Map<String, String> config = m.getConfig();
        if (config != null) {
          bytes += Footprint.hashed(config.size());
          for (Map.Entry<String, String> e : config.entrySet()) {
            bytes += Footprint.string(e.getKey()) + Footprint.string(e.getValue());
          }
        }
      }
      return bytes;
    }
  }
}
