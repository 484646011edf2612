package io.github.policyscopes.it.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.access.EscalationCheck;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServer;
import io.github.policyscopes.it.PropertyServer;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Scope;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * The security invariants of docs/contract.md §7 under random use of the config API, in the style
 * of Kubernetes' RBAC escalation tests: a seeded jqwik action chain against the real server.
 *
 * <p><b>Actors.</b> Five confidential clients with config power, each with denies that protect
 * something: A {@code *:**} minus the demo's config policy K, the protected policy X and the
 * protected client Y; B {@code *:config/clients/**} + {@code .:config/tokenPolicies/**} minus Y and
 * X; C {@code *:config/tokenPolicies/**} minus K and X; D {@code .:**} minus Y and X; E the demo's
 * {@code config-admin} ({@code *:**} minus K). Each action uses a fresh token of one actor that
 * asks for a random subset of what the actor may request.
 *
 * <p><b>Fixed resources</b> (operator-made through Keycloak's admin REST API): X = {@code *:**},
 * bound to the handed-over client Y; W = {@code openid}, {@code .:config/clients}, bound to the
 * handed-over client Z, whose service account holds {@code realm-management/view-users}; the
 * actors' own policies and clients (not handed over).
 *
 * <p><b>Actions</b>: create, update and delete policies with entries from an adversarial pool
 * ({@code ##}-joined entries, entries with leading or trailing {@code #}, long wildcards, the
 * protected ids); create and update clients (type, grants, bindings); read and rotate secrets;
 * delete clients; list; an operator hands over a fresh client (sometimes privileged).
 *
 * <p><b>Invariants</b>, checked on every answer and after every step:
 *
 * <ul>
 *   <li>I1: every config grant a client made or changed through the API holds (stored in its
 *       policies, and in the tokens it gets) is covered by a token that created or changed the
 *       client or wrote one of its policies ({@link EscalationCheck#withinPower}); and {@code
 *       whoami} allows none of the protected writes (K, X, Y, Y's secret, Z, the actors' policies
 *       and secrets) that no such token may do. Acting as a client (secret, update, delete)
 *       succeeds only for a token that covers every config grant the client's policies hold.
 *   <li>I2: a 2xx answer only for a request the token's scopes allow (deny wins); lists show only
 *       members the token may read, and {@code total} counts them. I15: a listed policy's {@code
 *       clients} names only clients the token may read.
 *   <li>I3: nothing succeeds on the secret, or as PUT or DELETE, of a client whose service account
 *       holds a realm-management role. MANAGED: {@code config/clients} lists only clients created
 *       through it or handed over (binding is not a hand-over), never a built-in one.
 *   <li>I13: a public client's token carries no config grant. I7: never a 5xx.
 * </ul>
 *
 * <p>Reproducible: fixed seed; on failure the message holds the invariant, the seed and the whole
 * sequence as it ran (ids resolved, statuses), after jqwik's shrinking (bounded to {@link
 * #SHRINK_BUDGET}). {@code -Dinvariants.skip=I2,MANAGED} leaves named invariants unchecked (to see
 * what else breaks); a run never skips anything by default.
 */
class ConfigApiInvariantsIT {

  static final String SEED = "20261127";
  static final int SEQUENCES = 12;
  static final int ACTIONS = 12;
  static final Duration SHRINK_BUDGET = Duration.ofSeconds(120);

  static final boolean VERBOSE = Boolean.getBoolean("invariants.verbose");

  static final Set<String> SKIP =
      Arrays.stream(System.getProperty("invariants.skip", "").split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());

  static final String K = Fixtures.CONFIG_POLICY_ID;
  static final String R = Fixtures.READ_ONLY_POLICY_ID;
  static final String WEB = "c3f1e2d4-7b8a-4c5d-9e6f-0a1b2c3d4e5f";
  static final String REALM = TestClient.REALM;
  static final String MAPPER = "pbs-token-policy";

  /** Everything a sequence creates is named with this prefix and removed before the next. */
  static final String PREFIX = "inv";

  static final String MARKER_ROLE = "config-api-managed";
  static final String MARKER_ATTRIBUTE = "pbs.managed";

  static final String CC = "client_credentials";
  static final String PASSWORD = "password";
  static final String CODE = "authorization_code";
  static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  private static KeycloakServer server;
  private static TestClient http;
  private static ConfigApi api;
  private static Admin admin;
  private static Fixture fx;
  private static final Stats STATS = new Stats();
  private static Instant firstFailure;

  // ---- lifecycle ----

  @BeforeContainer
  static void start() {
    server = PropertyServer.start("invariants");
    http = new TestClient(server.baseUrl());
    api = new ConfigApi(http);
    admin = new Admin(http);
    fx = Fixture.create();
  }

  @AfterContainer
  static void stop() {
    System.out.println(STATS.summary());
    if (server != null) {
      server.close();
    }
  }

  // ---- the property ----

  @Property(
      tries = SEQUENCES,
      seed = SEED,
      shrinking = ShrinkingMode.FULL,
      edgeCases = EdgeCasesMode.NONE)
  void configApiKeepsTheSecurityInvariants(@ForAll("sequences") ActionChain<World> chain) {
    if (firstFailure != null && Instant.now().isAfter(firstFailure.plus(SHRINK_BUDGET))) {
      STATS.skippedShrinks++; // shrink budget spent: a candidate that is not run does not fail
      return;
    }
    try {
      World end =
          chain
              .withInvariant("security invariants (docs/contract.md §7)", World::checkInvariants)
              .run();
      if (VERBOSE) {
        System.out.println(end.trace("passed"));
      }
    } catch (RuntimeException | Error e) {
      if (firstFailure == null) {
        firstFailure = Instant.now();
      }
      throw e;
    }
  }

  @Provide
  Arbitrary<ActionChain<World>> sequences() {
    // mostly an actor that may write the collection (A, C, E policies; A, B, E clients), else any
    Arbitrary<Act> policyWriter = acts(0, 2, 4);
    Arbitrary<Act> clientWriter = acts(0, 1, 4);
    Arbitrary<Act> act = acts(0, 1, 2, 3, 4);
    Arbitrary<Integer> target = Arbitraries.integers().between(0, 63);
    Arbitrary<List<String>> entries =
        Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(fx.ordinary)),
                Tuple.of(2, Arbitraries.of(fx.adversarial)),
                Tuple.of(2, Arbitraries.of(fx.splitting)))
            .list()
            .ofMinSize(1)
            .ofMaxSize(3);
    Arbitrary<List<Integer>> picks = Arbitraries.integers().between(0, 63).list().ofMaxSize(2);
    Arbitrary<String> type = Arbitraries.of("confidential", "public", "confidential");
    Arbitrary<List<String>> grants =
        Arbitraries.of(CC, PASSWORD, CODE, EXCHANGE).list().uniqueElements().ofMaxSize(3);

    Arbitrary<Transformer<World>> createPolicy =
        Combinators.combine(policyWriter, entries)
            .as(
                (a, e) ->
                    Transformer.mutate(
                        a.describe() + " creates a policy " + e, w -> w.createPolicy(a, e)));
    Arbitrary<Transformer<World>> updatePolicy =
        Combinators.combine(policyWriter, target, entries)
            .as(
                (a, t, e) ->
                    Transformer.mutate(
                        a.describe() + " updates policy@" + t + " to " + e,
                        w -> w.updatePolicy(a, t, e)));
    Arbitrary<Transformer<World>> deletePolicy =
        Combinators.combine(act, target)
            .as(
                (a, t) ->
                    Transformer.mutate(
                        a.describe() + " deletes policy@" + t, w -> w.deletePolicy(a, t)));
    Arbitrary<Transformer<World>> createClient =
        Combinators.combine(clientWriter, type, grants, picks)
            .as(
                (a, ty, g, p) ->
                    Transformer.mutate(
                        a.describe() + " creates a " + ty + " client " + g + " bound to " + p,
                        w -> w.createClient(a, ty, g, p)));
    Arbitrary<Transformer<World>> updateClient =
        Combinators.combine(
                clientWriter, target, Arbitraries.integers().between(1, 7), type, grants, picks)
            .as(
                (a, t, f, ty, g, p) ->
                    Transformer.mutate(
                        a.describe()
                            + " updates client@"
                            + t
                            + " fields "
                            + f
                            + " "
                            + ty
                            + " "
                            + g
                            + " "
                            + p,
                        w -> w.updateClient(a, t, f, ty, g, p)));
    Arbitrary<Transformer<World>> secret =
        Combinators.combine(clientWriter, target, Arbitraries.of("GET", "POST"))
            .as(
                (a, t, m) ->
                    Transformer.mutate(
                        a.describe() + " " + m + "s the secret of client@" + t,
                        w -> w.secret(a, t, m)));
    Arbitrary<Transformer<World>> deleteClient =
        Combinators.combine(act, target)
            .as(
                (a, t) ->
                    Transformer.mutate(
                        a.describe() + " deletes client@" + t, w -> w.deleteClient(a, t)));
    Arbitrary<Transformer<World>> list =
        Combinators.combine(act, Arbitraries.of("tokenPolicies", "clients"))
            .as((a, c) -> Transformer.mutate(a.describe() + " lists " + c, w -> w.list(a, c)));
    Arbitrary<Transformer<World>> handOver =
        Combinators.combine(target, Arbitraries.of(false, true))
            .as(
                (t, p) ->
                    Transformer.mutate(
                        "operator hands over a client bound to policy@"
                            + t
                            + (p ? ", privileged" : ""),
                        w -> w.handOver(t, p)));

    return ActionChain.<World>startWith(World::fresh)
        .withAction(5, independent(createPolicy))
        .withAction(3, independent(updatePolicy))
        .withAction(1, independent(deletePolicy))
        .withAction(5, independent(createClient))
        .withAction(3, independent(updateClient))
        .withAction(3, independent(secret))
        .withAction(1, independent(deleteClient))
        .withAction(1, independent(list))
        .withAction(1, independent(handOver))
        .withMaxTransformations(ACTIONS);
  }

  private static Arbitrary<Act> acts(Integer... preferred) {
    Arbitrary<Integer> actor =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of(preferred)),
            Tuple.of(1, Arbitraries.integers().between(0, fx.actors.size() - 1)));
    // half the time everything the actor may ask for, else a random subset
    Arbitrary<Integer> mask =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just(15)), Tuple.of(1, Arbitraries.integers().between(1, 15)));
    return Combinators.combine(actor, mask).as(Act::new);
  }

  private static Action.Independent<World> independent(Arbitrary<Transformer<World>> t) {
    return () -> t;
  }

  // ---- actors and tokens ----

  /** Actor {@code actor}, asking for the subset {@code mask} of what it may request. */
  record Act(int actor, int mask) {
    Actor who() {
      return fx.actors.get(actor);
    }

    List<String> requested() {
      List<String> all = who().requestable;
      int bits = mask & ((1 << all.size()) - 1);
      if (bits == 0) {
        bits = 1;
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        if ((bits & (1 << i)) != 0) {
          out.add(all.get(i));
        }
      }
      return out;
    }

    String describe() {
      return who().name + requested();
    }
  }

  /** A token used in the sequence: who, what it asked for, its granted scopes. */
  record Token(String label, String jwt, ScopeSet scopes) {
    @Override
    public String toString() {
      return label;
    }
  }

  static final class Actor {
    final String name;
    final String clientId;
    final String secret;
    final String uuid;
    final String policyId;
    final List<String> requestable;

    Actor(
        String name,
        String clientId,
        String secret,
        String uuid,
        String policyId,
        List<String> requestable) {
      this.name = name;
      this.clientId = clientId;
      this.secret = secret;
      this.uuid = uuid;
      this.policyId = policyId;
      this.requestable = requestable;
    }
  }

  // ---- the state of one sequence ----

  static final class PolicyRef {
    final String name;
    final String id;
    final String title;
    final List<Token> writers = new ArrayList<>();

    PolicyRef(String name, String id, String title) {
      this.name = name;
      this.id = id;
      this.title = title;
    }
  }

  static final class ClientRef {
    final String name;
    final String uuid;
    final String clientId;

    /** Made by the operator and not changed by an actor since: its power is the operator's. */
    boolean operator;

    final boolean privileged;
    final List<Token> authors = new ArrayList<>();

    ClientRef(String name, String uuid, String clientId, boolean operator, boolean privileged) {
      this.name = name;
      this.uuid = uuid;
      this.clientId = clientId;
      this.operator = operator;
      this.privileged = privileged;
    }
  }

  /** One run of a sequence: what it created, the tokens it used, and what happened. */
  static final class World {
    final int run;
    final List<PolicyRef> policies = new ArrayList<>();
    final List<ClientRef> clients = new ArrayList<>();
    final Map<String, PolicyRef> setupPolicies = new LinkedHashMap<>();
    final List<ClientRef> setupClients = new ArrayList<>();
    final Map<String, Token> tokens = new HashMap<>();
    final List<String> log = new ArrayList<>();
    int created;

    World(int run) {
      this.run = run;
      setupPolicies.put(fx.x, new PolicyRef("X", fx.x, fx.titles.get(fx.x)));
      setupPolicies.put(K, new PolicyRef("K", K, fx.titles.get(K)));
      for (SetupClient c : fx.setupClients) {
        setupClients.add(new ClientRef(c.name, c.uuid, c.clientId, true, c.privileged));
      }
    }

    static World fresh() {
      int run = ++STATS.runs;
      if (firstFailure != null) {
        STATS.shrinkRuns++;
      }
      admin.removeSequenceLeftovers();
      fx.restore();
      return new World(run);
    }

    // ---- targets ----

    /**
     * What {@code index} points to: mostly (3 in 4) something this run made, when there is one,
     * else one of the fixed resources. Smaller indexes are this run's first, so shrinking moves
     * towards them.
     */
    static <T> T pick(List<T> made, List<T> fixed, int index) {
      if (!made.isEmpty() && (fixed.isEmpty() || index % 4 != 3)) {
        return made.get(index % made.size());
      }
      return fixed.get(index % fixed.size());
    }

    /** A policy id to bind: this run's, a fixed one (X, W, K, R, WEB, the actors') or unknown. */
    String pickPolicy(int index) {
      return pick(policies.stream().map(p -> p.id).toList(), fx.bindable, index);
    }

    List<ClientRef> clientTargets() {
      List<ClientRef> out = new ArrayList<>(clients);
      out.addAll(setupClients);
      return out;
    }

    String nameOfPolicy(String id) {
      for (PolicyRef p : policies) {
        if (p.id.equals(id)) {
          return p.name;
        }
      }
      return fx.names.getOrDefault(id, id);
    }

    String nameOfClient(String uuid) {
      for (ClientRef c : clientTargets()) {
        if (c.uuid.equals(uuid)) {
          return c.name;
        }
      }
      return fx.names.getOrDefault(uuid, uuid);
    }

    // ---- actions ----

    void createPolicy(Act a, List<String> entries) {
      Token t = token(a);
      String name = "p" + ++created;
      String title = PREFIX + run + "-" + name;
      Reply r =
          call(
              t,
              "POST",
              "config/tokenPolicies",
              policyBody(title, entries),
              "creates " + name + " " + entries);
      if (r.status() == 201) {
        PolicyRef p = new PolicyRef(name, r.json().path("id").asText(), title);
        p.writers.add(t);
        policies.add(p);
        fx.names.put(p.id, name);
      }
    }

    void updatePolicy(Act a, int target, List<String> entries) {
      Token t = token(a);
      PolicyRef p = pick(policies, new ArrayList<>(setupPolicies.values()), target);
      Reply r =
          call(
              t,
              "PUT",
              "config/tokenPolicies/" + p.id,
              policyBody(p.title, entries),
              "updates " + p.name + " to " + entries);
      if (r.is2xx()) {
        p.writers.add(t);
      }
    }

    void deletePolicy(Act a, int target) {
      Token t = token(a);
      PolicyRef p = pick(policies, new ArrayList<>(setupPolicies.values()), target);
      Reply r = call(t, "DELETE", "config/tokenPolicies/" + p.id, null, "deletes " + p.name);
      if (r.is2xx()) {
        policies.remove(p);
      }
    }

    void createClient(Act a, String type, List<String> grants, List<Integer> picks) {
      Token t = token(a);
      String name = "c" + ++created;
      String clientId = PREFIX + run + "-" + name;
      List<String> bound = picks.stream().map(this::pickPolicy).distinct().toList();
      ObjectNode body = clientBody(clientId, type, grants, bound);
      Reply r =
          call(
              t,
              "POST",
              "config/clients",
              body,
              "creates " + type + " client " + name + " " + grants + " bound to " + names(bound));
      if (r.status() == 201) {
        ClientRef c = new ClientRef(name, r.json().path("id").asText(), clientId, false, false);
        c.authors.add(t);
        clients.add(c);
        fx.names.put(c.uuid, name);
      }
    }

    void updateClient(
        Act a, int target, int fields, String type, List<String> grants, List<Integer> picks) {
      Token t = token(a);
      ClientRef c = pick(clients, setupClients, target);
      ClientState before = ClientState.of(c.uuid, Scopes.read());
      ObjectNode body = ConfigApi.JSON.createObjectNode();
      List<String> changed = new ArrayList<>();
      if ((fields & 1) != 0) {
        body.put("type", type);
        changed.add("type=" + type);
      }
      if ((fields & 2) != 0) {
        ArrayNode g = body.putArray("grantTypes");
        grants.forEach(g::add);
        if (grants.contains(CODE)) {
          body.putArray("redirectUris").add("http://localhost:8080/callback");
        }
        changed.add("grantTypes=" + grants);
      }
      if ((fields & 4) != 0) {
        List<String> bound = picks.stream().map(this::pickPolicy).distinct().toList();
        ArrayNode p = body.putArray("tokenPolicies");
        bound.forEach(p::add);
        changed.add("tokenPolicies=" + names(bound));
      }
      Reply r =
          call(t, "PUT", "config/clients/" + c.uuid, body, "updates " + c.name + " " + changed);
      if (r.is2xx()) {
        checkActAs(t, c, before, "PUT");
        if (!c.authors.contains(t)) {
          c.authors.add(t);
        }
        if (c.operator && !setupClients.contains(c)) {
          c.operator = false; // an actor now decides what it is bound to
        }
      }
    }

    void secret(Act a, int target, String method) {
      Token t = token(a);
      ClientRef c = pick(clients, setupClients, target);
      ClientState before = ClientState.of(c.uuid, Scopes.read());
      Reply r =
          call(
              t,
              method,
              "config/clients/" + c.uuid + "/secret",
              null,
              method + " secret of " + c.name);
      if (r.is2xx()) {
        checkActAs(t, c, before, method + " …/secret");
      }
    }

    void deleteClient(Act a, int target) {
      Token t = token(a);
      ClientRef c = pick(clients, setupClients, target);
      ClientState before = ClientState.of(c.uuid, Scopes.read());
      Reply r = call(t, "DELETE", "config/clients/" + c.uuid, null, "deletes " + c.name);
      if (r.is2xx()) {
        checkActAs(t, c, before, "DELETE");
        clients.remove(c);
      }
    }

    void list(Act a, String collection) {
      checkList(token(a), collection, true);
    }

    void handOver(int target, boolean privileged) {
      String name = "h" + ++created;
      String clientId = PREFIX + run + "-" + name;
      String policy = pickPolicy(target);
      String uuid =
          admin.createSetupClient(
              null, clientId, "handed-over-secret", List.of(policy), true, privileged);
      ClientRef c = new ClientRef(name, uuid, clientId, true, privileged);
      clients.add(c);
      STATS.actions++;
      fx.names.put(uuid, name);
      log.add(
          "operator hands over "
              + name
              + " bound to "
              + nameOfPolicy(policy)
              + (privileged ? " (service account holds realm-management/view-users)" : ""));
    }

    // ---- checks on each answer ----

    /** An action's request: logged and counted. */
    Reply call(Token t, String method, String path, Object body, String what) {
      return send(t, method, path, body, what, true);
    }

    Reply send(Token t, String method, String path, Object body, String what, boolean action) {
      Reply r = api.send(method, path, t.jwt(), body);
      STATS.requests++;
      if (action) {
        STATS.actions++;
        log.add(t.label() + " " + what + " → " + r.status() + brief(r));
        if (r.is2xx()) {
          STATS.successes++;
        } else {
          STATS.refusals.merge(r.status(), 1, Integer::sum);
        }
      }
      if (r.status() >= 500 || r.status() == 0) {
        violation("I7", method + " " + path + " answered " + r);
      }
      String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
      if (r.is2xx() && !t.scopes().decide(method, bare).allowed()) {
        violation(
            "I2",
            method
                + " "
                + bare
                + " succeeded for "
                + t.label()
                + " although its scopes ("
                + t.scopes()
                + ") do not allow it: "
                + r);
      }
      return r;
    }

    /**
     * Whoever succeeds in reading or rotating a client's secret, changing or deleting it, must
     * cover every config grant the client's policies held (docs/contract.md §4), and the client
     * must not have Keycloak power (I3).
     */
    void checkActAs(Token t, ClientRef c, ClientState before, String what) {
      if (c.privileged || (before != null && before.privileged())) {
        violation(
            "I3",
            what
                + " on "
                + c.name
                + " succeeded for "
                + t.label()
                + ", but its service account holds a realm-management role");
      }
      if (before == null) {
        return;
      }
      for (ConfigScope g : before.storedGrants()) {
        if (!EscalationCheck.withinPower(t.scopes(), g)) {
          violation(
              "I1",
              what
                  + " on "
                  + c.name
                  + " succeeded for "
                  + t.label()
                  + " ("
                  + t.scopes()
                  + "), which does not cover "
                  + g.text()
                  + " held by its policies");
        }
      }
    }

    // ---- checks after each step ----

    void checkInvariants() {
      STATS.checks++;
      for (int i = 0; i < fx.actors.size(); i++) {
        Token full = token(new Act(i, 0xffff));
        checkList(full, "tokenPolicies", false);
        checkList(full, "clients", false);
      }
      Scopes scopes = Scopes.read();
      List<PolicyRef> written = new ArrayList<>(policies);
      setupPolicies.values().stream().filter(p -> !p.writers.isEmpty()).forEach(written::add);
      for (PolicyRef p : written) {
        List<String> stored = scopes.entries().get(p.id);
        for (ConfigScope g : ScopeSet.of(stored == null ? List.of() : stored).grants()) {
          if (p.writers.stream().noneMatch(a -> EscalationCheck.withinPower(a.scopes(), g))) {
            violation(
                "I1",
                "policy "
                    + p.name
                    + " holds "
                    + g.text()
                    + " as Keycloak reads it back ("
                    + stored
                    + "), which none of its writers "
                    + p.writers.stream().map(a -> a.label() + "=" + a.scopes()).toList()
                    + " covers");
          }
        }
      }
      for (ClientRef c : new ArrayList<>(clients)) {
        if (!c.operator) {
          checkPower(c, scopes);
        }
      }
    }

    /** I2, I15, MANAGED: a list shows only what the token may read; {@code total} counts it. */
    void checkList(Token t, String collection, boolean action) {
      Reply r =
          send(t, "GET", "config/" + collection + "?max=1000", null, "lists " + collection, action);
      if (!r.is2xx()) {
        return;
      }
      JsonNode members = r.json().path(collection);
      if (r.json().path("total").asInt(-1) != members.size()) {
        violation(
            "I2",
            "GET config/"
                + collection
                + " for "
                + t.label()
                + ": total "
                + r.json().path("total")
                + " but "
                + members.size()
                + " members listed");
      }
      for (JsonNode m : members) {
        String id = m.path("id").asText();
        String path = "config/" + collection + "/" + id;
        String name = collection.equals("clients") ? nameOfClient(id) : nameOfPolicy(id);
        if (!t.scopes().decide("GET", path).allowed()) {
          violation(
              "I2",
              "GET config/"
                  + collection
                  + " shows "
                  + name
                  + " to "
                  + t.label()
                  + ", whose scopes deny GET "
                  + path
                  + " ("
                  + t.scopes()
                  + ")");
        }
        for (JsonNode client : m.path("clients")) {
          if (!t.scopes().decide("GET", "config/clients/" + client.asText()).allowed()) {
            violation(
                "I15",
                "policy "
                    + name
                    + " in GET config/tokenPolicies names client "
                    + nameOfClient(client.asText())
                    + ", which "
                    + t.label()
                    + " may not read");
          }
        }
        if (collection.equals("clients")) {
          String clientId = m.path("clientId").asText();
          if (!fx.managed(this, id) || Fixtures.BUILT_IN_CLIENTS.contains(clientId)) {
            violation(
                "MANAGED",
                "GET config/clients lists "
                    + name
                    + " ("
                    + clientId
                    + "), which was neither created through the API nor handed over");
          }
        }
      }
    }

    /**
     * I1, I13: what a client made or changed through the API can get: the grants its policies hold,
     * and the tokens it obtains (client credentials with its secret, password grant as the demo
     * user), each covered by one of the tokens that made it what it is.
     */
    void checkPower(ClientRef c, Scopes scopes) {
      ClientState s = ClientState.of(c.uuid, scopes);
      if (s == null) {
        clients.remove(c); // deleted
        return;
      }
      List<Token> authors = new ArrayList<>(c.authors);
      for (String policyId : s.policyIds()) {
        policies.stream()
            .filter(p -> p.id.equals(policyId))
            .forEach(p -> authors.addAll(p.writers));
        PolicyRef setup = setupPolicies.get(policyId);
        if (setup != null) {
          authors.addAll(setup.writers);
        }
      }
      for (ConfigScope g : s.storedGrants()) {
        requireCovered(c, authors, g, "its stored policies hold");
      }
      for (Issued issued : s.tokens()) {
        STATS.tokens++;
        for (ConfigScope g : issued.claim().grants()) {
          requireCovered(c, authors, g, "its " + issued.grant() + " token carries");
          if (s.isPublic()) {
            violation(
                "I13",
                "public client "
                    + c.name
                    + " got the config grant "
                    + g.text()
                    + " ("
                    + issued.grant()
                    + ")");
          }
        }
        Reply whoami =
            api.get(issued.jwt(), "config/whoami?method=PUT&path=config/tokenPolicies/" + K);
        STATS.requests++;
        if (whoami.status() >= 500) {
          violation("I7", "whoami answered " + whoami);
        }
        JsonNode who = whoami.jsonOrEmpty();
        List<String> effective = new ArrayList<>();
        who.path("scopes").path("grants").forEach(n -> effective.add(n.asText()));
        who.path("scopes").path("denies").forEach(n -> effective.add(n.asText()));
        ScopeSet server = ScopeSet.of(effective);
        if (who.path("decision").path("allowed").asBoolean(false)
            && authors.stream()
                .noneMatch(a -> a.scopes().decide("PUT", "config/tokenPolicies/" + K).allowed())) {
          violation(
              "I1",
              "whoami: "
                  + c.name
                  + "'s "
                  + issued.grant()
                  + " token may PUT the demo's config policy K, which none of its authors may: "
                  + who);
        }
        for (String[] target : fx.protectedTargets) {
          if (server.decide(target[0], target[1]).allowed()
              && authors.stream()
                  .noneMatch(a -> a.scopes().decide(target[0], target[1]).allowed())) {
            violation(
                "I1",
                c.name
                    + "'s "
                    + issued.grant()
                    + " token may "
                    + target[0]
                    + " "
                    + target[2]
                    + " (whoami: "
                    + server
                    + "), which none of its authors "
                    + authors
                    + " may");
          }
        }
      }
    }

    void requireCovered(ClientRef c, List<Token> authors, ConfigScope g, String where) {
      if (authors.stream().noneMatch(a -> EscalationCheck.withinPower(a.scopes(), g))) {
        violation(
            "I1",
            c.name
                + ": "
                + where
                + " "
                + g.text()
                + ", which none of the tokens that made it "
                + authors
                + " covers ("
                + authors.stream().map(a -> a.label() + "=" + a.scopes()).toList()
                + ")");
      }
    }

    // ---- plumbing ----

    Token token(Act a) {
      List<String> requested = a.requested();
      String label = a.who().name + requested;
      return tokens.computeIfAbsent(
          label,
          k -> {
            Reply reply =
                http.clientCredentials(
                    a.who().clientId, a.who().secret, String.join(" ", requested));
            STATS.requests++;
            if (reply.status() != 200) {
              throw new IllegalStateException("actor token for " + label + ": " + reply);
            }
            String jwt = reply.json().path("access_token").asText();
            return new Token(label, jwt, ScopeSet.parse(ConfigApi.scopeOf(jwt)));
          });
    }

    String names(List<String> policyIds) {
      return policyIds.stream().map(this::nameOfPolicy).toList().toString();
    }

    void violation(String invariant, String message) {
      if (SKIP.contains(invariant)) {
        STATS.skippedViolations.merge(invariant, 1, Integer::sum);
        return;
      }
      throw new AssertionError(trace("[" + invariant + "] " + message));
    }

    String trace(String headline) {
      StringBuilder out = new StringBuilder();
      out.append(headline).append('\n');
      out.append("seed ")
          .append(SEED)
          .append(", run ")
          .append(run)
          .append("; the sequence as it ran:\n");
      for (int i = 0; i < log.size(); i++) {
        out.append(String.format("  %2d. %s%n", i + 1, log.get(i)));
      }
      out.append("fixed: ").append(fx.legend());
      return out.toString();
    }

    @Override
    public String toString() {
      return "run " + run + ": " + log.size() + " requests";
    }
  }

  private static String brief(Reply r) {
    if (r.is2xx()) {
      return "";
    }
    String error = r.jsonOrEmpty().path("error_description").asText("");
    if (error.isEmpty()) {
      error = r.jsonOrEmpty().path("error").asText("");
    }
    return error.isEmpty()
        ? ""
        : " (" + (error.length() > 120 ? error.substring(0, 120) + "…" : error) + ")";
  }

  static ObjectNode policyBody(String title, List<String> entries) {
    return ConfigApi.policyBody(title, entries.toArray(String[]::new));
  }

  static ObjectNode clientBody(
      String clientId, String type, List<String> grants, List<String> policies) {
    ObjectNode body = ConfigApi.JSON.createObjectNode();
    body.put("clientId", clientId);
    body.put("type", type);
    ArrayNode g = body.putArray("grantTypes");
    grants.forEach(g::add);
    if (grants.contains(CODE)) {
      body.putArray("redirectUris").add("http://localhost:8080/callback");
    }
    ArrayNode p = body.putArray("tokenPolicies");
    policies.forEach(p::add);
    return body;
  }

  // ---- what Keycloak holds (read as the operator, through the admin REST API) ----

  /** Every token policy of the realm: client scope name → id and stored entries. */
  record Scopes(Map<String, String> ids, Map<String, List<String>> entries) {
    static Scopes read() {
      Map<String, String> ids = new HashMap<>();
      Map<String, List<String>> entries = new HashMap<>();
      for (JsonNode scope : admin.get("client-scopes").json()) {
        ids.put(scope.path("name").asText(), scope.path("id").asText());
        List<String> stored = storedEntries(scope.path("protocolMappers"));
        if (stored != null) {
          entries.put(scope.path("id").asText(), stored);
        }
      }
      return new Scopes(ids, entries);
    }
  }

  /** The entries of every policy mapper in {@code mappers}, as Keycloak reads them back. */
  static List<String> storedEntries(JsonNode mappers) {
    List<String> out = null;
    for (JsonNode m : mappers) {
      if (MAPPER.equals(m.path("protocolMapper").asText())) {
        if (out == null) {
          out = new ArrayList<>();
        }
        out.addAll(readBack(m.path("config").path("allowedScopes").asText("")));
      }
    }
    return out;
  }

  /**
   * A stored {@code allowedScopes} value as Keycloak's multivalue config reads it: split on {@code
   * ##}; a JSON array if a fix stores it that way.
   */
  static List<String> readBack(String stored) {
    List<String> out = new ArrayList<>();
    if (stored.trim().startsWith("[")) {
      try {
        ConfigApi.JSON.readTree(stored).forEach(n -> out.add(n.asText()));
        return out;
      } catch (java.io.IOException notJson) {
        // read it as Keycloak would
      }
    }
    for (String e : stored.split("##")) {
      if (!e.isBlank()) {
        out.add(e.trim());
      }
    }
    return out;
  }

  /** One issued token of a client: the grant type, the token, its scope claim. */
  record Issued(String grant, String jwt, ScopeSet claim) {}

  /** A client as the operator sees it, with the grants its policies hold. */
  record ClientState(
      JsonNode rep, List<String> policyIds, List<ConfigScope> storedGrants, boolean privileged) {

    static ClientState of(String uuid, Scopes scopes) {
      Reply reply = admin.call("GET", "clients/" + uuid, null);
      if (reply.status() == 404) {
        return null;
      }
      JsonNode rep = reply.json();
      List<String> policyIds = new ArrayList<>();
      List<String> entries = new ArrayList<>();
      for (String field : List.of("defaultClientScopes", "optionalClientScopes")) {
        for (JsonNode name : rep.path(field)) {
          String id = scopes.ids().get(name.asText());
          if (id != null && scopes.entries().containsKey(id)) {
            policyIds.add(id);
            entries.addAll(scopes.entries().get(id));
          }
        }
      }
      List<String> own = storedEntries(rep.path("protocolMappers"));
      if (own != null) {
        entries.addAll(own);
      }
      boolean privileged = fx.privilegedClients.contains(uuid);
      return new ClientState(rep, policyIds, ScopeSet.of(entries).grants(), privileged);
    }

    boolean isPublic() {
      return rep.path("publicClient").asBoolean();
    }

    /** The tokens the client can get: client credentials with its secret, password as demo. */
    List<Issued> tokens() {
      List<Issued> out = new ArrayList<>();
      if (!rep.path("enabled").asBoolean()) {
        return out;
      }
      String clientId = rep.path("clientId").asText();
      String secret = isPublic() ? null : rep.path("secret").asText(null);
      if (!isPublic() && rep.path("serviceAccountsEnabled").asBoolean() && secret != null) {
        Reply cc = http.clientCredentials(clientId, secret, fx.request);
        if (cc.status() == 400) {
          // an unbound client is stock Keycloak: unknown scopes are invalid_scope
          STATS.requests++;
          cc =
              http.token(
                  REALM,
                  TestClient.form(
                      "grant_type", CC, "client_id", clientId, "client_secret", secret));
        }
        add(out, CC, cc);
      }
      if (rep.path("directAccessGrantsEnabled").asBoolean()) {
        Reply pw = password(clientId, secret, fx.request);
        if (pw.status() == 400) {
          STATS.requests++;
          pw = password(clientId, secret, null);
        }
        add(out, PASSWORD, pw);
      }
      return out;
    }

    private static Reply password(String clientId, String secret, String scope) {
      return http.token(
          REALM,
          TestClient.form(
              "grant_type", PASSWORD,
              "client_id", clientId,
              "client_secret", secret,
              "username", "demo",
              "password", "demo",
              "scope", scope));
    }

    private static void add(List<Issued> out, String grant, Reply reply) {
      STATS.requests++;
      if (reply.status() >= 500) {
        throw new AssertionError("[I7] token request (" + grant + ") answered " + reply);
      }
      if (reply.status() == 200) {
        String jwt = reply.json().path("access_token").asText();
        out.add(new Issued(grant, jwt, ScopeSet.parse(ConfigApi.scopeOf(jwt))));
      }
    }
  }

  // ---- the fixed resources ----

  /** A client the operator made in setup (or the demo's config-admin), restored before each run. */
  static final class SetupClient {
    final String name;
    final String clientId;
    final String uuid;
    final String secret;
    final List<String> policies;
    final boolean handedOver;
    final boolean privileged;
    JsonNode rep;

    SetupClient(
        String name,
        String clientId,
        String uuid,
        String secret,
        List<String> policies,
        boolean handedOver,
        boolean privileged) {
      this.name = name;
      this.clientId = clientId;
      this.uuid = uuid;
      this.secret = secret;
      this.policies = policies;
      this.handedOver = handedOver;
      this.privileged = privileged;
    }
  }

  static final class Fixture {
    String x;
    String w;
    SetupClient y;
    SetupClient z;
    final List<Actor> actors = new ArrayList<>();
    final List<SetupClient> setupClients = new ArrayList<>();
    final Map<String, String> titles = new HashMap<>();
    final Map<String, JsonNode> mappers = new HashMap<>();
    final Map<String, String> names = new HashMap<>();
    final Set<String> privilegedClients = new LinkedHashSet<>();
    final Set<String> demoClients = new LinkedHashSet<>();
    List<String> ordinary;
    List<String> adversarial;
    List<String> splitting;
    List<String> pool;
    List<String> bindable;
    String request;
    final List<String[]> protectedTargets = new ArrayList<>();

    /** Names of the fixed resources: unique, so that a server can be reused. */
    final String prefix = Fixtures.unique("fixture");

    static Fixture create() {
      Fixture f = new Fixture();
      f.x = admin.createPolicy(f.prefix + "-x", List.of("*:**"));
      f.w = admin.createPolicy(f.prefix + "-w", List.of("openid", ".:config/clients"));
      f.y = f.setupClient("Y", f.prefix + "-y", List.of(f.x), true, false);
      f.z = f.setupClient("Z", f.prefix + "-z", List.of(f.w), true, true);
      String y = f.y.uuid;
      String z = f.z.uuid;
      f.actor(
          "A",
          List.of(
              "*:**",
              "openid",
              "-:config/tokenPolicies/" + K,
              "-:config/tokenPolicies/" + f.x,
              "-:config/clients/" + y),
          List.of("*:**", "*:config/**", "*:config/clients/**", "*:config/tokenPolicies/**"));
      f.actor(
          "B",
          List.of(
              "*:config/clients/**",
              ".:config/tokenPolicies/**",
              "-:config/clients/" + y,
              "-:config/tokenPolicies/" + f.x),
          List.of("*:config/clients/**", ".:config/tokenPolicies/**", ".:config/clients/**"));
      f.actor(
          "C",
          List.of(
              "*:config/tokenPolicies/**",
              "-:config/tokenPolicies/" + K,
              "-:config/tokenPolicies/" + f.x),
          List.of("*:config/tokenPolicies/**", ".:config/tokenPolicies/**"));
      f.actor(
          "D",
          List.of(".:**", "-:config/clients/" + y, "-:config/tokenPolicies/" + f.x),
          List.of(".:**", ".:config/clients/**"));
      String configAdmin = admin.clientUuid("config-admin");
      f.actors.add(
          new Actor(
              "E",
              "config-admin",
              "config-admin-secret",
              configAdmin,
              K,
              List.of("*:**", "*:config/tokenPolicies", "*:config/clients/**", "openid")));
      f.setupClients.add(
          new SetupClient(
              "E-client",
              "config-admin",
              configAdmin,
              "config-admin-secret",
              List.of(K),
              false,
              false));
      for (String demo : List.of("config-admin", "config-reader", "web-app")) {
        f.demoClients.add(admin.clientUuid(demo));
      }
      for (String id : List.of(f.x, f.w, K, R, WEB)) {
        JsonNode scope = admin.get("client-scopes/" + id).json();
        String description = scope.path("description").asText("");
        f.titles.put(id, description.isBlank() ? scope.path("name").asText() : description);
      }
      for (String id : List.of(f.x, K)) {
        f.mappers.put(
            id, admin.get("client-scopes/" + id + "/protocol-mappers/models").json().get(0));
      }
      for (SetupClient c : f.setupClients) {
        c.rep = admin.get("clients/" + c.uuid).json();
        f.names.put(c.uuid, c.name);
      }
      f.names.put(f.x, "X");
      f.names.put(f.w, "W");
      f.names.put(K, "K");
      f.names.put(R, "R");
      f.names.put(WEB, "WEB");
      f.privilegedClients.add(z);

      String unknown = "00000000-0000-4000-8000-000000000000";
      f.names.put(unknown, "unknown");
      f.bindable = new ArrayList<>(List.of(f.x, f.w, K, R, WEB));
      f.actors.stream().filter(a -> !a.policyId.equals(K)).forEach(a -> f.bindable.add(a.policyId));
      f.bindable.add(unknown);

      String longWildcard = "*:config/clients/" + "a*".repeat(100);
      // entries some actors may hand out (narrow grants, plain scopes, denies) ...
      f.ordinary =
          List.of(
              "openid",
              "email",
              ".:config/clients",
              "*:config/clients",
              ".:config/tokenPolicies",
              "*:config/tokenPolicies",
              "*:config/clients/abc",
              ".:config/clients/abc/secret",
              "*:config/tokenPolicies/abc",
              ".:config/tokenPolicies/abc",
              "*:config/other/**",
              ".:config/whoami",
              "-:config/clients/abc",
              "-:config/tokenPolicies/**");
      // ... and entries made to escalate: broad grants, the protected ids, what "##" splits
      f.adversarial =
          List.of(
              ".:**",
              "*:**",
              "*:config/**",
              "*:config/clients/**",
              "*:config/clients/*",
              "*:config/tokenPolicies/*",
              "*:config/tokenPolicies/**",
              ".:config/clients/**",
              ".:config/tokenPolicies/**",
              "*:config/tokenPolicies/" + K,
              "*:config/tokenPolicies/" + f.x,
              "*:config/clients/" + y,
              "*:config/clients/" + y + "/secret",
              "*:config/clients/" + z,
              "*:config/clients/" + z + "/secret",
              "-:config/clients/**",
              "-:config/tokenPolicies/" + f.x,
              longWildcard);
      // Keycloak stores a policy's entries "##"-joined: entries that contain or border "##"
      f.splitting =
          List.of(
              "openid##*:**",
              "email##*:config/tokenPolicies/" + f.x,
              "##*:config/**",
              "openid##*:config/clients/" + z + "/secret",
              "a##b",
              "x#",
              "#y",
              "#",
              "*:config/clients/ab##cd",
              "*:config/tokenPolicies/x#");
      f.pool = new ArrayList<>(f.ordinary);
      f.pool.addAll(f.adversarial);
      f.pool.addAll(f.splitting);

      // a token request that asks for every config grant any policy here can hold
      Set<String> request = new LinkedHashSet<>(List.of("openid"));
      List<String> everything = new ArrayList<>(f.pool);
      everything.addAll(List.of(".:config/clients", "*:config/tokenPolicies"));
      f.actors.forEach(a -> everything.addAll(a.requestable));
      for (String entry : everything) {
        for (String part : entry.split("##")) {
          if (Scope.isConfigScopeSyntax(part) && !part.startsWith("-:")) {
            request.add(part);
          }
        }
      }
      f.request =
          String.join(" ", ScopeSet.of(request).grants().stream().map(Scope::text).toList())
              + " openid";

      f.target("PUT", "config/tokenPolicies/" + K, "policy K");
      f.target("PUT", "config/tokenPolicies/" + f.x, "policy X");
      f.target("PUT", "config/clients/" + y, "client Y");
      f.target("GET", "config/clients/" + y + "/secret", "Y's secret");
      f.target("PUT", "config/clients/" + z, "client Z");
      f.target("POST", "config/clients/" + z + "/secret", "Z's secret");
      for (Actor a : f.actors) {
        f.target("PUT", "config/tokenPolicies/" + a.policyId, a.name + "'s policy");
        f.target("POST", "config/clients/" + a.uuid + "/secret", a.name + "'s secret");
      }
      System.out.println("ConfigApiInvariantsIT fixture: " + f.legend());
      return f;
    }

    private SetupClient setupClient(
        String name,
        String clientId,
        List<String> policies,
        boolean handedOver,
        boolean privileged) {
      String secret = clientId + "-secret";
      String uuid =
          admin.createSetupClient(null, clientId, secret, policies, handedOver, privileged);
      SetupClient c =
          new SetupClient(name, clientId, uuid, secret, policies, handedOver, privileged);
      setupClients.add(c);
      return c;
    }

    private void actor(String name, List<String> policy, List<String> requestable) {
      String policyId = admin.createPolicy(prefix + "-actor-" + name.toLowerCase(), policy);
      String clientId = prefix + "-actor-" + name.toLowerCase();
      SetupClient c = setupClient(name + "-client", clientId, List.of(policyId), false, false);
      actors.add(new Actor(name, clientId, c.secret, c.uuid, policyId, requestable));
      titles.put(policyId, clientId + " (test policy)");
      names.put(policyId, "P" + name);
    }

    private void target(String method, String path, String name) {
      protectedTargets.add(new String[] {method, path, name});
    }

    /** Whether the API may list this client: created through it in this run, or handed over. */
    boolean managed(World w, String uuid) {
      return w.clients.stream().anyMatch(c -> c.uuid.equals(uuid))
          || uuid.equals(y.uuid)
          || uuid.equals(z.uuid)
          || demoClients.contains(uuid);
    }

    String legend() {
      return "K="
          + K
          + " (demo config policy), X="
          + x
          + " (*:**), W="
          + w
          + " (openid .:config/clients), Y="
          + y.uuid
          + " (handed over, bound to X), Z="
          + z.uuid
          + " (handed over, bound to W, service account with realm-management/view-users); actors "
          + actors.stream().map(a -> a.name + "=" + a.clientId).toList();
    }

    /** Puts back what an earlier (failing) run may have changed: X, K, the fixed clients. */
    void restore() {
      for (Map.Entry<String, JsonNode> m : mappers.entrySet()) {
        String models = "client-scopes/" + m.getKey() + "/protocol-mappers/models";
        Reply now = admin.call("GET", models, null);
        if (now.status() != 200 || now.json().size() == 0) {
          throw new IllegalStateException(
              "fixed policy " + names.get(m.getKey()) + " is gone: " + now);
        }
        if (!now.json().get(0).path("config").equals(m.getValue().path("config"))) {
          admin.ok(
              admin.call("PUT", models + "/" + m.getValue().path("id").asText(), m.getValue()));
        }
      }
      Scopes scopes = null;
      for (SetupClient c : setupClients) {
        Reply now = admin.call("GET", "clients/" + c.uuid, null);
        if (now.status() == 404) {
          admin.createSetupClient(
              c.uuid, c.clientId, c.secret, c.policies, c.handedOver, c.privileged);
          continue;
        }
        JsonNode rep = now.json();
        boolean same = true;
        for (String field :
            List.of(
                "enabled",
                "publicClient",
                "serviceAccountsEnabled",
                "directAccessGrantsEnabled",
                "standardFlowEnabled",
                "secret",
                "redirectUris",
                "attributes")) {
          same &= rep.path(field).equals(c.rep.path(field));
        }
        if (!same) {
          admin.ok(admin.call("PUT", "clients/" + c.uuid, c.rep));
        }
        Set<String> want = new LinkedHashSet<>();
        c.rep.path("defaultClientScopes").forEach(n -> want.add(n.asText()));
        Set<String> have = new LinkedHashSet<>();
        rep.path("defaultClientScopes").forEach(n -> have.add(n.asText()));
        if (!want.equals(have)) {
          if (scopes == null) {
            scopes = Scopes.read();
          }
          for (String name : have) {
            if (!want.contains(name) && scopes.ids().containsKey(name)) {
              admin.call(
                  "DELETE",
                  "clients/" + c.uuid + "/default-client-scopes/" + scopes.ids().get(name),
                  null);
            }
          }
          for (String name : want) {
            if (!have.contains(name) && scopes.ids().containsKey(name)) {
              admin.call(
                  "PUT",
                  "clients/" + c.uuid + "/default-client-scopes/" + scopes.ids().get(name),
                  null);
            }
          }
        }
      }
    }
  }

  // ---- Keycloak's admin REST API, with one cached admin token ----

  static final class Admin {
    private final TestClient http;
    private String token;
    private long tokenAt;
    private String realmManagement;
    private JsonNode viewUsers;

    Admin(TestClient http) {
      this.http = http;
    }

    private String token() {
      if (token == null || System.nanoTime() - tokenAt > Duration.ofSeconds(30).toNanos()) {
        token = http.adminToken();
        tokenAt = System.nanoTime();
      }
      return token;
    }

    /** {@code path} relative to {@code /admin/realms/demo/}. */
    Reply call(String method, String path, Object body) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(http.baseUrl() + "/admin/realms/" + REALM + "/" + path))
              .header("Authorization", "Bearer " + token());
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(TestClient.toJson(body)));
      }
      return http.send(request);
    }

    Reply get(String path) {
      return ok(call("GET", path, null));
    }

    Reply ok(Reply reply) {
      if (reply.status() / 100 != 2) {
        throw new IllegalStateException("admin REST: " + reply);
      }
      return reply;
    }

    String created(Reply reply) {
      ok(reply);
      String location = reply.header("Location");
      return location.substring(location.lastIndexOf('/') + 1);
    }

    String createPolicy(String name, List<String> entries) {
      Map<String, Object> scope = new LinkedHashMap<>();
      scope.put("name", name);
      scope.put("description", name + " (test policy)");
      scope.put("protocol", "openid-connect");
      scope.put(
          "attributes",
          Map.of("include.in.token.scope", "false", "display.on.consent.screen", "false"));
      String id = created(call("POST", "client-scopes", scope));
      ok(
          call(
              "POST",
              "client-scopes/" + id + "/protocol-mappers/models",
              Fixtures.mapper(entries, null, null)));
      return id;
    }

    String clientUuid(String clientId) {
      return get("clients?clientId=" + clientId).json().get(0).path("id").asText();
    }

    /**
     * A confidential client_credentials client bound to {@code policies}; {@code handedOver}: the
     * documented marker (client role {@code config-api-managed}, and the older attribute); {@code
     * privileged}: its service account gets {@code realm-management/view-users}.
     */
    String createSetupClient(
        String id,
        String clientId,
        String secret,
        List<String> policies,
        boolean handedOver,
        boolean privileged) {
      Map<String, Object> client = new LinkedHashMap<>();
      if (id != null) {
        client.put("id", id);
      }
      client.put("clientId", clientId);
      client.put("enabled", true);
      client.put("publicClient", false);
      client.put("secret", secret);
      client.put("serviceAccountsEnabled", true);
      client.put("directAccessGrantsEnabled", false);
      client.put("standardFlowEnabled", false);
      Map<String, String> attributes = new LinkedHashMap<>();
      attributes.put("client_credentials.use_refresh_token", "false");
      if (handedOver) {
        attributes.put(MARKER_ATTRIBUTE, "true");
      }
      client.put("attributes", attributes);
      String uuid = created(call("POST", "clients", client));
      for (String policy : policies) {
        ok(call("PUT", "clients/" + uuid + "/default-client-scopes/" + policy, null));
      }
      if (handedOver) {
        ok(call("POST", "clients/" + uuid + "/roles", Map.of("name", MARKER_ROLE)));
      }
      if (privileged) {
        if (realmManagement == null) {
          realmManagement = clientUuid("realm-management");
          viewUsers = get("clients/" + realmManagement + "/roles/view-users").json();
        }
        String user = get("clients/" + uuid + "/service-account-user").json().path("id").asText();
        ok(
            call(
                "POST",
                "users/" + user + "/role-mappings/clients/" + realmManagement,
                List.of(viewUsers)));
        markPrivileged(uuid);
      }
      return uuid;
    }

    private void markPrivileged(String uuid) {
      if (fx != null) {
        fx.privilegedClients.add(uuid);
      }
    }

    /** Deletes every client and policy a run created (names start with {@link #PREFIX}). */
    void removeSequenceLeftovers() {
      for (JsonNode c : get("clients?clientId=" + PREFIX + "&search=true&max=1000").json()) {
        if (c.path("clientId").asText().startsWith(PREFIX)) {
          call("DELETE", "clients/" + c.path("id").asText(), null);
        }
      }
      for (JsonNode s : get("client-scopes").json()) {
        if (s.path("name").asText().startsWith(PREFIX)) {
          call("DELETE", "client-scopes/" + s.path("id").asText(), null);
        }
      }
    }
  }

  // ---- the summary line ----

  static final class Stats {
    int runs;
    int shrinkRuns;
    int skippedShrinks;
    int checks;
    int actions;
    int requests;
    int successes;
    int tokens;
    final Map<Integer, Integer> refusals = new TreeMap<>();
    final Map<String, Integer> skippedViolations = new TreeMap<>();
    final long started = System.nanoTime();

    String summary() {
      return String.format(
          "ConfigApiInvariantsIT seed %s: %d sequence runs (%d while shrinking, %d shrink"
              + " candidates skipped), %d actions (%d succeeded), %d invariant checks, %d client"
              + " tokens checked, %d requests, refusals by status %s%s, %.0f s",
          SEED,
          runs,
          shrinkRuns,
          skippedShrinks,
          actions,
          successes,
          checks,
          tokens,
          requests,
          refusals,
          skippedViolations.isEmpty() ? "" : ", skipped violations " + skippedViolations,
          (System.nanoTime() - started) / 1e9);
    }
  }
}
