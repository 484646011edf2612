package io.github.policyscopes.bench;

import static io.github.policyscopes.bench.BenchSupport.doubleProp;
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
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The config API under concurrent load against Keycloak's own admin API under the same load, on ONE
 * real server in one run (issue 21 item 3). A realm {@code bench-load} holds {@code
 * -Dbench.load.policies} (500) token policies; {@code -Dbench.load.clients} (8) concurrent clients
 * send requests back to back, {@code -Dbench.load.writers} (2) of them writers, the others readers:
 *
 * <ul>
 *   <li>config API ({@code ours}): a reader cycles {@code GET config/tokenPolicies?first=0&max=20},
 *       {@code GET config/tokenPolicies/{id}} and {@code GET config/tokenPolicies?first=k&max=100};
 *       a writer {@code PUT config/tokenPolicies/{id}} (a new title, its own policies);
 *   <li>Keycloak's admin API ({@code keycloak}, the anchor, master admin token): a reader cycles
 *       {@code GET admin/realms/bench-load/client-scopes} (every scope: Keycloak has no paging
 *       there), {@code GET client-scopes/{id}} and the list again; a writer {@code PUT
 *       client-scopes/{id}} (a new description).
 * </ul>
 *
 * <p>Each API gets {@code -Dbench.load.warmup} (10) seconds of warm-up, then rounds of {@code
 * -Dbench.load.seconds} (15) seconds alternate ABBA (ours, keycloak, keycloak, ours). Prints p50
 * and p99 of reads, writes and all requests, the throughput and the count of 5xx answers (any other
 * non-2xx answer fails the run) per API; target: ours p99 &lt; 50 ms.
 */
public final class ConfigApiLoad {

  private static final String REALM = "bench-load";
  private static final int POLICIES = (int) longProp("bench.load.policies", 500);
  private static final int CLIENTS = (int) longProp("bench.load.clients", 8);
  private static final int WRITERS = (int) longProp("bench.load.writers", 2);
  private static final double WARMUP_S = doubleProp("bench.load.warmup", 10);
  private static final double SECONDS = doubleProp("bench.load.seconds", 15);
  private static final Path OUT_DIR = Path.of(System.getProperty("bench.out", "target/bench"));

  /** What one API's run collected. */
  private static final class Tally {
    final Samples reads = new Samples();
    final Samples writes = new Samples();
    final Samples all = new Samples();
    final AtomicInteger serverErrors = new AtomicInteger();
    long requests;
    double seconds;

    synchronized void add(boolean write, long nanos) {
      (write ? writes : reads).add(nanos);
      all.add(nanos);
      requests++;
    }
  }

  /** One kind of load: what a reader and a writer send. */
  private record Load(Request read, Request write) {}

  /** The {@code i}th request of thread {@code client}. */
  private interface Request {
    Reply send(int client, long i);
  }

  private final Http http;
  private final Tokens admin;
  private final Tokens config;
  private final List<String> ids = new ArrayList<>();

  private ConfigApiLoad(KeycloakServer server) {
    this.http = new Http(server.baseUrl());
    this.admin = http.adminTokens();
    this.config = http.clientTokens(REALM, "config-admin", "config-admin-secret", "*:**");
  }

  /** Runs the benchmark, then ends the JVM (see {@link BenchSupport#exitWhenDone}). */
  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> measure());
  }

  private static void measure() throws Exception {
    Path realms = OUT_DIR.resolve("load-realms");
    writeRealm(realms);
    Path imports = Path.of(BenchSupport.required("keycloak.home"), "data", "import");
    try (KeycloakServer server = BenchSupport.startServer(realms)) {
      removeImport(imports);
      new ConfigApiLoad(server).run();
    } finally {
      removeImport(imports);
    }
  }

  private void run() throws Exception {
    JsonNode page =
        http.get("realms/" + REALM + "/config/tokenPolicies?first=0&max=1000", config.get())
            .expect(200, "config list")
            .json();
    for (JsonNode p : page.path("tokenPolicies")) {
      if (p.path("title").asText().startsWith("Load policy")) {
        ids.add(p.path("id").asText());
      }
    }
    if (ids.size() < CLIENTS * 4) {
      throw new IllegalStateException("too few policies listed: " + ids.size());
    }
    System.out.printf(
        "Config API load: %d policies, %d clients (%d writers, %d readers), warm-up %.0f s, ABBA"
            + " rounds of %.0f s%n",
        ids.size(), CLIENTS, WRITERS, CLIENTS - WRITERS, WARMUP_S, SECONDS);
    Load ours = ours();
    Load keycloak = keycloak();
    drive(ours, WARMUP_S, new Tally());
    drive(keycloak, WARMUP_S, new Tally());
    Tally oursTally = new Tally();
    Tally keycloakTally = new Tally();
    drive(ours, SECONDS, oursTally);
    drive(keycloak, SECONDS, keycloakTally);
    drive(keycloak, SECONDS, keycloakTally);
    drive(ours, SECONDS, oursTally);
    System.out.println();
    System.out.println(
        "=== Config API under load vs Keycloak's admin API, same server, same run (ms) ===");
    print("ours (config API)", oursTally);
    print("keycloak (admin API)", keycloakTally);
    System.out.printf(
        Locale.ROOT,
        "ours p99 %.2f ms (target < 50 ms); ours/keycloak p99 %.2fx, p50 %.2fx; 5xx: ours %d,"
            + " keycloak %d%n",
        oursTally.all.percentileMs(0.99),
        oursTally.all.percentileMs(0.99) / keycloakTally.all.percentileMs(0.99),
        oursTally.all.percentileMs(0.5) / keycloakTally.all.percentileMs(0.5),
        oursTally.serverErrors.get(),
        keycloakTally.serverErrors.get());
  }

  private static void print(String name, Tally t) {
    System.out.printf(
        Locale.ROOT,
        "%-22s all p50 %7.2f p99 %7.2f | reads p50 %7.2f p99 %7.2f | writes p50 %7.2f p99 %7.2f"
            + " | %6.0f req/s | 5xx %d%n",
        name,
        t.all.percentileMs(0.5),
        t.all.percentileMs(0.99),
        t.reads.percentileMs(0.5),
        t.reads.percentileMs(0.99),
        t.writes.percentileMs(0.5),
        t.writes.percentileMs(0.99),
        t.requests / t.seconds,
        t.serverErrors.get());
  }

  /** The policy read {@code i} of thread {@code client} reads: the threads spread over all. */
  private String spread(int client, long i) {
    return ids.get((int) ((i * 7 + client) % ids.size()));
  }

  /** The policy write {@code i} of thread {@code client} changes: one of its own four. */
  private int own(int client, long i) {
    return client * (ids.size() / CLIENTS) + (int) (i % 4);
  }

  /** The config API's load. */
  private Load ours() {
    String base = "realms/" + REALM + "/config/tokenPolicies";
    return new Load(
        (client, i) -> {
          String token = config.get();
          return switch ((int) (i % 3)) {
            case 0 -> http.get(base + "?first=0&max=20", token);
            case 1 -> http.get(base + "/" + spread(client, i), token);
            default -> http.get(base + "?first=" + (i * 13 % ids.size()) + "&max=100", token);
          };
        },
        (client, i) -> {
          int own = own(client, i);
          ObjectNode body = BenchSupport.JSON.createObjectNode();
          body.put("title", String.format(Locale.ROOT, "Load policy %05d w%d", own, i));
          ArrayNode allowed = body.putArray("allowedScopes");
          allowedScopes(own).forEach(allowed::add);
          body.put("disallowedScopes", "ignore");
          return http.send("PUT", base + "/" + ids.get(own), config.get(), body, Map.of());
        });
  }

  /** Keycloak's admin API under the same load: the anchor. */
  private Load keycloak() {
    String base = "admin/realms/" + REALM + "/client-scopes";
    return new Load(
        (client, i) -> {
          String token = admin.get();
          return (i % 3) == 1
              ? http.get(base + "/" + spread(client, i), token)
              : http.get(base, token);
        },
        (client, i) -> {
          int own = own(client, i);
          String path = base + "/" + ids.get(own);
          String token = admin.get();
          ObjectNode scope = (ObjectNode) http.get(path, token).expect(200, "GET " + path).json();
          scope.put("description", String.format(Locale.ROOT, "Load policy %05d k%d", own, i));
          long start = System.nanoTime();
          Reply reply = http.send("PUT", path, token, scope, Map.of());
          return new Reply(reply.status(), Long.toString(System.nanoTime() - start), reply.raw());
        });
  }

  /** {@code CLIENTS} threads, back to back, for {@code seconds}. */
  private void drive(Load load, double seconds, Tally tally) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9) + 50_000_000L;
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      boolean writer = c < WRITERS;
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (long i = 0; System.nanoTime() < end; i++) {
                    long began = System.nanoTime();
                    Reply reply =
                        writer ? load.write().send(client, i) : load.read().send(client, i);
                    long nanos = System.nanoTime() - began;
                    if (writer && reply.body().matches("\\d+")) {
                      nanos = Long.parseLong(reply.body()); // Keycloak's PUT alone is timed
                    }
                    if (reply.status() >= 500) {
                      tally.serverErrors.incrementAndGet();
                    } else if (reply.status() / 100 != 2) {
                      throw new IllegalStateException(
                          "unexpected "
                              + reply.status()
                              + ": "
                              + BenchSupport.abbreviated(reply.body()));
                    }
                    tally.add(writer, nanos);
                  }
                } catch (Throwable e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              });
      threads.add(t);
      t.start();
    }
    long began = System.nanoTime();
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    tally.seconds += (System.nanoTime() - began) / 1e9;
    if (!failures.isEmpty()) {
      throw new IllegalStateException("load failed", failures.get(0));
    }
  }

  // ---- the realm ----

  private static List<String> allowedScopes(int i) {
    String client = String.format(Locale.ROOT, "config/clients/load-%05d", i);
    return List.of("openid", ".:" + client + "/**", "*:" + client + "/secret");
  }

  private static void writeRealm(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : old) {
        Files.delete(file);
      }
    }
    List<ObjectNode> policies = new ArrayList<>();
    for (int i = 0; i < POLICIES; i++) {
      String title = String.format(Locale.ROOT, "Load policy %05d", i);
      policies.add(
          BenchSupport.policyScope(
              title.toLowerCase(Locale.ROOT).replace(' ', '-'), title, allowedScopes(i)));
    }
    ObjectNode realm = BenchSupport.configAdminRealm(REALM, policies);
    BenchSupport.JSON.writeValue(dir.resolve(REALM + "-realm.json").toFile(), realm);
  }

  private static void removeImport(Path imports) throws IOException {
    Files.deleteIfExists(imports.resolve(REALM + "-realm.json"));
  }
}
