package io.github.policyscopes.bench;

import static io.github.policyscopes.bench.BenchSupport.doubleProp;
import static io.github.policyscopes.bench.BenchSupport.fmt;
import static io.github.policyscopes.bench.BenchSupport.longProp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.bench.BenchSupport.Http;
import io.github.policyscopes.bench.BenchSupport.Reply;
import io.github.policyscopes.bench.BenchSupport.Samples;
import io.github.policyscopes.bench.BenchSupport.Tokens;
import io.github.policyscopes.it.KeycloakServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The config API at scale against Keycloak's own admin API, on ONE real server in one run (issue 11
 * item 2). For each N of {@code -Dbench.scale.sizes} (default 10,100,1000,10000), a realm {@code
 * bench-scale-N} holds N token policies; in it, sequential requests of one client, p50/p99 after a
 * warm-up:
 *
 * <ul>
 *   <li>{@code ours_list_all}: every policy through {@code GET config/tokenPolicies} (one request
 *       with {@code max=1000}, the API's cap; above 1,000 policies, consecutive pages of 1,000,
 *       timed together as one sample) and, above 1,000, {@code ours_list_page1000}: one page of
 *       1,000;
 *   <li>{@code keycloak_client_scopes}: {@code GET /admin/realms/bench-scale-N/client-scopes} with
 *       the master admin's token: the same N client scopes, each with its one mapper;
 *   <li>{@code ours_page20_first} ({@code first=0&max=20}) and {@code ours_page20_middle} ({@code
 *       first=N/2&max=20});
 * </ul>
 *
 * and in the realms of {@code -Dbench.scale.writesAt} (default 1000): {@code ours_create} (POST,
 * each followed by a timed {@code ours_delete}, so that N stays put), {@code ours_update} (PUT with
 * If-Match) and {@code ours_bind} (PUT config/clients/{id} adding one policy to tokenPolicies, each
 * followed by a timed {@code ours_unbind}).
 *
 * <p>The realms are imported when the server starts (files generated into {@code
 * target/bench/realms}, removed from the server's import folder once it is up): client scopes
 * carrying the {@code pbs-token-policy} mapper, the stored form the config API writes, and a client
 * {@code config-admin} whose policy grants {@code *:**}. A realm file holds at most {@code
 * -Dbench.scale.importMax} (500) policies; the rest are added through Keycloak's admin REST API
 * ({@code -Dbench.scale.seedThreads} concurrent requests) before anything is measured. A check
 * compares a policy the config API creates with an imported one, and the config API's {@code total}
 * must count every imported one. Prints a table with the ratios, writes {@code
 * target/bench/config-api-scale.csv} and renders the chart with {@code
 * docs/bench/render-scale-chart.py}.
 */
public final class ConfigApiScale {

  private static final int PAGE_CAP = 1000; // Paging.MAX_MAX, docs/config-api.md

  private static final List<Integer> SIZES =
      Arrays.stream(System.getProperty("bench.scale.sizes", "10,100,1000,10000").split(","))
          .map(String::trim)
          .map(Integer::valueOf)
          .sorted()
          .distinct()
          .toList();
  private static final List<Integer> WRITES_AT =
      Arrays.stream(System.getProperty("bench.scale.writesAt", "1000").split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(Integer::valueOf)
          .filter(SIZES::contains)
          .toList();
  private static final double SERVER_WARMUP_S = doubleProp("bench.scale.serverWarmup", 30);
  private static final double WARMUP_S = doubleProp("bench.scale.warmup", 2);
  private static final double SECONDS = doubleProp("bench.scale.seconds", 6);
  private static final int MAX_SAMPLES = (int) longProp("bench.scale.samples", 300);
  private static final int MIN_SAMPLES = (int) longProp("bench.scale.minSamples", 15);
  private static final int WRITES = (int) longProp("bench.scale.writes", 150);
  private static final int WRITE_WARMUP = (int) longProp("bench.scale.writeWarmup", 20);
  private static final int IMPORT_MAX = (int) longProp("bench.scale.importMax", 500);
  private static final int SEED_THREADS = (int) longProp("bench.scale.seedThreads", 4);
  private static final Path OUT_DIR = Path.of(System.getProperty("bench.out", "target/bench"));
  private static final Path CSV = OUT_DIR.resolve("config-api-scale.csv");
  private static final String CHART_SCRIPT = System.getProperty("bench.chart.script", "");
  private static final String CHART = System.getProperty("bench.chart", "");

  /** One line of the CSV. */
  private record Row(int n, String series, Samples samples, int requestsPerSample) {}

  private final Http http;
  private final Tokens admin;
  private final Map<Integer, Tokens> config = new HashMap<>();
  private final List<Row> rows = new ArrayList<>();

  private ConfigApiScale(KeycloakServer server) {
    this.http = new Http(server.baseUrl());
    this.admin = http.adminTokens();
    for (int n : SIZES) {
      config.put(n, http.clientTokens(realm(n), "config-admin", "config-admin-secret", "*:**"));
    }
  }

  /** Runs the benchmark, then ends the JVM (see {@link BenchSupport#exitWhenDone}). */
  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> measure());
  }

  private static void measure() throws Exception {
    long started = System.nanoTime();
    Path realms = OUT_DIR.resolve("realms");
    writeRealms(realms);
    Path imports = Path.of(BenchSupport.required("keycloak.home"), "data", "import");
    removeImports(imports);
    try (KeycloakServer server = BenchSupport.startServer(realms)) {
      removeImports(imports); // imported: later servers of this home must not import them again
      new ConfigApiScale(server).run();
    } finally {
      removeImports(imports);
    }
    System.out.printf("Config API scale run: %.0f s in all%n", (System.nanoTime() - started) / 1e9);
  }

  private static String realm(int n) {
    return "bench-scale-" + n; // the import wants the file named <realm>-realm.json
  }

  private static String configPath(int n) {
    return "realms/" + realm(n) + "/config/";
  }

  private static String adminPath(int n) {
    return "admin/realms/" + realm(n) + "/";
  }

  private void run() throws Exception {
    System.out.printf(
        "Config API at scale: sizes %s, writes at %s; per measurement %.0f s warm-up, then up to"
            + " %d samples or %.0f s (at least %d); server warm-up %.0f s%n",
        SIZES, WRITES_AT, WARMUP_S, MAX_SAMPLES, SECONDS, MIN_SAMPLES, SERVER_WARMUP_S);
    for (int n : SIZES) {
      seedRest(n);
      int total = total(n);
      if (total != n) {
        throw new IllegalStateException(
            "realm "
                + realm(n)
                + ": the config API counts "
                + total
                + " policies, "
                + n
                + " are stored: it does not see the imported client scopes as policies");
      }
    }
    checkStoredForm(SIZES.get(0));
    warmUpServer();
    for (int n : SIZES) {
      measureLists(n);
      if (WRITES_AT.contains(n)) {
        measureWrites(n);
      }
    }
    printTable();
    writeCsv();
    renderChart();
  }

  // ---- the realms ----

  /** One realm file per size: {@code bench-scale-N-realm.json}. */
  private static void writeRealms(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : old) {
        Files.delete(file);
      }
    }
    for (int n : SIZES) {
      List<ObjectNode> policies = new ArrayList<>();
      for (int i = 1; i < Math.min(n, IMPORT_MAX + 1); i++) {
        policies.add(policyScope(i));
      }
      ObjectNode realm = BenchSupport.configAdminRealm(realm(n), policies);
      BenchSupport.JSON.writeValue(dir.resolve(realm(n) + "-realm.json").toFile(), realm);
    }
  }

  private static void removeImports(Path imports) throws IOException {
    if (!Files.isDirectory(imports)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(imports, "bench-scale-*.json")) {
      for (Path file : files) {
        Files.delete(file);
      }
    }
  }

  private static ObjectNode policyScope(int i) {
    String title = String.format(Locale.ROOT, "Bench policy %05d", i);
    return BenchSupport.policyScope(
        title.toLowerCase(Locale.ROOT).replace(' ', '-'), title, allowedScopes(i));
  }

  /**
   * The policies beyond the {@code -Dbench.scale.importMax} of the realm file, through Keycloak's
   * admin REST API ({@code POST client-scopes}, the same representation): the import adds a realm's
   * client scopes in one transaction whose cost grows faster than linearly with their number.
   */
  private void seedRest(int n) throws Exception {
    int from = Math.min(n, IMPORT_MAX + 1);
    if (from >= n) {
      return;
    }
    long started = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(SEED_THREADS);
    try {
      List<Future<?>> created = new ArrayList<>();
      for (int i = from; i < n; i++) {
        int index = i;
        created.add(
            pool.submit(
                () ->
                    http.send(
                            "POST",
                            adminPath(n) + "client-scopes",
                            admin.get(),
                            policyScope(index),
                            Map.of())
                        .expect(201, "create client scope " + index)));
      }
      for (Future<?> f : created) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "realm %s: %d policies imported, %d more through the admin REST API in %.0f s (%.0f/s)%n",
        realm(n), from, n - from, seconds, (n - from) / seconds);
  }

  /** Realistic entries: a plain scope, read on one client's subtree, write on its secret. */
  private static List<String> allowedScopes(int i) {
    String client = String.format(Locale.ROOT, "config/clients/bench-%05d", i);
    return List.of("openid", ".:" + client + "/**", "*:" + client + "/secret");
  }

  private int total(int n) {
    return http.get(configPath(n) + "tokenPolicies?first=0&max=1", configTokens(n).get())
        .expect(200, "config list")
        .json()
        .path("total")
        .asInt();
  }

  /** Ids of imported policies (never config-admin's own), in title order. */
  private List<String> importedIds(int n, int count) {
    List<String> ids = new ArrayList<>();
    JsonNode page =
        http.get(configPath(n) + "tokenPolicies?first=0&max=" + (count + 1), configTokens(n).get())
            .expect(200, "config list")
            .json();
    for (JsonNode policy : page.path("tokenPolicies")) {
      if (!BenchSupport.CONFIG_ADMIN_TITLE.equals(policy.path("title").asText())
          && ids.size() < count) {
        ids.add(policy.path("id").asText());
      }
    }
    return ids;
  }

  /**
   * A policy created through the config API and an imported one must have the same stored form, and
   * the config API must read the imported one without a problem.
   */
  private void checkStoredForm(int n) {
    String token = configTokens(n).get();
    Reply created =
        http.send(
                "POST",
                configPath(n) + "tokenPolicies",
                token,
                policyBody("Bench form check", allowedScopes(0)),
                Map.of())
            .expect(201, "config API create");
    String apiId = created.json().path("id").asText();
    String importedId = importedIds(n, 1).get(0);
    JsonNode apiScope =
        http.get(adminPath(n) + "client-scopes/" + apiId, admin.get()).expect(200, "scope").json();
    JsonNode importedScope =
        http.get(adminPath(n) + "client-scopes/" + importedId, admin.get())
            .expect(200, "scope")
            .json();
    List<String> differences = new ArrayList<>();
    compare("protocol", apiScope.path("protocol"), importedScope.path("protocol"), differences);
    compare(
        "attributes", apiScope.path("attributes"), importedScope.path("attributes"), differences);
    compare(
        "mapper count",
        apiScope.path("protocolMappers").size(),
        importedScope.path("protocolMappers").size(),
        differences);
    JsonNode apiMapper = apiScope.path("protocolMappers").path(0);
    JsonNode importedMapper = importedScope.path("protocolMappers").path(0);
    for (String field : List.of("name", "protocol", "protocolMapper")) {
      compare("mapper " + field, apiMapper.path(field), importedMapper.path(field), differences);
    }
    compare(
        "mapper config keys",
        keys(apiMapper.path("config")),
        keys(importedMapper.path("config")),
        differences);
    if (!differences.isEmpty()) {
      throw new IllegalStateException(
          "imported policies are not stored like the config API stores them: " + differences);
    }
    JsonNode imported =
        http.get(configPath(n) + "tokenPolicies/" + importedId, token).expect(200, "policy").json();
    if (imported.path("warnings").size() > 0) {
      throw new IllegalStateException(
          "the config API reports problems of an imported policy: " + imported);
    }
    http.send("DELETE", configPath(n) + "tokenPolicies/" + apiId, token, null, Map.of())
        .expect(204, "delete the form check policy");
    System.out.println("stored form: imported policies = config API policies (checked)");
  }

  private static List<String> keys(JsonNode object) {
    List<String> keys = new ArrayList<>();
    object.fieldNames().forEachRemaining(keys::add);
    return keys.stream().sorted().toList();
  }

  private static void compare(String what, Object api, Object imported, List<String> out) {
    if (!api.equals(imported)) {
      out.add(what + ": API " + api + " vs imported " + imported);
    }
  }

  private static ObjectNode policyBody(String title, List<String> allowed) {
    ObjectNode body = BenchSupport.JSON.createObjectNode();
    body.put("title", title);
    ArrayNode scopes = body.putArray("allowedScopes");
    allowed.forEach(scopes::add);
    body.put("disallowedScopes", "ignore");
    return body;
  }

  // ---- measuring ----

  /** One timed operation: returns the nanoseconds of its timed part (preparation excluded). */
  @FunctionalInterface
  private interface Timed {
    long run() throws Exception;
  }

  private long timedGet(String path, Tokens tokens) {
    String token = tokens.get();
    long start = System.nanoTime();
    Reply reply = http.get(path, token);
    long elapsed = System.nanoTime() - start;
    reply.expect(200, "GET " + path);
    return elapsed;
  }

  /** Warm-up, then samples until enough or the time is up; recorded as one CSV row. */
  private Samples measure(int n, String series, int requestsPerSample, Timed op) throws Exception {
    long warmupEnd = System.nanoTime() + (long) (WARMUP_S * 1e9);
    for (int i = 0; i < 3 || System.nanoTime() < warmupEnd; i++) {
      op.run();
    }
    Samples samples = new Samples();
    long started = System.nanoTime();
    long soft = started + (long) (SECONDS * 1e9);
    long hard = started + (long) (SECONDS * 4e9);
    while (samples.size() < MAX_SAMPLES) {
      long now = System.nanoTime();
      if (now >= hard || (now >= soft && samples.size() >= MIN_SAMPLES)) {
        break;
      }
      samples.add(op.run());
    }
    rows.add(new Row(n, series, samples, requestsPerSample));
    System.out.printf(
        "  N=%-6d %-24s p50 %9.2f ms  p99 %9.2f ms  (%d samples)%n",
        n, series, samples.percentileMs(0.5), samples.percentileMs(0.99), samples.size());
    return samples;
  }

  /**
   * Cycles the list requests of the realms up to 1,000 policies: the first figures are not cold.
   */
  private void warmUpServer() {
    long end = System.nanoTime() + (long) (SERVER_WARMUP_S * 1e9);
    int requests = 0;
    while (System.nanoTime() < end) {
      for (int n : SIZES) {
        if (n > PAGE_CAP && n != SIZES.get(0)) {
          continue;
        }
        timedGet(configPath(n) + "tokenPolicies?first=0&max=" + PAGE_CAP, configTokens(n));
        timedGet(configPath(n) + "tokenPolicies?first=0&max=20", configTokens(n));
        timedGet(adminPath(n) + "client-scopes", admin);
        requests += 3;
      }
    }
    System.out.printf("server warm-up: %d requests in %.0f s%n", requests, SERVER_WARMUP_S);
  }

  private void measureLists(int n) throws Exception {
    Tokens tokens = configTokens(n);
    String policies = configPath(n) + "tokenPolicies";
    int pages = (n + PAGE_CAP - 1) / PAGE_CAP;
    // one check that the listings are complete: every policy, in pages of PAGE_CAP; every scope
    int listed = 0;
    for (int p = 0; p < pages; p++) {
      listed +=
          http.get(policies + "?first=" + p * PAGE_CAP + "&max=" + PAGE_CAP, tokens.get())
              .expect(200, "list")
              .json()
              .path("tokenPolicies")
              .size();
    }
    int scopes =
        http.get(adminPath(n) + "client-scopes", admin.get()).expect(200, "scopes").json().size();
    if (listed != n || scopes < n) {
      throw new IllegalStateException(
          "realm "
              + realm(n)
              + ": listed "
              + listed
              + " policies and "
              + scopes
              + " scopes of "
              + n);
    }
    // Keycloak adds its own service_account scope to the realm when it creates the service account
    System.out.printf(
        "N=%d policies (realm %s; Keycloak lists %d client scopes)%n", n, realm(n), scopes);
    measure(
        n,
        "ours_list_all",
        pages,
        () -> {
          String token = tokens.get();
          long total = 0;
          for (int p = 0; p < pages; p++) {
            String path = policies + "?first=" + p * PAGE_CAP + "&max=" + PAGE_CAP;
            long start = System.nanoTime();
            Reply reply = http.get(path, token);
            total += System.nanoTime() - start;
            reply.expect(200, "GET " + path);
          }
          return total;
        });
    if (pages > 1) {
      measure(
          n,
          "ours_list_page1000",
          1,
          () -> timedGet(policies + "?first=0&max=" + PAGE_CAP, tokens));
      int last = (pages - 1) * PAGE_CAP;
      measure(
          n,
          "ours_list_page1000_deep",
          1,
          () -> timedGet(policies + "?first=" + last + "&max=" + PAGE_CAP, tokens));
    }
    measure(n, "keycloak_client_scopes", 1, () -> timedGet(adminPath(n) + "client-scopes", admin));
    measure(n, "ours_page20_first", 1, () -> timedGet(policies + "?first=0&max=20", tokens));
    int middle = n / 2;
    measure(
        n,
        "ours_page20_middle",
        1,
        () -> timedGet(policies + "?first=" + middle + "&max=20", tokens));
  }

  private void measureWrites(int n) {
    System.out.printf(
        "N=%d: writes (%d warm-up + %d timed of each kind)%n", n, WRITE_WARMUP, WRITES);
    List<String> imported = importedIds(n, Math.min(n - 1, 50));
    if (imported.size() < 2) {
      throw new IllegalStateException("writes need at least 3 policies in the realm");
    }
    measureCreateDelete(n);
    measureUpdate(n, imported);
    measureBind(n, imported);
  }

  private void measureCreateDelete(int n) {
    Tokens tokens = configTokens(n);
    Samples create = new Samples();
    Samples delete = new Samples();
    for (int i = 0; i < WRITE_WARMUP + WRITES; i++) {
      String token = tokens.get();
      ObjectNode body =
          policyBody(String.format(Locale.ROOT, "Bench write %05d", i), allowedScopes(90_000 + i));
      long start = System.nanoTime();
      Reply created = http.send("POST", configPath(n) + "tokenPolicies", token, body, Map.of());
      long createNanos = System.nanoTime() - start;
      created.expect(201, "create");
      String path = configPath(n) + "tokenPolicies/" + created.json().path("id").asText();
      start = System.nanoTime();
      Reply deleted =
          http.send("DELETE", path, token, null, Map.of("If-Match", created.header("ETag")));
      long deleteNanos = System.nanoTime() - start;
      deleted.expect(204, "delete");
      if (i >= WRITE_WARMUP) {
        create.add(createNanos);
        delete.add(deleteNanos);
      }
    }
    record(n, "ours_create", create);
    record(n, "ours_delete", delete);
  }

  private void measureUpdate(int n, List<String> imported) {
    Tokens tokens = configTokens(n);
    List<String> ids = imported.subList(0, Math.min(20, imported.size()));
    Map<String, String> etags = new HashMap<>();
    Map<String, JsonNode> bodies = new HashMap<>();
    for (String id : ids) {
      Reply reply =
          http.get(configPath(n) + "tokenPolicies/" + id, tokens.get()).expect(200, "policy");
      etags.put(id, reply.header("ETag"));
      bodies.put(id, reply.json());
    }
    Samples update = new Samples();
    for (int i = 0; i < WRITE_WARMUP + WRITES; i++) {
      String id = ids.get(i % ids.size());
      JsonNode current = bodies.get(id);
      if (current == null) {
        throw new IllegalStateException("policy " + id + " was not read");
      }
      List<String> allowed = new ArrayList<>();
      current.path("allowedScopes").forEach(s -> allowed.add(s.asText()));
      if (!allowed.remove("email")) {
        allowed.add("email"); // every update changes the policy: add or drop a plain scope
      }
      ObjectNode body = policyBody(current.path("title").asText(), allowed);
      String token = tokens.get();
      long start = System.nanoTime();
      Reply reply =
          http.send(
              "PUT",
              configPath(n) + "tokenPolicies/" + id,
              token,
              body,
              Map.of("If-Match", etags.get(id)));
      long nanos = System.nanoTime() - start;
      reply.expect(200, "update");
      etags.put(id, reply.header("ETag"));
      bodies.put(id, reply.json());
      if (i >= WRITE_WARMUP) {
        update.add(nanos);
      }
    }
    record(n, "ours_update", update);
  }

  private void measureBind(int n, List<String> imported) {
    Tokens tokens = configTokens(n);
    String base = imported.get(0);
    ObjectNode client = BenchSupport.JSON.createObjectNode();
    client.put("clientId", "bench-bind-target");
    client.putArray("tokenPolicies").add(base);
    Reply created =
        http.send("POST", configPath(n) + "clients", tokens.get(), client, Map.of())
            .expect(201, "create the client to bind");
    String path = configPath(n) + "clients/" + created.json().path("id").asText();
    Reply current = http.get(path, tokens.get()).expect(200, "client");
    ObjectNode representation = (ObjectNode) current.json();
    String etag = current.header("ETag");
    Samples bind = new Samples();
    Samples unbind = new Samples();
    for (int i = 0; i < WRITE_WARMUP + WRITES; i++) {
      String added = imported.get(1 + i % (imported.size() - 1));
      String token = tokens.get();
      representation.putArray("tokenPolicies").add(base).add(added);
      long start = System.nanoTime();
      Reply bound = http.send("PUT", path, token, representation, Map.of("If-Match", etag));
      long bindNanos = System.nanoTime() - start;
      bound.expect(200, "bind");
      etag = bound.header("ETag");
      representation.putArray("tokenPolicies").add(base);
      start = System.nanoTime();
      Reply unbound = http.send("PUT", path, token, representation, Map.of("If-Match", etag));
      long unbindNanos = System.nanoTime() - start;
      unbound.expect(200, "unbind");
      etag = unbound.header("ETag");
      if (i >= WRITE_WARMUP) {
        bind.add(bindNanos);
        unbind.add(unbindNanos);
      }
    }
    record(n, "ours_bind", bind);
    record(n, "ours_unbind", unbind);
  }

  private void record(int n, String series, Samples samples) {
    rows.add(new Row(n, series, samples, 1));
    System.out.printf(
        "  N=%-6d %-24s p50 %9.2f ms  p99 %9.2f ms  (%d samples)%n",
        n, series, samples.percentileMs(0.5), samples.percentileMs(0.99), samples.size());
  }

  // ---- reporting ----

  /** The config API token source of realm N (every N has one from the setup). */
  private Tokens configTokens(int n) {
    Tokens tokens = config.get(n);
    if (tokens == null) {
      throw new IllegalStateException("no config API token for N=" + n);
    }
    return tokens;
  }

  private @Nullable Samples find(int n, String series) {
    return rows.stream()
        .filter(r -> r.n() == n && r.series().equals(series))
        .map(Row::samples)
        .findFirst()
        .orElse(null);
  }

  private static String cell(@Nullable Samples s) {
    return s == null
        ? "-"
        : String.format(Locale.ROOT, "%.2f / %.2f", s.percentileMs(0.5), s.percentileMs(0.99));
  }

  private static double p50(@Nullable Samples s) {
    return s == null ? Double.NaN : s.percentileMs(0.5);
  }

  private void printTable() {
    System.out.println();
    System.out.println(
        "=== Config API at scale (one Keycloak, one realm per N; sequential requests; ms p50 / p99) ===");
    System.out.printf(
        "%7s | %-21s | %-21s | %-21s | %8s | %-19s | %-19s%n",
        "N",
        "ours list all",
        "ours page of 1000",
        "Keycloak client-scopes",
        "ours/KC",
        "ours page20 first",
        "ours page20 middle");
    for (int n : SIZES) {
      Samples all = find(n, "ours_list_all");
      Samples page1000 = find(n, "ours_list_page1000");
      Samples kc = find(n, "keycloak_client_scopes");
      System.out.printf(
          "%7d | %-21s | %-21s | %-21s | %7.2fx | %-19s | %-19s%n",
          n,
          cell(all) + (page1000 != null ? " (" + ((n + PAGE_CAP - 1) / PAGE_CAP) + " pages)" : ""),
          page1000 == null ? "(= list all)" : cell(page1000),
          cell(kc),
          p50(all) / p50(kc),
          cell(find(n, "ours_page20_first")),
          cell(find(n, "ours_page20_middle")));
    }
    int small = SIZES.get(0);
    int large = SIZES.get(SIZES.size() - 1);
    System.out.printf(
        "ours list all / Keycloak client-scopes (p50): %s   (target <= 1 at 1000)%n",
        String.join(
            ", ",
            SIZES.stream()
                .map(
                    n ->
                        String.format(
                            Locale.ROOT,
                            "N=%d %.2fx",
                            n,
                            p50(find(n, "ours_list_all")) / p50(find(n, "keycloak_client_scopes"))))
                .toList()));
    System.out.printf(
        "page of 20 at N=%d / at N=%d (p50): first %.2fx, middle %.2fx   (target: the same cost)%n",
        large,
        small,
        p50(find(large, "ours_page20_first")) / p50(find(small, "ours_page20_first")),
        p50(find(large, "ours_page20_middle")) / p50(find(small, "ours_page20_middle")));
    int largest = SIZES.stream().filter(n -> n > PAGE_CAP).reduce((a, b) -> b).orElse(large);
    int thousand = SIZES.contains(1000) ? 1000 : large;
    System.out.println(
        "=== The three targets (issue 21 item 2), each against its anchor of this run ===");
    System.out.printf(
        Locale.ROOT,
        "  list of %d / Keycloak client-scopes of the same realm (p50): %.2fx   (target <= 1.0)%n",
        thousand,
        p50(find(thousand, "ours_list_all")) / p50(find(thousand, "keycloak_client_scopes")));
    System.out.printf(
        Locale.ROOT,
        "  page of 20 at N=%d / at N=%d (p50): first %.2fx, middle %.2fx   (target <= 1.3)%n",
        large,
        small,
        p50(find(large, "ours_page20_first")) / p50(find(small, "ours_page20_first")),
        p50(find(large, "ours_page20_middle")) / p50(find(small, "ours_page20_middle")));
    System.out.printf(
        Locale.ROOT,
        "  deep page of 1000 / first page of 1000 at N=%d (p50): %.2fx   (target: about 1)%n",
        largest,
        p50(find(largest, "ours_list_page1000_deep")) / p50(find(largest, "ours_list_page1000")));
    System.out.printf(
        "(the config API caps max at %d: above that, 'list all' is consecutive pages of %d timed"
            + " together)%n",
        PAGE_CAP, PAGE_CAP);
    for (int n : WRITES_AT) {
      if (find(n, "ours_create") == null) {
        continue;
      }
      System.out.printf("writes at N=%d (ms p50 / p99):%n", n);
      for (String series :
          List.of("ours_create", "ours_update", "ours_bind", "ours_unbind", "ours_delete")) {
        Samples s = find(n, series);
        System.out.printf(
            "  %-12s %-21s (%d samples)%n", series, cell(s), s == null ? 0 : s.size());
      }
    }
  }

  private void writeCsv() throws IOException {
    Files.createDirectories(CSV.toAbsolutePath().getParent());
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(CSV, StandardCharsets.UTF_8))) {
      out.printf(
          "# Keycloak %s, %s, %d cores; sizes %s; per measurement up to %d samples / %.0f s%n",
          System.getProperty("keycloak.version", "?"),
          Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          Runtime.getRuntime().availableProcessors(),
          SIZES,
          MAX_SAMPLES,
          SECONDS);
      out.println("n,series,p50_ms,p99_ms,mean_ms,samples,requests_per_sample");
      for (Row r : rows) {
        out.printf(
            "%d,%s,%s,%s,%s,%d,%d%n",
            r.n(),
            r.series(),
            fmt(r.samples().percentileMs(0.5)),
            fmt(r.samples().percentileMs(0.99)),
            fmt(r.samples().meanMs()),
            r.samples().size(),
            r.requestsPerSample());
      }
    }
    System.out.println("CSV: " + CSV.toAbsolutePath());
  }

  private void renderChart() throws InterruptedException {
    String command = "python3 " + CHART_SCRIPT + " " + CSV.toAbsolutePath() + " " + CHART;
    if (CHART_SCRIPT.isBlank() || CHART.isBlank()) {
      System.out.println("chart: not rendered (-Dbench.chart.script and -Dbench.chart unset)");
      return;
    }
    try {
      Process python =
          new ProcessBuilder("python3", CHART_SCRIPT, CSV.toAbsolutePath().toString(), CHART)
              .inheritIO()
              .start();
      if (python.waitFor() == 0) {
        System.out.println("chart: " + CHART);
        return;
      }
    } catch (IOException e) {
      System.out.println("chart: python3 did not start (" + e.getMessage() + ")");
    }
    System.out.println("chart: not rendered; run: " + command);
  }
}
