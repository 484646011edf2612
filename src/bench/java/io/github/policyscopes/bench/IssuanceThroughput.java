package io.github.policyscopes.bench;

import org.jspecify.annotations.Nullable;

import io.github.policyscopes.it.DistributionServer;
import io.github.policyscopes.it.KeycloakServer;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * client_credentials throughput of a policy-bound client against an unbound client on the same
 * real server, in alternating rounds so that both see the same JIT, cache and machine state. Bounded
 * in count and time; loopback only. Prints requests per second for each and the ratio.
 */
public final class IssuanceThroughput {

  private static final int THREADS = Integer.getInteger("bench.threads", 4);
  private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("bench.warmup", 40));
  private static final Duration ROUND = Duration.ofSeconds(Long.getLong("bench.round", 5));
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 8);
  private static final long MAX_REQUESTS_PER_ROUND = 200_000;

  private record Target(String name, String form) {}

  public static void main(String[] args) throws Exception {
    try (KeycloakServer server =
        DistributionServer.start(
            Path.of(System.getProperty("keycloak.home")),
            Path.of(System.getProperty("extension.jar")),
            Path.of(System.getProperty("realm.export.dir")),
            Path.of(System.getProperty("keycloak.log.dir")),
            java.util.List.of())) { // metrics off: the figures compare with earlier runs
      run(server);
    }
  }

  private static void run(KeycloakServer server) throws Exception {
    TestClient admin = new TestClient(server.baseUrl());
    TestClient.Reply created =
        admin.admin(
            "POST",
            "realms/demo/clients",
            Map.of(
                "clientId", "bench-unbound",
                "secret", "bench-unbound-secret",
                "publicClient", false,
                "serviceAccountsEnabled", true,
                "standardFlowEnabled", false));
    if (created.status() != 201) {
      throw new IllegalStateException("could not create the unbound client: " + created);
    }
    Target bound =
        new Target(
            "bound (config-admin, policy decides 3 requested scopes)",
            form(
                "config-admin",
                "config-admin-secret",
                "*:config/tokenPolicies .:config/clients/* XXXXX"));
    Target unbound =
        new Target(
            "unbound (stock grant, default scopes)",
            form("bench-unbound", "bench-unbound-secret", null));
    URI tokenEndpoint = URI.create(server.baseUrl() + "/realms/demo/protocol/openid-connect/token");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      System.out.printf(
          "Issuance throughput: %d threads, warm-up %d s, %d alternating rounds of %d s each%n",
          THREADS, WARMUP.toSeconds(), ROUNDS, ROUND.toSeconds());
      round(pool, http, tokenEndpoint, bound, WARMUP.dividedBy(2));
      round(pool, http, tokenEndpoint, unbound, WARMUP.dividedBy(2));
      double boundTotal = 0;
      double unboundTotal = 0;
      for (int i = 0; i < ROUNDS; i++) {
        // alternate which goes first, so neither always runs on a warmer server
        boolean boundFirst = i % 2 == 0;
        double a = round(pool, http, tokenEndpoint, boundFirst ? bound : unbound, ROUND);
        double b = round(pool, http, tokenEndpoint, boundFirst ? unbound : bound, ROUND);
        double boundRate = boundFirst ? a : b;
        double unboundRate = boundFirst ? b : a;
        boundTotal += boundRate;
        unboundTotal += unboundRate;
        System.out.printf(
            "  round %d: bound %.0f req/s, unbound %.0f req/s%n", i + 1, boundRate, unboundRate);
      }
      System.out.printf(
          "RESULT bound %.0f req/s, unbound %.0f req/s, ratio bound/unbound = %.3f (target >= 0.97)%n",
          boundTotal / ROUNDS, unboundTotal / ROUNDS, boundTotal / unboundTotal);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Requests per second of one target over one round; fails on any non-200. */
  private static double round(
      ExecutorService pool, HttpClient http, URI endpoint, Target target, Duration length)
      throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + length.toNanos();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      workers.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < end && done.get() < MAX_REQUESTS_PER_ROUND) {
                  HttpResponse<String> response =
                      http.send(
                          HttpRequest.newBuilder(endpoint)
                              .header("Content-Type", "application/x-www-form-urlencoded")
                              .POST(HttpRequest.BodyPublishers.ofString(target.form()))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                        target.name() + ": " + response.statusCode() + " " + response.body());
                  }
                  done.incrementAndGet();
                }
                return null;
              }));
    }
    long started = System.nanoTime();
    for (Future<?> worker : workers) {
      worker.get();
    }
    return done.get() / ((System.nanoTime() - started) / 1e9);
  }

  private static String form(String clientId, String secret, @Nullable String scope) {
    String form =
        "grant_type=client_credentials&client_id="
            + enc(clientId)
            + "&client_secret="
            + enc(secret);
    return scope == null ? form : form + "&scope=" + enc(scope);
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
