package io.github.policyscopes.keycloak.token;

import com.github.benmanes.caffeine.cache.Cache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.token.ClaimFilter.Kind;
import io.github.policyscopes.policy.ClaimPlan;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;

/**
 * The claim filter's answers of this node ({@link ClaimPlan}, docs/adr/0034, 0038 and 0043): per
 * client session context, as the set of mapper models Keycloak runs in it, which client scopes and
 * mappers a question drops (a granted set, with what Keycloak says about the client scopes besides
 * their mappers) and, per set of dropped mappers and kind of token, the plan for taking out what
 * they wrote. Made once and kept, so that a token pays for looking its answer up and applying its
 * plan, not for working them out.
 *
 * <p>The models are compared by identity: Keycloak's realm cache hands out the same {@link
 * ProtocolMapperModel} objects for a client scope or client until it changes, and then builds new
 * ones (on every node, through its own invalidation), so a changed, added or removed mapper, and
 * any change of a client scope that carries one (its name, its {@code include.in.token.scope}, its
 * attributes), is another context. What a mapper-less client scope changes (whether a granted
 * {@code name:value} reads as a parameter) and what the client says (its default client scopes, its
 * protocol) are in the question by value. A context is kept only for a client of Keycloak's realm
 * cache, and an answer or a plan within it only when every dropped mapper is one of the context's
 * models: where Keycloak hands out new models on every read (an object changed in this transaction,
 * no realm cache), nothing is kept and the answer is worked out as before.
 *
 * <p>Bounded by {@link CacheBudget#CLAIM_PLANS_BYTES}, each context weighed with its models (once,
 * whatever its answers), at most {@link #MAX_ANSWERS} answers and {@link #MAX_PLANS} sets of
 * dropped mappers per context (a context that has them all lets them go before it keeps the next);
 * a context holds on to its mapper models until Caffeine evicts it by weight.
 */
final class ClaimPlans {

  /**
   * Claims something other than the context's mappers writes too: the policy mapper adds the client
   * itself as an audience. A dropped mapper's value there is taken out value by value.
   */
  private static final Set<String> SHARED = Set.of("aud");

  /** The most scopes, and characters in all, of a granted set whose answer is kept. */
  static final int MAX_GRANTED = 32;

  static final int MAX_GRANTED_CHARS = 512;

  /** The most answers, and sets of dropped mappers with their plans, kept per context. */
  static final int MAX_ANSWERS = 16;

  static final int MAX_PLANS = 16;

  /** A plan and the mappers it runs on scratch tokens (model and provider, by model id). */
  record Planned(
      ClaimPlan plan, Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running) {}

  private static final Planned NOTHING = new Planned(ClaimPlan.NONE, Map.of());

  private static final Cache<Models, Context> CACHE =
      CacheBudget.weighedCache(CacheBudget.CLAIM_PLANS_BYTES, e -> e.value().estimatedBytes());

  private ClaimPlans() {}

  /**
   * The kept answers of the context that runs {@code models} ({@code
   * ClientSessionContext#getProtocolMappersStream}), or a context of this request alone.
   *
   * @param keep whether the context may be kept (its client came from Keycloak's realm cache),
   *     asked only when none is
   */
  static Context context(ProtocolMapperModel[] models, BooleanSupplier keep) {
    Models key = new Models(models);
    Context known = CACHE.getIfPresent(key);
    if (known != null) {
      return known;
    }
    Context made = new Context(key, keep.getAsBoolean());
    if (!made.kept) {
      return made;
    }
    Context raced = CACHE.asMap().putIfAbsent(key, made);
    return raced == null ? made : raced;
  }

  /**
   * What the claim filter asks of a context besides its models.
   *
   * @param granted the granted set
   * @param defaults the client's default client scopes, name to id
   * @param protocol the client's protocol
   * @param parameterized the names of the context's client scopes Keycloak reads as {@code
   *     name:parameter}
   */
  static Question question(
      List<String> granted,
      Map<String, String> defaults,
      String protocol,
      Set<String> parameterized) {
    return new Question(granted, defaults, protocol, parameterized);
  }

  /**
   * The kept answers and plans of one context: of every client session context whose mapper models
   * are these very objects, whichever client or user it is for (everything else the answer depends
   * on is in its question).
   */
  static final class Context {

    private final Models models;
    private final boolean kept;
    private final long modelBytes;
    private final Set<ProtocolMapperModel> identities;
    private final ConcurrentMap<Question, Answer> answers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Models, Plans> plans = new ConcurrentHashMap<>();

    private Context(Models models, boolean kept) {
      this.models = models;
      this.kept = kept;
      this.identities = Collections.newSetFromMap(new IdentityHashMap<>());
      if (kept) {
        Collections.addAll(identities, models.models);
      }
      this.modelBytes = kept ? models.estimatedBytes() : 0;
    }

    /** The kept answer to {@code question}, or null. */
    @Nullable Answer known(Question question) {
      return answers.get(question);
    }

    /**
     * The answer to {@code question}, just worked out: its dropped client scopes ({@code scopes},
     * by name) carry {@code dropped} (the enabled mappers of the client's protocol). Kept, with its
     * plans, when the context is and every dropped mapper is one of its models (by identity), and
     * the granted set is no larger than {@link #MAX_GRANTED} scopes and {@link #MAX_GRANTED_CHARS}
     * characters. A context that holds {@link #MAX_ANSWERS} answers or {@link #MAX_PLANS} sets of
     * plans lets them all go before it keeps the next one.
     */
    Answer answer(Question question, List<String> scopes, List<ProtocolMapperModel> dropped) {
      boolean ours = kept && identities.containsAll(dropped);
      Plans made = plans(dropped, ours);
      Answer answer = new Answer(question, List.copyOf(scopes), made);
      if (ours && question.keepable()) {
        if (answers.size() >= MAX_ANSWERS) {
          answers.clear();
        }
        Answer raced = answers.putIfAbsent(question, answer);
        if (raced != null) {
          return raced;
        }
        weighAgain();
      }
      return answer;
    }

    /** The plans for these dropped mappers: kept ones, or made now (and kept if they are ours). */
    private Plans plans(List<ProtocolMapperModel> dropped, boolean ours) {
      Models key = new Models(dropped.toArray(ProtocolMapperModel[]::new));
      Plans known = plans.get(key);
      if (known != null) {
        return known;
      }
      Plans made = new Plans(this, key, ours);
      if (ours) {
        if (plans.size() >= MAX_PLANS) {
          plans.clear();
          answers.clear(); // every kept answer's plans stay kept, and weighed, with it
        }
        Plans raced = plans.putIfAbsent(key, made);
        if (raced != null) {
          return raced;
        }
        weighAgain();
      }
      return made;
    }

    /**
     * Weighs the context again, while it is the kept one: Caffeine weighs inside the entry's lock
     * here, so the last of concurrent re-weighs counts everything kept before it.
     */
    private void weighAgain() {
      CACHE.asMap().computeIfPresent(models, (m, kept) -> kept);
    }

    /**
     * The estimated bytes of the context: its models once, its answers with their plans, and its
     * plans (those of a kept answer counted twice rather than missed in a race with a clear).
     */
    private long estimatedBytes() {
      long bytes =
          Footprint.object(6)
              + modelBytes
              + Footprint.hashed(answers.size())
              + Footprint.hashed(plans.size())
              + Footprint.hashed(identities.size());
      for (Answer answer : answers.values()) {
        bytes += answer.estimatedBytes() + answer.plans.estimatedBytes();
      }
      for (Plans plan : plans.values()) {
        bytes += plan.estimatedBytes();
      }
      return bytes;
    }
  }

  /**
   * One answer: the granted set it is for, the names of the dropped client scopes that carry
   * mappers of the client's protocol, and the plans for their mappers.
   */
  static final class Answer {

    private final Question question;
    private final List<String> scopes;
    private final Plans plans;

    private Answer(Question question, List<String> scopes, Plans plans) {
      this.question = question;
      this.scopes = scopes;
      this.plans = plans;
    }

    /** Whether this answer and {@code other} hold the same plans (for tests). */
    boolean sharesPlansWith(Answer other) {
      return plans == other.plans;
    }

    /** The names of the dropped client scopes that carry mappers of the client's protocol. */
    List<String> scopes() {
      return scopes;
    }

    /** The plan for filtering this kind of token. */
    Planned plan(Kind kind, KeycloakSession session) {
      return plans.of(kind, session);
    }

    /** The question and the scopes' names. */
    private long estimatedBytes() {
      long bytes = Footprint.object(3) + question.estimatedBytes() + Footprint.list(scopes.size());
      for (String scope : scopes) {
        bytes += Footprint.string(scope);
      }
      return bytes;
    }
  }

  /**
   * The plans for one set of dropped mappers of a context, by token kind. A kind's plan is made
   * outside the cache's lock the first time a token of that kind is filtered (two requests may make
   * the same plan, neither waits), and the context is weighed again.
   */
  private static final class Plans {

    private final Context context;
    private final Models dropped;
    private final boolean keepable;
    private final ConcurrentMap<Kind, Planned> byKind = new ConcurrentHashMap<>(8);

    /**
     * @param keepable whether these may be kept: their context is, and the dropped mappers are its
     *     models
     */
    private Plans(Context context, Models dropped, boolean keepable) {
      this.context = context;
      this.dropped = dropped;
      this.keepable = keepable;
    }

    Planned of(Kind kind, KeycloakSession session) {
      if (dropped.models.length == 0) {
        return NOTHING;
      }
      Planned planned = byKind.get(kind);
      if (planned == null) {
        Planned made = plan(kind, dropped.list(), context.models.list(), session);
        Planned raced = byKind.putIfAbsent(kind, made);
        planned = raced == null ? made : raced;
        if (keepable) { // weighed only with what its context keeps
          context.weighAgain();
        }
      }
      return planned;
    }

    /** The array of dropped models (they are the context's) and the plans made so far. */
    private long estimatedBytes() {
      long bytes =
          Footprint.object(3)
              + Footprint.object(2)
              + Footprint.refArray(dropped.models.length)
              + Footprint.hashed(Kind.values().length);
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

  /**
   * What the claim filter asks of a context besides its models, by value. Equality written out (not
   * a record's): it is asked on every token of a bound client.
   */
  static final class Question {

    private final List<String> granted;
    private final Map<String, String> defaults;
    private final String protocol;
    private final Set<String> parameterized;
    private final int hash;

    private Question(
        List<String> granted,
        Map<String, String> defaults,
        String protocol,
        Set<String> parameterized) {
      this.granted = sorted(granted);
      this.defaults = Map.copyOf(defaults);
      this.protocol = protocol;
      this.parameterized = Set.copyOf(parameterized);
      this.hash =
          31
                  * (31 * (31 * this.granted.hashCode() + this.defaults.hashCode())
                      + protocol.hashCode())
              + this.parameterized.hashCode();
    }

    /**
     * The granted set in the order of its names: the one rule reads it as a set, so that requests
     * naming the same scopes in another order ask the same question.
     */
    private static List<String> sorted(List<String> granted) {
      for (int i = 1; i < granted.size(); i++) {
        if (granted.get(i - 1).compareTo(granted.get(i)) > 0) {
          String[] names = granted.toArray(String[]::new);
          Arrays.sort(names);
          return List.of(names);
        }
      }
      return List.copyOf(granted);
    }

    /** Whether the granted set is small enough for its answer to be kept. */
    private boolean keepable() {
      if (granted.size() > MAX_GRANTED) {
        return false;
      }
      int chars = 0;
      for (String scope : granted) {
        chars += scope.length();
      }
      return chars <= MAX_GRANTED_CHARS;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o == this
          || (o instanceof Question other
              && other.hash == hash
              && other.granted.equals(granted)
              && other.protocol.equals(protocol)
              && other.defaults.equals(defaults)
              && other.parameterized.equals(parameterized));
    }

    @Override
    public int hashCode() {
      return hash;
    }

    private long estimatedBytes() {
      long bytes =
          Footprint.object(5)
              + Footprint.list(granted.size())
              + Footprint.string(protocol)
              + Footprint.hashed(defaults.size())
              + Footprint.hashed(parameterized.size());
      for (String scope : granted) {
        bytes += Footprint.string(scope);
      }
      for (Map.Entry<String, String> e : defaults.entrySet()) {
        bytes += Footprint.string(e.getKey()) + Footprint.string(e.getValue());
      }
      for (String name : parameterized) {
        bytes += Footprint.string(name);
      }
      return bytes;
    }
  }

  /** Mapper models compared by identity: the objects of Keycloak's realm cache. */
  private static final class Models {

    private final ProtocolMapperModel[] models;
    private final int hash;

    Models(ProtocolMapperModel[] models) {
      this.models = models;
      int h = 1;
      for (ProtocolMapperModel m : this.models) {
        h = 31 * h + System.identityHashCode(m);
      }
      this.hash = h;
    }

    /** The models, in their order. */
    List<ProtocolMapperModel> list() {
      return Arrays.asList(models);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (o == this) {
        return true;
      }
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
