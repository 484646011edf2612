package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.api.ConfigApi;
import io.github.policyscopes.it.security.invariants.Held.ClientState;
import io.github.policyscopes.it.security.invariants.Model.Act;
import io.github.policyscopes.it.security.invariants.Model.ClientRef;
import io.github.policyscopes.it.security.invariants.Model.PolicyRef;
import io.github.policyscopes.it.security.invariants.Model.Token;
import java.util.ArrayList;
import java.util.List;

/**
 * The operations a sequence is made of: an actor's request to the config API, or the operator's
 * hand-over; each updates the {@link Model} with what succeeded (who wrote what).
 */
final class Operations {

  static final String CC = Held.CC;
  static final String PASSWORD = Held.PASSWORD;
  static final String CODE = "authorization_code";
  static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  private Operations() {}

  static void createPolicy(Model m, Act a, List<String> entries) {
    Token t = m.token(a);
    String name = "p" + ++m.created;
    String title = Admin.PREFIX + m.run + "-" + name;
    Reply r =
        m.call(
            t,
            "POST",
            "config/tokenPolicies",
            ConfigApi.policyBody(title, entries.toArray(String[]::new)),
            "creates " + name + " " + entries);
    if (r.status() == 201) {
      PolicyRef p = new PolicyRef(name, r.json().path("id").asText(), title);
      p.writers.add(t);
      m.policies.add(p);
      m.fx.names.put(p.id, name);
    }
  }

  static void updatePolicy(Model m, Act a, int target, List<String> entries) {
    Token t = m.token(a);
    PolicyRef p = Model.pick(m.policies, new ArrayList<>(m.setupPolicies.values()), target);
    Reply r =
        m.call(
            t,
            "PUT",
            "config/tokenPolicies/" + p.id,
            ConfigApi.policyBody(p.title, entries.toArray(String[]::new)),
            "updates " + p.name + " to " + entries);
    if (r.is2xx()) {
      p.writers.add(t);
    }
  }

  static void deletePolicy(Model m, Act a, int target) {
    Token t = m.token(a);
    PolicyRef p = Model.pick(m.policies, new ArrayList<>(m.setupPolicies.values()), target);
    Reply r = m.call(t, "DELETE", "config/tokenPolicies/" + p.id, null, "deletes " + p.name);
    if (r.is2xx()) {
      m.policies.remove(p);
    }
  }

  static void createClient(Model m, Act a, String type, List<String> grants, List<Integer> picks) {
    Token t = m.token(a);
    String name = "c" + ++m.created;
    String clientId = Admin.PREFIX + m.run + "-" + name;
    List<String> bound = picks.stream().map(m::pickPolicy).distinct().toList();
    ObjectNode body = ConfigApi.JSON.createObjectNode();
    body.put("clientId", clientId);
    body.put("type", type);
    putGrants(body, grants);
    body.putArray("tokenPolicies").addAll(strings(bound));
    Reply r =
        m.call(
            t,
            "POST",
            "config/clients",
            body,
            "creates " + type + " client " + name + " " + grants + " bound to " + m.names(bound));
    if (r.status() == 201) {
      ClientRef c = new ClientRef(name, r.json().path("id").asText(), clientId, false, false);
      c.authors.add(t);
      m.clients.add(c);
      m.fx.names.put(c.uuid, name);
    }
  }

  static void updateClient(
      Model m,
      Act a,
      int target,
      int fields,
      String type,
      List<String> grants,
      List<Integer> picks) {
    Token t = m.token(a);
    ClientRef c = Model.pick(m.clients, m.setupClients, target);
    ClientState before = m.before(c);
    ObjectNode body = ConfigApi.JSON.createObjectNode();
    List<String> changed = new ArrayList<>();
    if ((fields & 1) != 0) {
      body.put("type", type);
      changed.add("type=" + type);
    }
    if ((fields & 2) != 0) {
      putGrants(body, grants);
      changed.add("grantTypes=" + grants);
    }
    if ((fields & 4) != 0) {
      List<String> bound = picks.stream().map(m::pickPolicy).distinct().toList();
      body.putArray("tokenPolicies").addAll(strings(bound));
      changed.add("tokenPolicies=" + m.names(bound));
    }
    Reply r =
        m.call(t, "PUT", "config/clients/" + c.uuid, body, "updates " + c.name + " " + changed);
    if (r.is2xx()) {
      m.actedAs(t, c, before, "PUT");
      if (!c.authors.contains(t)) {
        c.authors.add(t);
      }
      if (c.operator && !m.setupClients.contains(c)) {
        c.operator = false; // an actor now decides what it is bound to
      }
    }
  }

  static void secret(Model m, Act a, int target, String method) {
    Token t = m.token(a);
    ClientRef c = Model.pick(m.clients, m.setupClients, target);
    ClientState before = m.before(c);
    String path = "config/clients/" + c.uuid + "/secret";
    Reply r = m.call(t, method, path, null, method + " secret of " + c.name);
    if (r.is2xx()) {
      m.actedAs(t, c, before, method + " …/secret");
    }
  }

  static void deleteClient(Model m, Act a, int target) {
    Token t = m.token(a);
    ClientRef c = Model.pick(m.clients, m.setupClients, target);
    ClientState before = m.before(c);
    Reply r = m.call(t, "DELETE", "config/clients/" + c.uuid, null, "deletes " + c.name);
    if (r.is2xx()) {
      m.actedAs(t, c, before, "DELETE");
      m.clients.remove(c);
    }
  }

  static void list(Model m, Act a, String collection) {
    m.list(m.token(a), collection, true);
  }

  /** The operator makes a client bound to a policy and hands it over (privileged: view-users). */
  static void handOver(Model m, int target, boolean privileged) {
    String name = "h" + ++m.created;
    String clientId = Admin.PREFIX + m.run + "-" + name;
    String policy = m.pickPolicy(target);
    String uuid =
        m.env
            .admin()
            .createSetupClient(
                null, clientId, "handed-over-secret", List.of(policy), true, privileged);
    if (privileged) {
      m.fx.privilegedClients.add(uuid);
    }
    m.clients.add(new ClientRef(name, uuid, clientId, true, privileged));
    m.env.stats().actions++;
    m.fx.names.put(uuid, name);
    m.log.add(
        "operator hands over "
            + name
            + " bound to "
            + m.nameOfPolicy(policy)
            + (privileged ? " (service account holds realm-management/view-users)" : ""));
  }

  private static void putGrants(ObjectNode body, List<String> grants) {
    body.putArray("grantTypes").addAll(strings(grants));
    if (grants.contains(CODE)) {
      body.putArray("redirectUris").add("http://localhost:8080/callback");
    }
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode out = ConfigApi.JSON.createArrayNode();
    values.forEach(out::add);
    return out;
  }
}
