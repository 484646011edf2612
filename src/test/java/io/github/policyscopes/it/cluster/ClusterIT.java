package io.github.policyscopes.it.cluster;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.AdminRest;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import io.github.policyscopes.it.foreign.ForeignGrant;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

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

  @RegisterExtension static final Timings timings = new Timings();

  /** The kill -9's writes: read again after the restart and uninstalled. */
  private static final CrashRun crash = new CrashRun();

  private static TestClient httpA;
  private static TestClient httpB;
  private static Fixtures fixturesA;
  private static ConfigApi apiA;
  private static ConfigApi apiB;

  @BeforeAll
  static void startCluster() throws Exception {
    Path logDir = Path.of(KeycloakServerExtension.required("keycloak.log.dir")).resolve("cluster");
    cluster = KeycloakCluster.startFromBuild(logDir);
    timings.putAll(cluster.timings());
    System.out.printf(
        "Cluster: PostgreSQL 17 on 127.0.0.1:%d (as %s); kc-A %s, kc-B %s; hostname %s; logs %s%n",
        cluster.database().port(),
        PostgresServer.runsAs(),
        cluster.a().baseUrl(),
        cluster.b().baseUrl(),
        cluster.hostname(),
        logDir);
    timings.print();
    httpA = new TestClient(cluster.a().baseUrl());
    httpB = new TestClient(cluster.b().baseUrl());
    fixturesA = new Fixtures(httpA);

    apiA = fixturesA.api();
    apiB = new ConfigApi(httpB);
  }

  @AfterAll
  static void stopCluster() {
    timings.print();
    if (cluster != null) {
      cluster.close();
    }
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

    // each node serves a few more tokens, so that what it read of the client is kept
    // (docs/adr/0040) and the edit on the other node has something to go stale
    for (int i = 0; i < 3; i++) {
      grantedOn(httpA, clientId, secret, requested);
      grantedOn(httpB, clientId, secret, requested);
    }
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

  static List<String> grantedOn(TestClient node, String clientId, String secret, String scope) {
    Reply reply = node.clientCredentials(clientId, secret, scope);
    assertThat(reply).as("token of " + clientId).hasStatus(200);
    String granted = ConfigApi.scopeOf(reply.json().get("access_token").asText());
    return granted.isEmpty() ? List.of() : Arrays.asList(granted.split(" "));
  }

  // ---- 3. one winner across nodes ----

  private record Outcome(int writer, String node, int status, String body) {}

  /** Writer {@code writer}'s If-Match PUT of the policy, on {@code node}. */
  private static Outcome put(
      ConfigApi api,
      String path,
      String token,
      String title,
      int writer,
      String node,
      String etag) {
    try {
      Object body = ConfigApi.policyBody(title, "race-writer-" + writer, "race-common");
      Reply reply = api.send("PUT", path, token, body, "If-Match", etag);
      return new Outcome(writer, node, reply.status(), reply.body());
    } catch (UncheckedIOException e) {
      return new Outcome(writer, node, 0, e.toString());
    }
  }

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
                    return put(api, path, token, title, writer, node, etag);
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
              String.format(
                  "round %d: %d × 200, %d × 412, %d × 5xx, other %s",
                  round, winners.size(), precondition, serverErrors, other));
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

  // ---- 5. kill -9 during writes ----

  @Test
  @Order(5)
  void killMinus9OfANodeWhileItWritesLosesNoAcknowledgedWriteAndHalfWritesNothing()
      throws Exception {
    CountDownLatch enough = new CountDownLatch(CRASH_CLIENTS);
    List<Thread> writers =
        crash.startWriters(apiA, fixturesA.allPowerToken(), CRASH_WRITERS, enough);
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
        crash.policies.size(),
        crash.clients.size(),
        crash.inFlight.values(),
        crash.answers);
    assertThat(reached).as("node A took %d client creates before the kill", CRASH_CLIENTS).isTrue();
    assertThat(crash.answers)
        .as("every answer before the kill is a 201")
        .allMatch(answer -> answer.endsWith(": 201"));

    List<String> viewB = cluster.b().awaitView(1, VIEW_TIMEOUT);
    System.out.println(
        "Cluster view on kc-B after the kill: " + cluster.b().lastViewLine().orElse(""));
    assertThat(viewB).as("kc-B sees kc-A gone").hasSize(1);

    crash.assertAcknowledgedWritesComplete(apiB, httpB, "kc-B");
    int[] found = crash.assertNothingHalfWritten(new AdminRest(httpB), new Fixtures(httpB), apiB);
    System.out.printf(
        "On kc-B after the kill: all %d acknowledged policies and %d acknowledged clients present"
            + " and complete; %d policies and %d clients of the run in all, none half-written%n",
        crash.policies.size(), crash.clients.size(), found[0], found[1]);
  }

  // ---- 6. the killed node comes back ----

  @Test
  @Order(6)
  void theKilledNodeRestartsRejoinsAndServesTheSameData() throws Exception {
    assertThat(crash.clients).as("the kill -9 test ran").isNotEmpty();
    cluster.a().start(false);
    timings.put("node A restart after kill -9", cluster.a().lastStartSeconds());
    List<List<String>> views = cluster.awaitViews(2, VIEW_TIMEOUT);
    System.out.println(
        "Cluster view on kc-A after restart: " + cluster.a().lastViewLine().orElse(""));
    System.out.println(
        "Cluster view on kc-B after restart: " + cluster.b().lastViewLine().orElse(""));
    for (List<String> view : views) {
      assertThat(view).as("kc-A rejoined").hasSize(2);
    }
    crash.assertAcknowledgedWritesComplete(apiA, httpA, "kc-A (restarted)");
    String token = fixturesA.allPowerToken();
    for (CrashRun.AckPolicy policy : crash.policies) {
      String path = "config/tokenPolicies/" + policy.id();
      assertThat(apiA.get(token, path).json()).isEqualTo(apiB.get(token, path).json());
    }
    for (CrashRun.AckClient client : crash.clients) {
      String path = "config/clients/" + client.id();
      assertThat(apiA.get(token, path).json()).isEqualTo(apiB.get(token, path).json());
    }
    System.out.printf(
        "kc-A restarted in %.1f s, rejoined, serves the %d policies and %d clients as kc-B does%n",
        cluster.a().lastStartSeconds(), crash.policies.size(), crash.clients.size());
  }

  // ---- 7. another Keycloak: capabilities decide, never the version; never fail open ----

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
    List<String> newer =
        startA("-Dpolicyscopes.keycloak.version=27.1.0", "capabilities: node A start as 27.1.0");
    assertThat(newer)
        .anyMatch(line -> line.contains("WARN") && line.contains("newer than the versions"))
        .anyMatch(line -> line.contains("active on Keycloak 27.1.0"))
        .noneMatch(line -> line.contains("ERROR"));
    String userToken = new Capabilities(new TestClient(cluster.a().baseUrl())).runsAsNewer();
    cluster.a().stop();

    // a Keycloak lacking a capability: bound clients are refused, clearly; nobody else notices
    List<String> missing =
        startA(
            "-Dpolicyscopes.capabilities.missing=secret-rotation-context",
            "capabilities: node A start missing one");
    assertThat(missing)
        .filteredOn(line -> line.contains("ERROR"))
        .hasSize(1)
        .allMatch(
            line ->
                line.contains("cannot run on Keycloak")
                    && line.contains("secret-rotation-context"));
    new Capabilities(new TestClient(cluster.a().baseUrl())).refusesBoundClients(userToken);
    cluster.a().jvmOptions("");
  }

  /** Starts node A with {@code jvmOptions}, timed as {@code phase}; returns what we logged. */
  private static List<String> startA(String jvmOptions, String phase) throws Exception {
    cluster.a().jvmOptions(jvmOptions);
    cluster.a().start(false);
    timings.put(phase, cluster.a().lastStartSeconds());
    List<String> logged =
        Files.readAllLines(cluster.a().log()).stream()
            .filter(line -> line.contains("Policy-bound scopes"))
            .toList();
    System.out.println(phase + ": kc-A logged " + logged);
    return logged;
  }

  // ---- 8. uninstall ----

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
    new StockKeycloak(new TestClient(cluster.a().baseUrl()))
        .assertStock(crash.clients, "Uninstalled");
  }
}
