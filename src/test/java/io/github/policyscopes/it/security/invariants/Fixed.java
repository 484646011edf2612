package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The fixed resources, made once by the operator and restored before every sequence: X = {@code
 * *:**} bound to the handed-over client Y; W = {@code openid .:config/clients} bound to the
 * handed-over client Z, whose service account holds {@code realm-management/view-users}; the five
 * actors A to E, each with denies that protect something; the demo's K, R and WEB.
 */
public final class Fixed {

  static final String K = Fixtures.CONFIG_POLICY_ID;
  static final String R = Fixtures.READ_ONLY_POLICY_ID;
  static final String WEB = "c3f1e2d4-7b8a-4c5d-9e6f-0a1b2c3d4e5f";
  static final String UNKNOWN = "00000000-0000-4000-8000-000000000000";

  /** A client the operator made in setup (or the demo's config-admin), restored before each run. */
  record SetupClient(
      String name,
      String clientId,
      String uuid,
      String secret,
      List<String> policies,
      boolean handedOver,
      boolean privileged) {}

  /** A confidential client with config power: one may act as it, asking for its requestable. */
  record Actor(
      String name,
      String clientId,
      String secret,
      String uuid,
      String policyId,
      List<String> requestable) {}

  /** A write no author of a client may do unless it says so: method, path, a name for messages. */
  record Target(String method, String path, String name) {}

  private final Admin admin;

  /** Names of the fixed resources: unique, so that a server can be reused. */
  private final String prefix = Fixtures.unique("fixture");

  final String x;
  final String w;
  final List<Actor> actors = new ArrayList<>();
  final List<SetupClient> setupClients = new ArrayList<>();
  final Map<String, String> titles = new HashMap<>();
  final Map<String, String> names = new HashMap<>();
  final Set<String> privilegedClients = new LinkedHashSet<>();
  final List<Target> protectedTargets = new ArrayList<>();
  private final Map<String, JsonNode> mappers = new HashMap<>();
  private final Map<String, JsonNode> reps = new HashMap<>();
  private final Set<String> demoClients = new LinkedHashSet<>();
  final SetupClient y;
  final SetupClient z;
  final List<String> bindable;
  final Entries entries;
  final String request;

  private Fixed(Admin admin) {
    this.admin = admin;
    x = admin.createPolicy(prefix + "-x", List.of("*:**"));
    w = admin.createPolicy(prefix + "-w", List.of("openid", ".:config/clients"));
    y = setupClient("Y", prefix + "-y", List.of(x), true, false);
    z = setupClient("Z", prefix + "-z", List.of(w), true, true);
    actors(y.uuid());
    for (String demo : List.of("config-admin", "config-reader", "web-app")) {
      demoClients.add(admin.clientUuid(demo));
    }
    for (String id : List.of(x, w, K, R, WEB)) {
      JsonNode scope = admin.get("client-scopes/" + id).json();
      String description = scope.path("description").asText("");
      titles.put(id, description.isBlank() ? scope.path("name").asText() : description);
    }
    for (String id : List.of(x, K)) {
      mappers.put(id, admin.get("client-scopes/" + id + "/protocol-mappers/models").json().get(0));
    }
    for (SetupClient c : setupClients) {
      reps.put(c.uuid(), admin.get("clients/" + c.uuid()).json());
      names.put(c.uuid(), c.name());
    }
    names.putAll(Map.of(x, "X", w, "W", K, "K", R, "R", WEB, "WEB", UNKNOWN, "unknown"));
    bindable = new ArrayList<>(List.of(x, w, K, R, WEB));
    actors.stream().filter(a -> !a.policyId().equals(K)).forEach(a -> bindable.add(a.policyId()));
    bindable.add(UNKNOWN);
    entries = Entries.protecting(K, x, y.uuid(), z.uuid());
    request =
        entries.requestForAll(actors.stream().flatMap(a -> a.requestable().stream()).toList());
    target("PUT", "config/tokenPolicies/" + K, "policy K");
    target("PUT", "config/tokenPolicies/" + x, "policy X");
    target("PUT", "config/clients/" + y.uuid(), "client Y");
    target("GET", "config/clients/" + y.uuid() + "/secret", "Y's secret");
    target("PUT", "config/clients/" + z.uuid(), "client Z");
    target("POST", "config/clients/" + z.uuid() + "/secret", "Z's secret");
    for (Actor a : actors) {
      target("PUT", "config/tokenPolicies/" + a.policyId(), a.name() + "'s policy");
      target("POST", "config/clients/" + a.uuid() + "/secret", a.name() + "'s secret");
    }
  }

  static Fixed create(Admin admin) {
    Fixed f = new Fixed(admin);
    System.out.println("ConfigApiInvariantsIT fixture: " + f.legend());
    return f;
  }

  /** A, B, C, D made here (denying K, X and the protected client Y), E the demo's config-admin. */
  private void actors(String y) {
    actor(
        "A",
        List.of(
            "*:**",
            "openid",
            "-:config/tokenPolicies/" + K,
            "-:config/tokenPolicies/" + x,
            "-:config/clients/" + y),
        List.of("*:**", "*:config/**", "*:config/clients/**", "*:config/tokenPolicies/**"));
    actor(
        "B",
        List.of(
            "*:config/clients/**",
            ".:config/tokenPolicies/**",
            "-:config/clients/" + y,
            "-:config/tokenPolicies/" + x),
        List.of("*:config/clients/**", ".:config/tokenPolicies/**", ".:config/clients/**"));
    actor(
        "C",
        List.of(
            "*:config/tokenPolicies/**",
            "-:config/tokenPolicies/" + K,
            "-:config/tokenPolicies/" + x),
        List.of("*:config/tokenPolicies/**", ".:config/tokenPolicies/**"));
    actor(
        "D",
        List.of(".:**", "-:config/clients/" + y, "-:config/tokenPolicies/" + x),
        List.of(".:**", ".:config/clients/**"));
    String configAdmin = admin.clientUuid("config-admin");
    String secret = "config-admin-secret";
    actors.add(
        new Actor(
            "E",
            "config-admin",
            secret,
            configAdmin,
            K,
            List.of("*:**", "*:config/tokenPolicies", "*:config/clients/**", "openid")));
    setupClients.add(
        new SetupClient("E-client", "config-admin", configAdmin, secret, List.of(K), false, false));
  }

  private SetupClient setupClient(
      String name, String clientId, List<String> policies, boolean handedOver, boolean privileged) {
    String secret = clientId + "-secret";
    String uuid = admin.createSetupClient(null, clientId, secret, policies, handedOver, privileged);
    if (privileged) {
      privilegedClients.add(uuid);
    }
    SetupClient c = new SetupClient(name, clientId, uuid, secret, policies, handedOver, privileged);
    setupClients.add(c);
    return c;
  }

  private void actor(String name, List<String> policy, List<String> requestable) {
    String policyId = admin.createPolicy(prefix + "-actor-" + name.toLowerCase(), policy);
    String clientId = prefix + "-actor-" + name.toLowerCase();
    SetupClient c = setupClient(name + "-client", clientId, List.of(policyId), false, false);
    actors.add(new Actor(name, clientId, c.secret(), c.uuid(), policyId, requestable));
    titles.put(policyId, clientId + " (test policy)");
    names.put(policyId, "P" + name);
  }

  private void target(String method, String path, String name) {
    protectedTargets.add(new Target(method, path, name));
  }

  /** Whether the API may list this client: created through it in this run, or handed over. */
  boolean managed(Model m, String uuid) {
    return m.clients.stream().anyMatch(c -> c.uuid.equals(uuid))
        || uuid.equals(y.uuid())
        || uuid.equals(z.uuid())
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
        + y.uuid()
        + " (handed over, bound to X), Z="
        + z.uuid()
        + " (handed over, bound to W, service account with realm-management/view-users); actors "
        + actors.stream().map(a -> a.name() + "=" + a.clientId()).toList();
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
        admin.ok(admin.call("PUT", models + "/" + m.getValue().path("id").asText(), m.getValue()));
      }
    }
    Held.Scopes scopes = null;
    for (SetupClient c : setupClients) {
      Reply now = admin.call("GET", "clients/" + c.uuid(), null);
      if (now.status() == 404) {
        admin.createSetupClient(
            c.uuid(), c.clientId(), c.secret(), c.policies(), c.handedOver(), c.privileged());
        continue;
      }
      JsonNode rep = now.json();
      JsonNode was = reps.get(c.uuid());
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
        same &= rep.path(field).equals(was.path(field));
      }
      if (!same) {
        admin.ok(admin.call("PUT", "clients/" + c.uuid(), was));
      }
      Set<String> want = names(was.path("defaultClientScopes"));
      Set<String> have = names(rep.path("defaultClientScopes"));
      if (!want.equals(have)) {
        scopes = scopes == null ? Held.Scopes.read(admin) : scopes;
        rebind(c.uuid(), want, have, scopes);
      }
    }
  }

  private static Set<String> names(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Binds what the client had ({@code want}) again, unbinds what it has besides. */
  private void rebind(String uuid, Set<String> want, Set<String> have, Held.Scopes scopes) {
    for (String name : have) {
      @Nullable String id = scopes.ids().get(name);
      if (!want.contains(name) && id != null) {
        admin.call("DELETE", "clients/" + uuid + "/default-client-scopes/" + id, null);
      }
    }
    for (String name : want) {
      @Nullable String id = scopes.ids().get(name);
      if (!have.contains(name) && id != null) {
        admin.call("PUT", "clients/" + uuid + "/default-client-scopes/" + id, null);
      }
    }
  }
}
