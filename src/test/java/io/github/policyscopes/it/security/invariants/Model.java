package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.api.ConfigApi;
import io.github.policyscopes.it.security.invariants.Held.ClientState;
import io.github.policyscopes.it.security.invariants.Held.Issued;
import io.github.policyscopes.it.security.invariants.Held.Scopes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The model of one sequence: what the config API should hold, as the actions made it (the policies
 * and clients this run created, who wrote each, the tokens used) and the log the failure message
 * shows. Every request of an action goes through {@link #send}, which hands the answer to the
 * {@link Checker}s; {@link #checkInvariants} hands them, after each step, what Keycloak holds.
 */
public final class Model {

  /** Actor {@code actor}, asking for the subset {@code mask} of what it may request. */
  record Act(int actor, int mask) {
    Fixed.Actor who(Fixed fx) {
      return fx.actors.get(actor);
    }

    List<String> requested(Fixed fx) {
      List<String> all = who(fx).requestable();
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

    String describe(Fixed fx) {
      return who(fx).name() + requested(fx);
    }
  }

  /** A token used in the sequence: who, what it asked for, its granted scopes. */
  record Token(String label, String jwt, ScopeSet scopes) {
    @Override
    public String toString() {
      return label;
    }
  }

  /** A policy the run knows: this run's, or a fixed one; the tokens that wrote it. */
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

  /** A client the run knows; the tokens that created or changed it. */
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

  /** A token a client got, and what whoami says it may do (null unless issued). */
  record Seen(Issued issued, @Nullable Reply whoami) {}

  /** A client made or changed through the API: what Keycloak holds, its authors, its tokens. */
  record Power(ClientRef client, ClientState state, List<Token> authors, List<Seen> tokens) {}

  final Env env;
  final Fixed fx;
  private final List<Checker> checkers;
  final int run;
  final List<PolicyRef> policies = new ArrayList<>();
  final List<ClientRef> clients = new ArrayList<>();
  final Map<String, PolicyRef> setupPolicies = new LinkedHashMap<>();
  final List<ClientRef> setupClients = new ArrayList<>();
  private final Map<String, Token> tokens = new HashMap<>();
  final List<String> log = new ArrayList<>();
  int created;

  private Model(Env env, List<Checker> checkers, int run) {
    this.env = env;
    this.fx = env.fx();
    this.checkers = checkers;
    this.run = run;
    setupPolicies.put(fx.x, new PolicyRef("X", fx.x, fx.titles.get(fx.x)));
    setupPolicies.put(Fixed.K, new PolicyRef("K", Fixed.K, fx.titles.get(Fixed.K)));
    for (Fixed.SetupClient c : fx.setupClients) {
      setupClients.add(new ClientRef(c.name(), c.uuid(), c.clientId(), true, c.privileged()));
    }
  }

  /** A new run on a clean server: the last run's leftovers removed, the fixed ones restored. */
  static Model fresh(Env env, List<Checker> checkers, boolean shrinking) {
    int run = ++env.stats().runs;
    if (shrinking) {
      env.stats().shrinkRuns++;
    }
    env.admin().removeSequenceLeftovers();
    env.fx().restore();
    return new Model(env, checkers, run);
  }

  // ---- targets ----

  /**
   * What {@code index} points to: mostly (3 in 4) something this run made, when there is one, else
   * one of the fixed resources. Smaller indexes are this run's first, so shrinking moves towards
   * them.
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

  String nameOfPolicy(String id) {
    for (PolicyRef p : policies) {
      if (p.id.equals(id)) {
        return p.name;
      }
    }
    return fx.names.getOrDefault(id, id);
  }

  String nameOfClient(String uuid) {
    for (ClientRef c : clients) {
      if (c.uuid.equals(uuid)) {
        return c.name;
      }
    }
    for (ClientRef c : setupClients) {
      if (c.uuid.equals(uuid)) {
        return c.name;
      }
    }
    return fx.names.getOrDefault(uuid, uuid);
  }

  String names(List<String> policyIds) {
    return policyIds.stream().map(this::nameOfPolicy).toList().toString();
  }

  // ---- requests, and the checkers on each answer ----

  /** An action's request: logged and counted. */
  Reply call(Token t, String method, String path, @Nullable Object body, String what) {
    return send(t, method, path, body, what, true);
  }

  private Reply send(
      Token t, String method, String path, @Nullable Object body, String what, boolean action) {
    Reply r = env.api().send(method, path, t.jwt(), body);
    env.stats().requests++;
    if (action) {
      env.stats().actions++;
      log.add(t.label() + " " + what + " → " + r.status() + brief(r));
      if (r.is2xx()) {
        env.stats().successes++;
      } else {
        env.stats().refusals.merge(r.status(), 1, Integer::sum);
      }
    }
    checkers.forEach(c -> c.answer(this, t, method, path, r));
    return r;
  }

  /** The client as Keycloak holds it now, before an act-as request (null if there is none). */
  @Nullable ClientState before(ClientRef c) {
    return ClientState.of(env, c.uuid, Scopes.read(env.admin()));
  }

  /** A successful act-as request (PUT, DELETE, the secret) on {@code c}, as it was before. */
  void actedAs(Token t, ClientRef c, @Nullable ClientState before, String what) {
    checkers.forEach(k -> k.actedAs(this, t, c, before, what));
  }

  /** Lists a collection ({@code tokenPolicies} or {@code clients}) and checks what it shows. */
  void list(Token t, String collection, boolean action) {
    Reply r =
        send(t, "GET", "config/" + collection + "?max=1000", null, "lists " + collection, action);
    if (r.is2xx()) {
      checkers.forEach(c -> c.listed(this, t, collection, r.json()));
    }
  }

  // ---- the checkers after each step ----

  /** After each step: every actor lists both collections; what Keycloak holds is checked. */
  public void checkInvariants() {
    env.stats().checks++;
    for (int i = 0; i < fx.actors.size(); i++) {
      Token full = token(new Act(i, 0xffff));
      list(full, "tokenPolicies", false);
      list(full, "clients", false);
    }
    Scopes scopes = Scopes.read(env.admin());
    checkers.forEach(c -> c.held(this, scopes));
    for (ClientRef c : new ArrayList<>(clients)) {
      if (!c.operator) {
        Power power = power(c, scopes);
        if (power != null) {
          checkers.forEach(k -> k.power(this, power));
        }
      }
    }
  }

  /**
   * What a client made or changed through the API can get: the grants its policies hold, and the
   * tokens it obtains with what whoami says each may do; its authors are the tokens that created or
   * changed it or wrote one of its policies. Null (and forgotten) when the client is deleted.
   */
  private @Nullable Power power(ClientRef c, Scopes scopes) {
    ClientState s = ClientState.of(env, c.uuid, scopes);
    if (s == null) {
      clients.remove(c);
      return null;
    }
    List<Token> authors = new ArrayList<>(c.authors);
    for (String policyId : s.policyIds()) {
      policies.stream().filter(p -> p.id.equals(policyId)).forEach(p -> authors.addAll(p.writers));
      PolicyRef setup = setupPolicies.get(policyId);
      if (setup != null) {
        authors.addAll(setup.writers);
      }
    }
    List<Seen> seen = new ArrayList<>();
    for (Issued issued : s.tokens(env)) {
      Reply whoami = null;
      if (issued.reply().status() == 200) {
        env.stats().tokens++;
        whoami =
            env.api()
                .get(issued.jwt(), "config/whoami?method=PUT&path=config/tokenPolicies/" + Fixed.K);
        env.stats().requests++;
      }
      seen.add(new Seen(issued, whoami));
    }
    return new Power(c, s, authors, seen);
  }

  // ---- plumbing ----

  Token token(Act a) {
    List<String> requested = a.requested(fx);
    String label = a.who(fx).name() + requested;
    return tokens.computeIfAbsent(
        label,
        k -> {
          Fixed.Actor who = a.who(fx);
          Reply reply =
              env.http()
                  .clientCredentials(who.clientId(), who.secret(), String.join(" ", requested));
          env.stats().requests++;
          if (reply.status() != 200) {
            throw new IllegalStateException("actor token for " + label + ": " + reply);
          }
          String jwt = reply.json().path("access_token").asText();
          return new Token(label, jwt, ScopeSet.parse(ConfigApi.scopeOf(jwt)));
        });
  }

  /** Fails the run with the sequence as it ran, unless {@code invariant} is skipped. */
  void violation(String invariant, String message) {
    if (env.skip().contains(invariant)) {
      env.stats().skippedViolations.merge(invariant, 1, Integer::sum);
      return;
    }
    throw new AssertionError(trace("[" + invariant + "] " + message));
  }

  public String trace(String headline) {
    StringBuilder out = new StringBuilder();
    out.append(headline).append('\n');
    out.append("seed ")
        .append(env.seed())
        .append(", run ")
        .append(run)
        .append("; the sequence as it ran:\n");
    for (int i = 0; i < log.size(); i++) {
      out.append(String.format("  %2d. %s%n", i + 1, log.get(i)));
    }
    out.append("fixed: ").append(fx.legend());
    return out.toString();
  }

  private static String brief(Reply r) {
    if (r.is2xx()) {
      return "";
    }
    JsonNode body = r.jsonOrEmpty();
    String error = body.path("error_description").asText("");
    if (error.isEmpty()) {
      error = body.path("error").asText("");
    }
    return error.isEmpty()
        ? ""
        : " (" + (error.length() > 120 ? error.substring(0, 120) + "…" : error) + ")";
  }

  @Override
  public String toString() {
    return "run " + run + ": " + log.size() + " requests";
  }
}
