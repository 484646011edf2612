package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * Writes to one resource are serialised (docs/config-api.md): of N concurrent PUTs with the same
 * {@code If-Match}, exactly one gets 200, all others 412, and the resource ends as the winner wrote
 * it. Writes that share a unique value (a title as {@code equalsIgnoreCase} compares it, a scope
 * name, a clientId) take turns, and writes that share nothing all succeed side by side
 * (docs/adr/0039). Across cluster nodes: ClusterIT.
 */
class ConfigApiConcurrencyIT extends OnSharedKeycloak {

  private static final int THREADS = 8;

  private record Outcome(int writer, Reply reply) {}

  /** N threads released together, each running {@code request(i)}. */
  private static List<Outcome> race(java.util.function.IntFunction<Reply> request)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch ready = new CountDownLatch(THREADS);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        int writer = i;
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return new Outcome(writer, request.apply(writer));
                }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Outcome> outcomes = new ArrayList<>();
      for (Future<Outcome> f : futures) {
        outcomes.add(f.get(60, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  /** N policies created at once, writer {@code i} titling its own {@code title(i)}. */
  private List<Outcome> createAtOnce(String token, java.util.function.IntFunction<String> title)
      throws Exception {
    return race(
        writer ->
            api.post(
                token,
                "config/tokenPolicies",
                ConfigApi.policyBody(title.apply(writer), "race-creator-" + writer)));
  }

  /** Writer {@code i} puts {@code body(i)} to policy {@code ids[i]} with its current ETag. */
  private List<Outcome> writeEachAtOnce(
      String token, List<String> ids, java.util.function.IntFunction<Object> body)
      throws Exception {
    List<String> etags =
        ids.stream()
            .map(id -> api.get(token, "config/tokenPolicies/" + id).header("ETag"))
            .toList();
    return race(
        writer ->
            api.send(
                "PUT",
                "config/tokenPolicies/" + ids.get(writer),
                token,
                body.apply(writer),
                "If-Match",
                etags.get(writer)));
  }

  @RepeatedTest(3)
  void concurrentPutsWithTheSameIfMatchHaveExactlyOneWinner() throws Exception {
    String token = fixtures.allPowerToken();
    String title = Fixtures.unique("Race");
    String id = api.createPolicy(token, title, "race-initial").get("id").asText();
    String path = "config/tokenPolicies/" + id;
    Reply current = api.get(token, path);
    String etag = current.header("ETag");
    assertThat(etag).isNotNull();

    List<Outcome> outcomes =
        race(
            writer ->
                api.send(
                    "PUT",
                    path,
                    token,
                    ConfigApi.policyBody(title, "race-writer-" + writer, "race-common"),
                    "If-Match",
                    etag));

    List<Outcome> winners = outcomes.stream().filter(o -> o.reply().status() == 200).toList();
    assertThat(outcomes)
        .as("only 200 and 412: %s", outcomes)
        .allMatch(o -> o.reply().status() == 200 || o.reply().status() == 412);
    assertThat(winners).as("exactly one winner: %s", outcomes).hasSize(1);
    for (Outcome o : outcomes) {
      if (o.reply().status() == 412) {
        assertThat(o.reply().jsonOrEmpty().path("error").asText()).as(o.toString()).isNotBlank();
      }
    }

    Outcome winner = winners.get(0);
    Reply after = api.get(token, path);
    assertThat(ConfigApi.strings(after.json(), "allowedScopes"))
        .containsExactlyInAnyOrder("race-writer-" + winner.writer(), "race-common");
    assertThat(after.json()).isEqualTo(winner.reply().json());
    assertThat(after.header("ETag")).isNotEqualTo(etag).isEqualTo(winner.reply().header("ETag"));

    assertThat(api.send("DELETE", path, token, null, "If-Match", after.header("ETag")))
        .hasStatus(204);
  }

  @Test
  void everyWriteMovesTheEtagEvenWhenItLeavesTheRepresentationAsItWas() {
    // the ETag carries the resource's revision (docs/adr/0017): a writer that saw the state before
    // another write never wins, even when that write changed nothing visible; this is what makes
    // the compare-and-set hold across cluster nodes whose caches lag
    String token = fixtures.allPowerToken();
    String title = Fixtures.unique("Revision");
    String id = api.createPolicy(token, title, "same").get("id").asText();
    String path = "config/tokenPolicies/" + id;
    String before = api.get(token, path).header("ETag");
    Object body = ConfigApi.policyBody(title, "same");

    Reply first = api.send("PUT", path, token, body, "If-Match", before);
    assertThat(first).hasStatus(200);
    String after = first.header("ETag");
    assertThat(after).isNotEqualTo(before);
    assertThat(api.get(token, path).header("ETag")).isEqualTo(after);

    Reply stale = api.send("PUT", path, token, body, "If-Match", before);
    assertThat(stale).hasStatus(412);
    assertThat(api.send("PUT", path, token, body, "If-Match", after)).hasStatus(200);
    api.delete(token, path);
  }

  @Test
  void concurrentDeletesWithTheSameIfMatchDeleteOnce() throws Exception {
    String token = fixtures.allPowerToken();
    String id = api.createPolicy(token, Fixtures.unique("Race delete"), "x").get("id").asText();
    String path = "config/tokenPolicies/" + id;
    String etag = api.get(token, path).header("ETag");

    List<Outcome> outcomes =
        race(writer -> api.send("DELETE", path, token, null, "If-Match", etag));

    assertThat(outcomes.stream().filter(o -> o.reply().status() == 204).count())
        .as("%s", outcomes)
        .isEqualTo(1);
    // the winner 204, the losers 412 or 404
    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatusIn(204, 404, 412));
    assertThat(api.get(token, path)).hasStatus(404);
  }

  @Test
  void concurrentCreatesWithTheSameTitleCreateOnce() throws Exception {
    String token = fixtures.allPowerToken();
    String title = Fixtures.unique("Race create");
    int before = fixtures.total(token, "config/tokenPolicies");

    List<Outcome> outcomes = createAtOnce(token, writer -> title);

    assertThat(outcomes.stream().filter(o -> o.reply().status() == 201).count())
        .as("%s", outcomes)
        .isEqualTo(1);
    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatusIn(201, 409));
    assertThat(fixtures.total(token, "config/tokenPolicies")).isEqualTo(before + 1);
    assertThat(fixtures.clientScopes())
        .filteredOn(scope -> title.equals(scope.path("description").asText()))
        .hasSize(1);
    JsonNode created =
        outcomes.stream().filter(o -> o.reply().status() == 201).findFirst().get().reply().json();
    api.delete(token, "config/tokenPolicies/" + created.get("id").asText());
  }

  @Test
  void concurrentCreatesWhoseTitlesDifferOnlyInCaseCreateOnce() throws Exception {
    String token = fixtures.allPowerToken();
    String title = Fixtures.unique("Race case") + " k";
    List<String> spellings = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      StringBuilder spelled = new StringBuilder(title);
      for (int c = 0; c < spelled.length(); c++) {
        if (((i >> (c % 3)) & 1) == 1) {
          spelled.setCharAt(c, Character.toUpperCase(spelled.charAt(c)));
        } else {
          spelled.setCharAt(c, Character.toLowerCase(spelled.charAt(c)));
        }
      }
      spellings.add(spelled.toString());
    }
    // the Kelvin sign: equalsIgnoreCase K, though no ASCII case of it is
    spellings.set(
        THREADS - 1, spellings.get(THREADS - 1).replace('k', '\u212A').replace('K', '\u212A'));

    List<Outcome> outcomes = createAtOnce(token, spellings::get);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatusIn(201, 409));
    List<Outcome> created = outcomes.stream().filter(o -> o.reply().status() == 201).toList();
    assertThat(created).as("%s", outcomes).hasSize(1);
    assertThat(fixtures.clientScopes())
        .filteredOn(scope -> title.equalsIgnoreCase(scope.path("description").asText()))
        .hasSize(1);
    api.delete(token, "config/tokenPolicies/" + created.get(0).reply().json().get("id").asText());
  }

  @Test
  void concurrentRenamesOfEveryPolicyToOneTitleLeaveOneHolder() throws Exception {
    String token = fixtures.allPowerToken();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      ids.add(api.createPolicy(token, Fixtures.unique("Rename " + i), "x").get("id").asText());
    }
    String title = Fixtures.unique("Race rename");

    List<Outcome> outcomes =
        writeEachAtOnce(
            token,
            ids,
            writer ->
                ConfigApi.policyBody(
                    writer % 2 == 0 ? title : title.toUpperCase(java.util.Locale.ROOT), "x"));

    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatusIn(200, 409));
    assertThat(outcomes.stream().filter(o -> o.reply().status() == 200).count())
        .as("%s", outcomes)
        .isEqualTo(1);
    assertThat(fixtures.clientScopes())
        .filteredOn(scope -> title.equalsIgnoreCase(scope.path("description").asText()))
        .hasSize(1);
    ids.forEach(id -> api.delete(token, "config/tokenPolicies/" + id));
  }

  @Test
  void concurrentCreatesOfTitlesThatShareAScopeNameAllSucceedUnderDistinctNames() throws Exception {
    // different titles, one slug: each must get a client scope name of its own
    String token = fixtures.allPowerToken();
    String base = Fixtures.unique("Race slug");
    List<String> separators = List.of(" ", ".", "-", "_", "/", ":", "+", ",");
    int before = fixtures.total(token, "config/tokenPolicies");

    List<Outcome> outcomes = createAtOnce(token, writer -> base + separators.get(writer) + "end");

    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatus(201));
    assertThat(fixtures.total(token, "config/tokenPolicies")).isEqualTo(before + THREADS);
    List<String> names =
        fixtures.clientScopes().stream()
            .filter(scope -> scope.path("description").asText().startsWith(base))
            .map(scope -> scope.path("name").asText())
            .toList();
    assertThat(names).hasSize(THREADS).doesNotHaveDuplicates();
    outcomes.forEach(
        o -> api.delete(token, "config/tokenPolicies/" + o.reply().json().get("id").asText()));
  }

  @Test
  void concurrentWritesOfDifferentPoliciesAllSucceed() throws Exception {
    String token = fixtures.allPowerToken();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      ids.add(api.createPolicy(token, Fixtures.unique("Side " + i), "x").get("id").asText());
    }

    List<Outcome> outcomes =
        writeEachAtOnce(
            token,
            ids,
            writer ->
                ConfigApi.policyBody(Fixtures.unique("Side renamed " + writer), "w" + writer));

    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatus(200));
    for (Outcome o : outcomes) {
      Reply now = api.get(token, "config/tokenPolicies/" + ids.get(o.writer()));
      assertThat(now.json()).isEqualTo(o.reply().json());
      assertThat(now.header("ETag")).isEqualTo(o.reply().header("ETag"));
    }
    ids.forEach(id -> api.delete(token, "config/tokenPolicies/" + id));
  }

  @Test
  void concurrentCreatesOfOneClientIdCreateOnce() throws Exception {
    String token = fixtures.allPowerToken();
    String clientId = Fixtures.unique("race-client").toLowerCase(java.util.Locale.ROOT);

    List<Outcome> outcomes =
        race(writer -> api.post(token, "config/clients", ConfigApi.clientBody(clientId)));

    assertThat(outcomes).allSatisfy(o -> assertThat(o.reply()).hasStatusIn(201, 409));
    List<Outcome> created = outcomes.stream().filter(o -> o.reply().status() == 201).toList();
    assertThat(created).as("%s", outcomes).hasSize(1);
    assertThat(fixtures.internalId(clientId))
        .isEqualTo(created.get(0).reply().json().get("id").asText());
    api.delete(token, "config/clients/" + created.get(0).reply().json().get("id").asText());
  }
}
