package io.github.policyscopes.it.cluster;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import io.github.policyscopes.it.foreign.ForeignGrant;
import io.github.policyscopes.it.foreign.ForeignGrantTypeFactory;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Keycloak nodes on one PostgreSQL, clustered (Infinispan, jdbc-ping), with the extension; then
 * the same data without the extension. The tests run in order, on one cluster: they form one
 * cluster; an edit on one node is enforced on the other at once; concurrent {@code If-Match} writes
 * spread over both nodes have one winner; a kill -9 loses no acknowledged write and leaves nothing
 * half-written; the killed node rejoins; told it runs on an unsupported Keycloak, the extension
 * stays inactive (one error, stock behaviour); uninstalled, every realm keeps working. Every phase
 * prints its figures and its wall time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  private static final Duration VIEW_TIMEOUT = Duration.ofSeconds(180);
  private static final int ROUNDS = Integer.getInteger("cluster.rounds", 10);
  private static final int WRITERS = 8;
  private static final int CRASH_CLIENTS = 8;
  private static final int CRASH_WRITERS = 3;

  private static KeycloakCluster cluster;
  private static TestClient httpA;
  private static TestClient httpB;
  private static Fixtures fixturesA;
  private static Fixtures fixturesB;
  private static ConfigApi apiA;
  private static ConfigApi apiB;
  private static final Map<String, Double> timings = new LinkedHashMap<>();
  private static long testStarted;

  /** What node A acknowledged before the kill: read again after the restart and uninstalled. */
  private record AckPolicy(String id, String title, List<String> allowed) {}

  private record AckClient(String id, String clientId, String policyId, String secret) {}

  private static final List<AckPolicy> ackPolicies =
      Collections.synchronizedList(new ArrayList<>());
  private static final List<AckClient> ackClients = Collections.synchronizedList(new ArrayList<>());
  private static String crashRun;

  @BeforeAll
  static void startCluster() throws Exception {
    Path logDir = Path.of(KeycloakServerExtension.required("keycloak.log.dir")).resolve("cluster");
    cluster =
        KeycloakCluster.start(
            Path.of(KeycloakServerExtension.required("keycloak.home")),
            Path.of(KeycloakServerExtension.required("keycloak.cluster.dir")),
            Path.of(KeycloakServerExtension.required("extension.jar")),
            Path.of(KeycloakServerExtension.required("realm.export.dir")),
            logDir,
            null);
    timings.putAll(cluster.timings());
    System.out.printf(
        "Cluster: PostgreSQL %s on 127.0.0.1:%d (as %s); kc-A %s, kc-B %s; hostname %s; logs %s%n",
        "17",
        cluster.database().port(),
        PostgresServer.runsAs(),
        cluster.a().baseUrl(),
        cluster.b().baseUrl(),
        cluster.hostname(),
        logDir);
    printTimings();
    httpA = new TestClient(cluster.a().baseUrl());
    httpB = new TestClient(cluster.b().baseUrl());
    fixturesA = new Fixtures(httpA);
    fixturesB = new Fixtures(httpB);
    apiA = fixturesA.api();
    apiB = fixturesB.api();
  }

  @AfterAll
  static void stopCluster() {
    printTimings();
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void startClock() {
    testStarted = System.nanoTime();
  }

  @AfterEach
  void stopClock(TestInfo info) {
    timings.put(
        "test " + info.getTestMethod().orElseThrow().getName(),
        (System.nanoTime() - testStarted) / 1e9);
  }

  private static void printTimings() {
    StringBuilder out = new StringBuilder("Cluster timings:\n");
    timings.forEach(
        (phase, seconds) -> out.append(String.format("  %6.1f s  %s%n", seconds, phase)));
    System.out.print(out);
  }

  // ---- 1. one cluster ----

  @Test
  @Order(1)
  void theTwoNodesFormOneCluster() throws Exception {
    List<List<String>> views = cluster.awaitViews(2, VIEW_TIMEOUT);
    System.out.println("Cluster view on kc-A: " + cluster.a().lastViewLine().orElse("(none)"));
    System.out.println("Cluster view on kc-B: " + cluster.b().lastViewLine().orElse("(none)"));
    for (List<String> view : views) {
      assertThat(view).as("the cluster view").hasSize(2);
      assertThat(view).anyMatch(member -> member.startsWith("kc-A"));
      assertThat(view).anyMatch(member -> member.startsWith("kc-B"));
    }
  }

  // ---- 2. an edit on one node is enforced on the other at once ----

  @Test
  @Order(2)
  void aPolicyEditedOnOneNodeIsReadAndEnforcedOnTheOtherAtOnce() {
    String token = fixturesA.allPowerToken();
    String title = Fixtures.unique("Cluster propagation");
    String id = apiA.createPolicy(token, title, ".:config/tokenPolicies").get("id").asText();
    String path = "config/tokenPolicies/" + id;

    Reply onB = apiB.get(token, path);
    assertThat(onB).as("created on A, read on B: " + onB).hasStatus(200);
    assertThat(ConfigApi.strings(onB.json(), "allowedScopes"))
        .containsExactly(".:config/tokenPolicies");

    String clientId = Fixtures.unique("cluster-propagation");
    JsonNode client = apiA.createClient(token, clientId, id);
    String secret = client.get("secret").asText();
    String requested = ".:config/tokenPolicies .:config/clients";
    assertThat(grantedOn(httpB, clientId, secret, requested))
        .as("a token on B follows the policy created on A")
        .contains(".:config/tokenPolicies")
        .doesNotContain(".:config/clients");

    // edit on A, with the ETag read on B (binding a client changed it): B reads the new policy
    // and issues by it at once (no wait, no retry)
    String etagOnB = apiB.get(token, path).header("ETag");
    Reply edited =
        apiA.send(
            "PUT",
            path,
            token,
            ConfigApi.policyBody(title, ".:config/clients"),
            "If-Match",
            etagOnB);
    assertThat(edited).hasStatus(200);
    long t = System.nanoTime();
    Reply readOnB = apiB.get(token, path);
    List<String> grantedOnB = grantedOn(httpB, clientId, secret, requested);
    double seconds = (System.nanoTime() - t) / 1e9;
    assertThat(readOnB).hasStatus(200);
    assertThat(ConfigApi.strings(readOnB.json(), "allowedScopes"))
        .containsExactly(".:config/clients");
    assertThat(readOnB).hasHeader("ETag", edited.header("ETag"));
    assertThat(grantedOnB)
        .as("a token on B follows the edit made on A")
        .contains(".:config/clients")
        .doesNotContain(".:config/tokenPolicies");

    // and the other way round: edit on B, enforced on A
    Reply back =
        apiB.send(
            "PUT",
            path,
            token,
            ConfigApi.policyBody(title, ".:config/tokenPolicies"),
            "If-Match",
            readOnB.header("ETag"));
    assertThat(back).hasStatus(200);
    assertThat(ConfigApi.strings(apiA.get(token, path).json(), "allowedScopes"))
        .containsExactly(".:config/tokenPolicies");
    assertThat(grantedOn(httpA, clientId, secret, requested))
        .as("a token on A follows the edit made on B")
        .contains(".:config/tokenPolicies")
        .doesNotContain(".:config/clients");
    System.out.printf(
        "Propagation: right after the edit on kc-A, kc-B read it and issued by it (%.3f s for the"
            + " read and the token request): %s%n",
        seconds, grantedOnB);
  }

  /**
   * The config API's lists are cached on each node (docs/adr/0035): an edit made through Keycloak's
   * own admin REST API on node A (a title, a binding, a deletion) is in node B's list, page and
   * {@code GET}, which B read (and cached) just before.
   */
  @Test
  @Order(2)
  void anEditInKeycloakOnOneNodeIsInTheListOnTheOther() {
    String token = fixturesA.allPowerToken();
    String id = fixturesA.policy("cluster-list", ".:config/clients/*");
    String path = "config/tokenPolicies/" + id;
    assertThat(listedOn(apiB, token, id)).as("on B before the edit").isNotNull();
    assertThat(apiB.get(token, path)).hasStatus(200);

    String scope = "realms/" + TestClient.REALM + "/client-scopes/" + id;
    ObjectNode rep = (ObjectNode) httpA.admin("GET", scope, null).json();
    String title = Fixtures.unique("Renamed on A");
    rep.put("description", title);
    assertThat(httpA.admin("PUT", scope, rep)).hasStatus(204);
    assertThat(listedOn(apiB, token, id).get("title").asText()).isEqualTo(title);
    assertThat(apiB.get(token, path).json().get("title").asText()).isEqualTo(title);

    String clientUuid =
        apiA.createClient(token, Fixtures.unique("cluster-list-client")).get("id").asText();
    assertThat(ConfigApi.strings(listedOn(apiB, token, id), "clients")).isEmpty();
    fixturesA.bind(clientUuid, id);
    assertThat(ConfigApi.strings(listedOn(apiB, token, id), "clients")).containsExactly(clientUuid);
    fixturesA.unbind(clientUuid, id);
    assertThat(ConfigApi.strings(apiB.get(token, path).json(), "clients")).isEmpty();

    assertThat(httpA.admin("DELETE", scope, null)).hasStatus(204);
    assertThat(listedOn(apiB, token, id)).as("deleted on A").isNull();
    assertThat(apiB.get(token, path)).hasStatus(404);
  }

  /** A policy's view in a node's list (every page walked), or null when it is not listed. */
  private static JsonNode listedOn(ConfigApi api, String token, String id) {
    JsonNode found = null;
    int total = api.get(token, "config/tokenPolicies?max=1").json().get("total").asInt();
    for (int first = 0; first < total; first += 1000) {
      JsonNode page = api.get(token, "config/tokenPolicies?first=" + first + "&max=1000").json();
      for (JsonNode p : page.get("tokenPolicies")) {
        if (p.get("id").asText().equals(id)) {
          found = p;
        }
      }
    }
    return found;
  }

  private static List<String> grantedOn(
      TestClient node, String clientId, String secret, String scope) {
    Reply reply = node.clientCredentials(clientId, secret, scope);
    assertThat(reply).as("token of " + clientId).hasStatus(200);
    String granted = ConfigApi.scopeOf(reply.json().get("access_token").asText());
    return granted.isEmpty() ? List.of() : Arrays.asList(granted.split(" "));
  }

  // ---- 3. one winner across nodes ----

  private record Outcome(int writer, String node, int status, String body) {}

  @Test
  @Order(3)
  void concurrentIfMatchPutsSpreadOverBothNodesHaveExactlyOneWinner() throws Exception {
    String token = fixturesA.allPowerToken();
    List<String> failures = new ArrayList<>();
    int totalWinners = 0;
    int total412 = 0;
    int total5xx = 0;
    int roundsWithOneWinner = 0;
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      for (int round = 1; round <= ROUNDS; round++) {
        String title = Fixtures.unique("Cluster race");
        String id = apiA.createPolicy(token, title, "race-initial").get("id").asText();
        String path = "config/tokenPolicies/" + id;
        String etag = apiB.get(token, path).header("ETag");
        assertThat(etag).isNotNull();

        CountDownLatch ready = new CountDownLatch(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
          int writer = i;
          ConfigApi api = writer % 2 == 0 ? apiA : apiB;
          String node = writer % 2 == 0 ? "A" : "B";
          futures.add(
              pool.submit(
                  () -> {
                    ready.countDown();
                    go.await();
                    try {
                      Reply reply =
                          api.send(
                              "PUT",
                              path,
                              token,
                              ConfigApi.policyBody(title, "race-writer-" + writer, "race-common"),
                              "If-Match",
                              etag);
                      return new Outcome(writer, node, reply.status(), reply.body());
                    } catch (UncheckedIOException e) {
                      return new Outcome(writer, node, 0, e.toString());
                    }
                  }));
        }
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        go.countDown();
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> future : futures) {
          outcomes.add(future.get(120, TimeUnit.SECONDS));
        }

        List<Outcome> winners = outcomes.stream().filter(o -> o.status() == 200).toList();
        long precondition = outcomes.stream().filter(o -> o.status() == 412).count();
        long serverErrors = outcomes.stream().filter(o -> o.status() >= 500).count();
        List<Outcome> other =
            outcomes.stream()
                .filter(o -> o.status() != 200 && o.status() != 412 && o.status() < 500)
                .toList();
        totalWinners += winners.size();
        total412 += precondition;
        total5xx += serverErrors;
        // both nodes read the same stored state afterwards
        Reply onA = apiA.get(token, path);
        Reply onB = apiB.get(token, path);
        List<String> stored = ConfigApi.strings(onA.json(), "allowedScopes");
        System.out.printf(
            "Cross-node race round %2d/%d: %d × 200 (writers %s), %d × 412, %d × 5xx%s;"
                + " stored %s%n",
            round,
            ROUNDS,
            winners.size(),
            winners.stream().map(o -> o.writer() + "@" + o.node()).toList(),
            precondition,
            serverErrors,
            other.isEmpty()
                ? ""
                : ", other " + other.stream().map(o -> o.status() + ":" + o.body()).toList(),
            stored);
        if (winners.size() == 1 && precondition == WRITERS - 1) {
          roundsWithOneWinner++;
        } else {
          failures.add(
              "round "
                  + round
                  + ": "
                  + winners.size()
                  + " × 200, "
                  + precondition
                  + " × 412, "
                  + serverErrors
                  + " × 5xx, other "
                  + other);
        }
        assertThat(onB.json()).as("A and B read the same policy").isEqualTo(onA.json());
        if (winners.size() == 1) {
          assertThat(stored)
              .containsExactlyInAnyOrder("race-writer-" + winners.get(0).writer(), "race-common");
        }
        apiA.send("DELETE", path, token, null, "If-Match", onA.header("ETag"));
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.printf(
        "Cross-node race: %d rounds × %d writers (4 on kc-A, 4 on kc-B), same If-Match: %d rounds"
            + " with exactly one winner; %d × 200, %d × 412, %d × 5xx in all%n",
        ROUNDS, WRITERS, roundsWithOneWinner, totalWinners, total412, total5xx);
    assertThat(failures)
        .as("every round: exactly one 200, 412 for all others, no 5xx (I8)")
        .isEmpty();
  }

  // ---- 4. a secret rotation and a client update on two nodes ----

  @Test
  @Order(4)
  void aSecretRotationAndAClientUpdateOnTwoNodesNeverUndoEachOther() throws Exception {
    // the update writes Keycloak's whole client representation, secret included: without one
    // claim for both, the update on B could write back the secret the rotation on A replaced
    String token = fixturesA.allPowerToken();
    String policy =
        apiA.createPolicy(token, Fixtures.unique("Cluster rotation"), "openid").get("id").asText();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    int rounds = Math.max(3, ROUNDS / 2);
    try {
      for (int round = 1; round <= rounds; round++) {
        String clientId = Fixtures.unique("cluster-rotation");
        JsonNode created = apiA.createClient(token, clientId, policy);
        String id = created.get("id").asText();
        String first = created.get("secret").asText();
        CountDownLatch go = new CountDownLatch(1);
        Future<Reply> rotation =
            pool.submit(
                () -> {
                  go.await();
                  return apiA.send("POST", "config/clients/" + id + "/secret", token, null);
                });
        Future<Reply> update =
            pool.submit(
                () -> {
                  go.await();
                  return apiB.send(
                      "PUT", "config/clients/" + id, token, ConfigApi.clientBody(clientId, policy));
                });
        go.countDown();
        Reply rotated = rotation.get(60, TimeUnit.SECONDS);
        Reply updated = update.get(60, TimeUnit.SECONDS);
        System.out.printf(
            "Rotation on kc-A vs update on kc-B, round %d: %d and %d%n",
            round, rotated.status(), updated.status());
        assertThat(rotated).hasStatus(200);
        assertThat(updated).hasStatusIn(200, 409);
        String second = rotated.json().get("secret").asText();
        assertThat(httpB.clientCredentials(clientId, second, "openid"))
            .as("round %d: the rotated secret works on B", round)
            .hasStatus(200);
        assertThat(httpA.clientCredentials(clientId, first, "openid"))
            .as("round %d: the replaced secret no longer works", round)
            .hasStatus(401);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- 4. kill -9 during writes ----

  @Test
  @Order(5)
  void killMinus9OfANodeWhileItWritesLosesNoAcknowledgedWriteAndHalfWritesNothing()
      throws Exception {
    String token = fixturesA.allPowerToken();
    crashRun = Fixtures.unique("crash");
    List<String> answers = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, String> inFlight = new java.util.concurrent.ConcurrentSkipListMap<>();
    CountDownLatch enough = new CountDownLatch(CRASH_CLIENTS);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < CRASH_WRITERS; w++) {
      int first = w * 1000;
      writers.add(
          new Thread(
              () -> {
                for (int i = first; ; i++) {
                  String title = crashRun + "-policy-" + i;
                  List<String> allowed =
                      List.of(".:config/tokenPolicies", crashRun + "-scope-" + i);
                  try {
                    inFlight.put(first, "create of policy " + i);
                    Reply policy =
                        apiA.post(
                            token,
                            "config/tokenPolicies",
                            ConfigApi.policyBody(title, allowed.toArray(String[]::new)));
                    answers.add("policy " + i + ": " + policy.status());
                    if (policy.status() != 201) {
                      continue;
                    }
                    String policyId = policy.json().get("id").asText();
                    ackPolicies.add(new AckPolicy(policyId, title, allowed));
                    inFlight.put(first, "create of client " + i);
                    String clientId = crashRun + "-client-" + i;
                    Reply client =
                        apiA.post(
                            token, "config/clients", ConfigApi.clientBody(clientId, policyId));
                    answers.add("client " + i + ": " + client.status());
                    if (client.status() == 201) {
                      JsonNode json = client.json();
                      ackClients.add(
                          new AckClient(
                              json.get("id").asText(),
                              clientId,
                              policyId,
                              json.get("secret").asText()));
                      enough.countDown();
                    }
                  } catch (RuntimeException killed) {
                    inFlight.computeIfPresent(
                        first, (k, v) -> v + " (" + killed.getClass().getSimpleName() + ")");
                    return;
                  }
                }
              },
              "crash-writer-" + w));
    }
    writers.forEach(Thread::start);
    boolean reached = enough.await(300, TimeUnit.SECONDS);
    // a random moment of the next writes: the kill lands in a policy create or a client create
    // (client, service account, hand-over role, binding), wherever it happens to be
    long jitter = new java.util.Random().nextInt(600);
    Thread.sleep(jitter);
    long t = System.nanoTime();
    cluster.a().kill();
    double killSeconds = (System.nanoTime() - t) / 1e9;
    for (Thread writer : writers) {
      writer.join(60_000);
      assertThat(writer.isAlive()).as("a writer stops when its node dies").isFalse();
    }
    System.out.printf(
        "kill -9 of kc-A (%.2f s, %d ms into the writes after the %dth client; %d writers) after"
            + " %d acknowledged policies and %d acknowledged clients; in flight: %s; answers"
            + " before the kill: %s%n",
        killSeconds,
        jitter,
        CRASH_CLIENTS,
        CRASH_WRITERS,
        ackPolicies.size(),
        ackClients.size(),
        inFlight.values(),
        answers);
    assertThat(reached).as("node A took %d client creates before the kill", CRASH_CLIENTS).isTrue();
    assertThat(answers)
        .as("every answer before the kill is a 201")
        .allMatch(answer -> answer.endsWith(": 201"));

    List<String> viewB = cluster.b().awaitView(1, VIEW_TIMEOUT);
    System.out.println(
        "Cluster view on kc-B after the kill: " + cluster.b().lastViewLine().orElse(""));
    assertThat(viewB).as("kc-B sees kc-A gone").hasSize(1);

    assertAcknowledgedWritesComplete(apiB, httpB, "kc-B");
    int[] found = assertNothingHalfWritten(httpB, fixturesB, apiB);
    System.out.printf(
        "On kc-B after the kill: %d/%d acknowledged policies and %d/%d acknowledged clients present"
            + " and complete; %d policies and %d clients of the run in all, none half-written%n",
        ackPolicies.size(),
        ackPolicies.size(),
        ackClients.size(),
        ackClients.size(),
        found[0],
        found[1]);
  }

  /** Every acknowledged policy and client, read through the config API and used for a token. */
  private static void assertAcknowledgedWritesComplete(
      ConfigApi api, TestClient http, String node) {
    String token = api.token("config-admin", "config-admin-secret", "*:**");
    for (AckPolicy policy : ackPolicies) {
      Reply read = api.get(token, "config/tokenPolicies/" + policy.id());
      assertThat(read)
          .as("acknowledged policy %s on %s", policy.title(), node)
          .hasStatus(200)
          .hasJson("/title", policy.title());
      assertThat(ConfigApi.strings(read.json(), "allowedScopes"))
          .as("policy %s on %s", policy.title(), node)
          .containsExactlyInAnyOrderElementsOf(policy.allowed());
    }
    for (AckClient client : ackClients) {
      Reply read = api.get(token, "config/clients/" + client.id());
      assertThat(read).as("acknowledged client %s on %s", client.clientId(), node).hasStatus(200);
      assertThat(ConfigApi.strings(read.json(), "tokenPolicies"))
          .as("binding of %s on %s", client.clientId(), node)
          .containsExactly(client.policyId());
      assertThat(grantedOn(http, client.clientId(), client.secret(), ".:config/tokenPolicies"))
          .as("a token of %s on %s", client.clientId(), node)
          .containsExactly(".:config/tokenPolicies");
    }
  }

  /**
   * Every client scope and client of the crash run, acknowledged or not, as Keycloak's admin REST
   * API lists them: a policy always has its mapper, a client always its binding and the config
   * API's view. Returns the numbers found.
   */
  private static int[] assertNothingHalfWritten(TestClient http, Fixtures fixtures, ConfigApi api) {
    String realm = "realms/" + TestClient.REALM;
    List<JsonNode> policies =
        fixtures.clientScopes().stream()
            .filter(scope -> scope.path("description").asText().startsWith(crashRun))
            .toList();
    Set<String> policyIds =
        policies.stream().map(p -> p.get("id").asText()).collect(Collectors.toSet());
    assertThat(policyIds).containsAll(ackPolicies.stream().map(AckPolicy::id).toList());
    for (JsonNode policy : policies) {
      List<String> mappers = new ArrayList<>();
      policy.path("protocolMappers").forEach(m -> mappers.add(m.path("protocolMapper").asText()));
      assertThat(mappers)
          .as("client scope %s carries the policy mapper", policy.path("name").asText())
          .containsExactly("pbs-token-policy");
    }
    Reply clients =
        admin(http, "GET", realm + "/clients?search=true&max=1000&clientId=" + crashRun, null);
    assertThat(clients).hasStatus(200);
    List<JsonNode> found = new ArrayList<>();
    clients.json().forEach(found::add);
    assertThat(found.stream().map(c -> c.get("clientId").asText()).toList())
        .containsAll(ackClients.stream().map(AckClient::clientId).toList());
    String token = api.token("config-admin", "config-admin-secret", "*:**");
    for (JsonNode client : found) {
      String uuid = client.get("id").asText();
      Reply scopes =
          admin(http, "GET", realm + "/clients/" + uuid + "/default-client-scopes", null);
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
    return new int[] {policies.size(), found.size()};
  }

  // ---- 5. the killed node comes back ----

  @Test
  @Order(6)
  void theKilledNodeRestartsRejoinsAndServesTheSameData() throws Exception {
    assertThat(ackClients).as("the kill -9 test ran").isNotEmpty();
    cluster.a().start(false);
    timings.put("node A restart after kill -9", cluster.a().lastStartSeconds());
    adminTokens.clear();
    List<List<String>> views = cluster.awaitViews(2, VIEW_TIMEOUT);
    System.out.println(
        "Cluster view on kc-A after restart: " + cluster.a().lastViewLine().orElse(""));
    System.out.println(
        "Cluster view on kc-B after restart: " + cluster.b().lastViewLine().orElse(""));
    for (List<String> view : views) {
      assertThat(view).as("kc-A rejoined").hasSize(2);
    }
    assertAcknowledgedWritesComplete(apiA, httpA, "kc-A (restarted)");
    String token = fixturesA.allPowerToken();
    for (AckPolicy policy : ackPolicies) {
      String path = "config/tokenPolicies/" + policy.id();
      assertThat(apiA.get(token, path).json()).isEqualTo(apiB.get(token, path).json());
    }
    for (AckClient client : ackClients) {
      String path = "config/clients/" + client.id();
      assertThat(apiA.get(token, path).json()).isEqualTo(apiB.get(token, path).json());
    }
    System.out.printf(
        "kc-A restarted in %.1f s, rejoined, serves the %d policies and %d clients as kc-B does%n",
        cluster.a().lastStartSeconds(), ackPolicies.size(), ackClients.size());
  }

  // ---- 6. another Keycloak: capabilities decide, never the version; never fail open ----

  @Test
  @Order(7)
  void onANewerKeycloakItRunsAndOnOneMissingACapabilityItRefusesBoundClients() throws Exception {
    long t = System.nanoTime();
    cluster.b().stop();
    cluster.a().stop();
    timings.put("capabilities: graceful stop of both nodes", (System.nanoTime() - t) / 1e9);

    // a newer Keycloak where every capability resolves, with a grant type the extension does not
    // know (as a newer Keycloak or another extension brings one): the extension runs and says so
    ForeignGrant.install(cluster.a().home());
    t = System.nanoTime();
    KeycloakCluster.build(cluster.a().home(), cluster.logDir().resolve("build-foreign-grant.log"));
    timings.put("capabilities: kc.sh build with a foreign grant", (System.nanoTime() - t) / 1e9);
    cluster.a().jvmOptions("-Dpolicyscopes.keycloak.version=27.1.0");
    cluster.a().start(false);
    timings.put("capabilities: node A start as 27.1.0", cluster.a().lastStartSeconds());
    adminTokens.clear();
    List<String> newer = ourLogLines(cluster.a().log());
    System.out.println("As Keycloak 27.1.0, kc-A logged: " + newer);
    assertThat(newer)
        .anyMatch(line -> line.contains("WARN") && line.contains("newer than the versions"))
        .anyMatch(line -> line.contains("active on Keycloak 27.1.0"))
        .noneMatch(line -> line.contains("ERROR"));
    TestClient http = new TestClient(cluster.a().baseUrl());
    Reply enforced = http.clientCredentials("config-reader", "config-reader-secret", ".:**");
    assertThat(enforced).as("a config scope only the extension can grant").hasStatus(200);
    assertThat(
            TestClient.claims(enforced.json().get("access_token").asText()).path("scope").asText())
        .contains(".:**");
    // the grant it does not know: refused to a bound client, clearly; stock for an unbound one
    Reply foreign =
        http.token(
            TestClient.REALM,
            TestClient.form(
                "grant_type", ForeignGrantTypeFactory.GRANT_TYPE,
                "client_id", "config-reader",
                "client_secret", "config-reader-secret"));
    assertThat(foreign).as("a bound client on a foreign grant").hasStatus(400);
    assertThat(foreign).hasError("unauthorized_client");
    assertThat(foreign.json().path("error_description").asText())
        .isEqualTo(
            "The grant type "
                + ForeignGrantTypeFactory.GRANT_TYPE
                + " is not available to clients bound to a token policy");
    Map<String, Object> unboundClient = new LinkedHashMap<>();
    unboundClient.put("clientId", "foreign-grant-unbound");
    unboundClient.put("secret", "foreign-grant-secret");
    unboundClient.put("publicClient", false);
    unboundClient.put("serviceAccountsEnabled", true);
    assertThat(admin(http, "POST", "realms/" + TestClient.REALM + "/clients", unboundClient))
        .hasStatus(201);
    Reply stock =
        http.token(
            TestClient.REALM,
            TestClient.form(
                "grant_type", ForeignGrantTypeFactory.GRANT_TYPE,
                "client_id", "foreign-grant-unbound",
                "client_secret", "foreign-grant-secret"));
    assertThat(stock).as("an unbound client on the foreign grant").hasStatus(200);
    // a user's token of the bound public client, issued while the extension runs
    BrowserLogin before = new BrowserLogin(http);
    String callback = "http://localhost:3000/callback";
    Reply issuedBefore =
        before.exchange(
            TestClient.REALM,
            "web-app",
            callback,
            before.authorize(TestClient.REALM, "web-app", callback, "openid email", "demo", "demo"),
            null);
    assertThat(issuedBefore).hasStatus(200);
    String userToken = issuedBefore.json().get("access_token").asText();
    assertThat(userInfo(http, userToken).json().has("email")).as("userinfo while running").isTrue();
    cluster.a().stop();

    // a Keycloak lacking a capability: bound clients are refused, clearly; nobody else notices
    cluster.a().jvmOptions("-Dpolicyscopes.capabilities.missing=secret-rotation-context");
    cluster.a().start(false);
    timings.put("capabilities: node A start missing one", cluster.a().lastStartSeconds());
    adminTokens.clear();
    List<String> missing = ourLogLines(cluster.a().log());
    System.out.println("Missing a capability, kc-A logged: " + missing);
    assertThat(missing)
        .filteredOn(line -> line.contains("ERROR"))
        .hasSize(1)
        .allMatch(
            line ->
                line.contains("cannot run on Keycloak")
                    && line.contains("secret-rotation-context"));
    http = new TestClient(cluster.a().baseUrl());
    List<String> probes = new ArrayList<>();
    for (String bound : List.of("config-admin", "config-reader")) {
      Reply refused = probe(probes, http.clientCredentials(bound, bound + "-secret", null), bound);
      assertThat(refused).as(bound).hasStatus(400).hasError("unauthorized_client");
      assertThat(refused.json().path("error_description").asText())
          .contains("policy-bound scopes", "server log")
          .doesNotContain("secret-rotation-context", "26.7");
      assertThat(refused.body()).doesNotContain("access_token");
    }
    // the bound public client: the user signs in, the code is not exchanged for a token
    BrowserLogin browser = new BrowserLogin(http);
    String redirectUri = "http://localhost:3000/callback";
    BrowserLogin.Redirect redirect =
        browser.authorize(TestClient.REALM, "web-app", redirectUri, "openid", "demo", "demo");
    Reply code =
        probe(
            probes,
            browser.exchange(TestClient.REALM, "web-app", redirectUri, redirect, null),
            "authorization_code web-app");
    assertThat(code).hasStatus(400).hasError("unauthorized_client");
    // a grant the wrapper does not see (the device grant): the policy mapper refuses the token
    String readerPath =
        "realms/"
            + TestClient.REALM
            + "/clients/"
            + admin(
                    http,
                    "GET",
                    "realms/" + TestClient.REALM + "/clients?clientId=config-reader",
                    null)
                .json()
                .get(0)
                .get("id")
                .asText();
    setDeviceGrant(http, readerPath, true);
    Reply codes =
        http.postForm(
            http.realmUrl(TestClient.REALM) + "/protocol/openid-connect/auth/device",
            TestClient.form(
                "client_id", "config-reader",
                "client_secret", "config-reader-secret",
                "scope", "openid"));
    assertThat(codes).hasStatus(200);
    assertThat(
            new BrowserLogin(http)
                .approveDevice(
                    java.net.URI.create(codes.json().get("verification_uri_complete").asText()),
                    "demo",
                    "demo"))
        .hasStatusBetween(200, 399);
    Reply deviceToken =
        probe(
            probes,
            http.token(
                TestClient.REALM,
                TestClient.form(
                    "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                    "client_id", "config-reader",
                    "client_secret", "config-reader-secret",
                    "device_code", codes.json().get("device_code").asText())),
            "device_code config-reader");
    assertThat(deviceToken).hasStatus(400).hasError("unauthorized_client");
    assertThat(deviceToken.json().path("error_description").asText())
        .contains("policy-bound scopes");
    setDeviceGrant(http, readerPath, false);
    // the token issued before: userinfo shows who, never the claims its policy shaped
    Reply afterwards =
        probe(probes, userInfo(http, userToken), "userinfo web-app token from before");
    assertThat(afterwards).hasStatusIn(200, 401);
    if (afterwards.status() == 200) {
      assertThat(afterwards.json().has("email")).as("userinfo while refusing").isFalse();
      assertThat(afterwards.json().path("sub").asText()).isNotEmpty();
    }
    // clients without a policy: untouched (the demo user through admin-cli, the master admin)
    Reply unbound =
        probe(
            probes,
            http.token(
                TestClient.REALM,
                TestClient.form(
                    "grant_type", "password",
                    "client_id", "admin-cli",
                    "username", "demo",
                    "password", "demo")),
            "password admin-cli (unbound)");
    assertThat(unbound).hasStatus(200);
    probe(probes, admin(http, "GET", "realms", null), "GET admin realms");
    assertThat(probes).as("nothing answers 5xx").noneMatch(p -> p.startsWith("5"));
    System.out.println("Missing a capability, on kc-A: " + probes);
    cluster.a().jvmOptions("");
  }

  /** Turns the device grant on or off for a client, through its whole representation. */
  private static void setDeviceGrant(TestClient http, String clientPath, boolean on) {
    com.fasterxml.jackson.databind.node.ObjectNode client =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            admin(http, "GET", clientPath, null).json();
    ((com.fasterxml.jackson.databind.node.ObjectNode) client.with("attributes"))
        .put("oauth2.device.authorization.grant.enabled", Boolean.toString(on));
    assertThat(admin(http, "PUT", clientPath, client)).hasStatus(204);
  }

  private static Reply userInfo(TestClient http, String token) {
    return http.send(
        get(http.realmUrl(TestClient.REALM) + "/protocol/openid-connect/userinfo")
            .header("Authorization", "Bearer " + token));
  }

  private static List<String> ourLogLines(Path log) throws java.io.IOException {
    return Files.readAllLines(log).stream()
        .filter(line -> line.contains("Policy-bound scopes"))
        .toList();
  }

  // ---- 7. uninstall ----

  @Test
  @Order(8)
  void withoutTheExtensionEveryRealmKeepsWorkingAndBoundClientsGetStockTokens() throws Exception {
    long t = System.nanoTime();
    cluster.a().stop();
    timings.put("uninstall: graceful stop", (System.nanoTime() - t) / 1e9);
    t = System.nanoTime();
    cluster.uninstallExtension();
    timings.put("uninstall: remove the JAR, kc.sh build", (System.nanoTime() - t) / 1e9);
    cluster.a().start(false);
    timings.put("uninstall: node A start without the extension", cluster.a().lastStartSeconds());
    adminTokens.clear();
    assertStockKeycloak(new TestClient(cluster.a().baseUrl()), "Uninstalled");
  }

  /**
   * Every realm loads and reads back (policies included), bound clients get stock tokens, a user
   * signs in through the bound public client with stock scopes, {@code /config} is 404, and nothing
   * answers 5xx.
   */
  private void assertStockKeycloak(TestClient http, String label) throws Exception {
    List<String> probes = new ArrayList<>();

    // every realm loads, and its clients and client scopes (policies included) read back
    Reply realms = probe(probes, admin(http, "GET", "realms", null), "GET admin realms");
    assertThat(realms).hasStatus(200);
    List<String> realmNames = new ArrayList<>();
    realms.json().forEach(r -> realmNames.add(r.get("realm").asText()));
    assertThat(realmNames).contains("master", TestClient.REALM);
    for (String realm : realmNames) {
      probe(probes, http.send(get(http.realmUrl(realm))), "GET /realms/" + realm);
      probe(
          probes,
          http.send(get(http.realmUrl(realm) + "/.well-known/openid-configuration")),
          "GET /realms/" + realm + "/.well-known/openid-configuration");
      probe(probes, admin(http, "GET", "realms/" + realm, null), "GET admin realm " + realm);
      probe(
          probes, admin(http, "GET", "realms/" + realm + "/clients", null), "GET clients " + realm);
      Reply scopes =
          probe(
              probes,
              admin(http, "GET", "realms/" + realm + "/client-scopes", null),
              "GET client-scopes " + realm);
      for (JsonNode scope : scopes.json()) {
        probe(
            probes,
            admin(
                http,
                "GET",
                "realms/"
                    + realm
                    + "/client-scopes/"
                    + scope.get("id").asText()
                    + "/protocol-mappers/models",
                null),
            "GET mappers of " + scope.get("name").asText());
      }
    }
    assertThat(
            admin(
                http,
                "POST",
                "realms/"
                    + TestClient.REALM
                    + "/partial-export?exportClients=true&exportGroupsAndRoles=true",
                null))
        .as("partial export of the demo realm")
        .hasStatus(200);

    // bound clients: stock tokens (the policy no longer filters Keycloak's default scopes)
    for (String demoClient : List.of("config-admin", "config-reader")) {
      Reply stock =
          probe(
              probes,
              http.clientCredentials(demoClient, demoClient + "-secret", null),
              "token " + demoClient);
      assertThat(stock).hasStatus(200);
      JsonNode claims = TestClient.claims(stock.json().get("access_token").asText());
      assertThat(claims.path("scope").asText().split(" "))
          .as("Keycloak's own default scopes, no longer filtered by the policy")
          .contains("profile", "email");
      assertThat(claims.has("policy_grant")).isFalse();
      Reply configScope =
          probe(
              probes,
              http.clientCredentials(demoClient, demoClient + "-secret", ".:**"),
              "token " + demoClient + " scope .:**");
      assertThat(configScope)
          .as("a config scope is an unknown scope to stock Keycloak: " + configScope)
          .hasStatus(400)
          .hasError("invalid_scope");
    }
    for (AckClient client : ackClients) {
      Reply stock =
          probe(
              probes,
              http.clientCredentials(client.clientId(), client.secret(), null),
              "token " + client.clientId());
      assertThat(stock).hasStatus(200);
      String scope =
          TestClient.claims(stock.json().get("access_token").asText()).path("scope").asText();
      assertThat(scope).as("no config scope in a stock token").doesNotContain(":");
    }
    // a user signs in through the bound public client: stock scopes (phone is no longer dropped)
    BrowserLogin browser = new BrowserLogin(http);
    String redirectUri = "http://localhost:3000/callback";
    BrowserLogin.Redirect redirect =
        browser.authorize(
            TestClient.REALM, "web-app", redirectUri, "openid profile email phone", "demo", "demo");
    Reply code =
        probe(
            probes,
            browser.exchange(TestClient.REALM, "web-app", redirectUri, redirect, null),
            "authorization_code web-app");
    assertThat(code).hasStatus(200);
    String userScope =
        TestClient.claims(code.json().get("access_token").asText()).path("scope").asText();
    assertThat(userScope.split(" ")).contains("openid", "profile", "email", "phone");

    // the config API is gone: not found, never 500
    String stockToken =
        http.clientCredentials("config-admin", "config-admin-secret", null)
            .json()
            .get("access_token")
            .asText();
    Reply api = new ConfigApi(http).get(stockToken, "config/tokenPolicies");
    probes.add(api.status() + " GET /realms/demo/config/tokenPolicies");
    assertThat(api).hasStatus(404);

    System.out.println(label + ", on kc-A: " + probes.size() + " requests:");
    probes.forEach(p -> System.out.println("  " + p));
    assertThat(probes).as("nothing answers 5xx").noneMatch(p -> p.startsWith("5"));
  }

  /**
   * Keycloak's admin REST API with one admin token per node, renewed every 30 s ({@link
   * TestClient#admin} signs in for every call: a password hash each time).
   */
  private static final Map<String, String[]> adminTokens =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static Reply admin(TestClient http, String method, String path, Object body) {
    String[] cached = adminTokens.get(http.baseUrl());
    long now = System.currentTimeMillis();
    if (cached == null || now - Long.parseLong(cached[1]) > 30_000) {
      cached = new String[] {http.adminToken(), Long.toString(now)};
      adminTokens.put(http.baseUrl(), cached);
    }
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.baseUrl() + "/admin/" + path))
            .header("Authorization", "Bearer " + cached[0]);
    if (body == null) {
      request.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(
              method, java.net.http.HttpRequest.BodyPublishers.ofString(TestClient.toJson(body)));
    }
    return http.send(request);
  }

  private static java.net.http.HttpRequest.Builder get(String url) {
    return java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).GET();
  }

  private static Reply probe(List<String> probes, Reply reply, String what) {
    probes.add(reply.status() + " " + what);
    return reply;
  }
}
