package io.github.policyscopes.it.cluster;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.AdminRest;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The writes of {@link ClusterIT}'s kill -9: writers creating policies and clients on one node
 * until it dies, what that node acknowledged (a 201), and the checks that every acknowledged write
 * is complete on a node and that nothing of the run is half-written.
 */
final class CrashRun {

  /** A policy the node acknowledged. */
  record AckPolicy(String id, String title, List<String> allowed) {}

  /** A client the node acknowledged. */
  record AckClient(String id, String clientId, String policyId, String secret) {}

  final String run = Fixtures.unique("crash");
  final List<AckPolicy> policies = Collections.synchronizedList(new ArrayList<>());
  final List<AckClient> clients = Collections.synchronizedList(new ArrayList<>());

  /** Every answer before the kill, {@code "policy 3: 201"}. */
  final List<String> answers = Collections.synchronizedList(new ArrayList<>());

  /** Per writer, what it was doing when its node died. */
  final Map<Integer, String> inFlight = new ConcurrentSkipListMap<>();

  /**
   * Starts {@code writers} threads that write through {@code api} until a request fails (the node
   * died); {@code enough} counts down on every acknowledged client.
   */
  List<Thread> startWriters(ConfigApi api, String token, int writers, CountDownLatch enough) {
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int first = w * 1000;
      threads.add(new Thread(() -> write(api, token, first, enough), "crash-writer-" + w));
    }
    threads.forEach(Thread::start);
    return threads;
  }

  private void write(ConfigApi api, String token, int first, CountDownLatch enough) {
    for (int i = first; ; i++) {
      String title = run + "-policy-" + i;
      List<String> allowed = List.of(".:config/tokenPolicies", run + "-scope-" + i);
      try {
        inFlight.put(first, "create of policy " + i);
        Reply policy =
            api.post(
                token,
                "config/tokenPolicies",
                ConfigApi.policyBody(title, allowed.toArray(String[]::new)));
        answers.add("policy " + i + ": " + policy.status());
        if (policy.status() != 201) {
          continue;
        }
        String policyId = policy.json().get("id").asText();
        policies.add(new AckPolicy(policyId, title, allowed));
        inFlight.put(first, "create of client " + i);
        String clientId = run + "-client-" + i;
        Reply client = api.post(token, "config/clients", ConfigApi.clientBody(clientId, policyId));
        answers.add("client " + i + ": " + client.status());
        if (client.status() == 201) {
          JsonNode json = client.json();
          clients.add(
              new AckClient(
                  json.get("id").asText(), clientId, policyId, json.get("secret").asText()));
          enough.countDown();
        }
      } catch (RuntimeException killed) {
        inFlight.computeIfPresent(
            first, (k, v) -> v + " (" + killed.getClass().getSimpleName() + ")");
        return;
      }
    }
  }

  /** Every acknowledged policy and client, read through the config API and used for a token. */
  void assertAcknowledgedWritesComplete(ConfigApi api, TestClient http, String node) {
    String token = api.token("config-admin", "config-admin-secret", "*:**");
    for (AckPolicy policy : policies) {
      Reply read = api.get(token, "config/tokenPolicies/" + policy.id());
      assertThat(read)
          .as("acknowledged policy %s on %s", policy.title(), node)
          .hasStatus(200)
          .hasJson("/title", policy.title());
      assertThat(ConfigApi.strings(read.json(), "allowedScopes"))
          .as("policy %s on %s", policy.title(), node)
          .containsExactlyInAnyOrderElementsOf(policy.allowed());
    }
    for (AckClient client : clients) {
      Reply read = api.get(token, "config/clients/" + client.id());
      assertThat(read).as("acknowledged client %s on %s", client.clientId(), node).hasStatus(200);
      assertThat(ConfigApi.strings(read.json(), "tokenPolicies"))
          .as("binding of %s on %s", client.clientId(), node)
          .containsExactly(client.policyId());
      assertThat(
              ClusterIT.grantedOn(
                  http, client.clientId(), client.secret(), ".:config/tokenPolicies"))
          .as("a token of %s on %s", client.clientId(), node)
          .containsExactly(".:config/tokenPolicies");
    }
  }

  /**
   * Every client scope and client of the run, acknowledged or not, as Keycloak's admin REST API
   * lists them: a policy always has its mapper, a client always its binding and the config API's
   * view. Returns the numbers found.
   */
  int[] assertNothingHalfWritten(AdminRest admin, Fixtures fixtures, ConfigApi api) {
    String realm = "realms/" + TestClient.REALM;
    List<JsonNode> found =
        fixtures.clientScopes().stream()
            .filter(scope -> scope.path("description").asText().startsWith(run))
            .toList();
    Set<String> policyIds =
        found.stream().map(p -> p.get("id").asText()).collect(Collectors.toSet());
    assertThat(policyIds).containsAll(policies.stream().map(AckPolicy::id).toList());
    for (JsonNode policy : found) {
      List<String> mappers = new ArrayList<>();
      policy.path("protocolMappers").forEach(m -> mappers.add(m.path("protocolMapper").asText()));
      assertThat(mappers)
          .as("client scope %s carries the policy mapper", policy.path("name").asText())
          .containsExactly("pbs-token-policy");
    }
    Reply listed = admin.call("GET", realm + "/clients?search=true&max=1000&clientId=" + run, null);
    assertThat(listed).hasStatus(200);
    List<JsonNode> made = new ArrayList<>();
    listed.json().forEach(made::add);
    assertThat(made.stream().map(c -> c.get("clientId").asText()).toList())
        .containsAll(clients.stream().map(AckClient::clientId).toList());
    String token = api.token("config-admin", "config-admin-secret", "*:**");
    for (JsonNode client : made) {
      String uuid = client.get("id").asText();
      Reply scopes = admin.call("GET", realm + "/clients/" + uuid + "/default-client-scopes", null);
      List<String> bound = new ArrayList<>();
      scopes.json().forEach(s -> bound.add(s.get("id").asText()));
      assertThat(bound)
          .as("client %s is bound to its policy", client.get("clientId").asText())
          .anyMatch(policyIds::contains);
      Reply view = api.get(token, "config/clients/" + uuid);
      assertThat(view).as("the config API's view of " + client.get("clientId")).hasStatus(200);
      assertThat(ConfigApi.strings(view.json(), "tokenPolicies"))
          .hasSize(1)
          .allMatch(policyIds::contains);
    }
    return new int[] {found.size(), made.size()};
  }
}
