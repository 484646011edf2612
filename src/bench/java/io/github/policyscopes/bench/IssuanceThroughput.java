package io.github.policyscopes.bench;

import static io.github.policyscopes.bench.BenchSupport.doubleProp;
import static io.github.policyscopes.bench.BenchSupport.longProp;

import io.github.policyscopes.bench.BenchSupport.Http;
import io.github.policyscopes.it.KeycloakServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * client_credentials throughput of a policy-bound client against an unbound client on one real
 * server (issue 11 item 3: the demo's config-admin asking for three scopes, against a client of the
 * realm's defaults asking for none), then stock Keycloak alone against the same anchor (the unbound
 * client naming its default scopes: what a request that names scopes costs Keycloak,
 * docs/adr/0042), then a refresh_token grant (issue 21: two clients with client_credentials refresh
 * tokens, the bound one's policy dropping the default scopes profile and email), then
 * client_credentials of two clients that send the same request (bench-cc-bound made like the
 * unbound one, bound to that policy: the extension's cost alone, docs/adr/0041), and the same
 * request naming scopes (both send scope=profile email, the bound one's policy drops email,
 * docs/adr/0042), fairly, each after the saved events are deleted:
 *
 * <ol>
 *   <li>warm-up until the throughput stops climbing: rounds of {@code -Dbench.warmup.round} s (half
 *       bound, half unbound, alternating which goes first) until at least {@code
 *       -Dbench.warmup.min} s have passed and the last three rounds differ by less than {@code
 *       -Dbench.warmup.tolerance} (2 %); at most {@code -Dbench.warmup.max} s (then it says so);
 *   <li>{@code -Dbench.pairs} (default 32, even: 16 blocks, whose median varies between runs about
 *       1/√2 as much as that of 8, docs/adr/0044) pairs of rounds of {@code -Dbench.round} s each
 *       in ABBA order (bound, unbound, unbound, bound, …); every two pairs make an ABBA block whose
 *       ratio (its bound rounds over its unbound rounds) a steadily drifting server favours neither
 *       way ({@link AbbaBlocks}); each round is printed, and the result is the MEDIAN of the
 *       blocks' bound/unbound ratios (docs/adr/0044), with a distribution-free 90 % interval of
 *       that median ({@link AbbaBlocks#medianInterval}), printed beside the median of the adjacent
 *       pairs' ratios (the figure before) and the ratio of the means; every 16 pairs the saved
 *       events are deleted again, followed by two unmeasured warm-up rounds;
 *   <li>with {@code -Dbench.jfr=true}: a bound-only phase of {@code -Dbench.jfr.seconds} s recorded
 *       by JFR in the server (started and stopped with {@code jcmd} around that phase only, so that
 *       neither the warm-up nor the ABBA rounds are recorded), and the top frames of its {@code
 *       jdk.ExecutionSample} events ({@link JfrTopFrames}), one phase per bound client of the
 *       comparisons run, each after the saved events are deleted (so that the phases' rates
 *       compare); {@code -Dbench.jfr.unbound=true} records the unbound client's phases the same way
 *       (naming no scopes, and naming them when a comparison did), for comparison, before the bound
 *       ones. A recording of {@code -Dbench.jfr.warmup} s (default 120) is made and thrown away
 *       before the first phase: the server's first recording starts JFR and runs slower than the
 *       later ones; each phase runs 20 s unrecorded before its recording, after the delete of the
 *       saved events ({@code -Dbench.jfr.period=1ms}: JFR's {@code profile} settings sampling every
 *       1 ms, not 10).
 * </ol>
 *
 * <p>The load: {@code -Dbench.threads} workers (default 4), each sending the next token request as
 * soon as the previous one is answered, one JDK HttpClient (HTTP/1.1 keep-alive); any non-200 fails
 * the run. Loopback only.
 */
public final class IssuanceThroughput {

  private static final int THREADS = (int) longProp("bench.threads", 4);
  private static final double WARMUP_MIN_S = doubleProp("bench.warmup.min", 60);
  private static final double WARMUP_MAX_S = doubleProp("bench.warmup.max", 240);
  private static final double WARMUP_ROUND_S = doubleProp("bench.warmup.round", 10);
  private static final double WARMUP_TOLERANCE = doubleProp("bench.warmup.tolerance", 0.02);
  private static final double ROUND_S = doubleProp("bench.round", 6);
  private static final int PAIRS = (int) longProp("bench.pairs", 32);
  private static final boolean JFR = Boolean.getBoolean("bench.jfr");

  /**
   * {@code -Dbench.events=false} stops the demo realm's saving of login events, for both clients.
   */
  private static final boolean EVENTS = !"false".equals(System.getProperty("bench.events"));

  private static final boolean JFR_UNBOUND = Boolean.getBoolean("bench.jfr.unbound");

  /** Every comparison, in the order they run. */
  private static final List<String> COMPARISONS =
      List.of("config-admin", "stock-scope", "refresh", "same-request", "same-request-named");

  /**
   * {@code -Dbench.only=config-admin,stock-scope,refresh,same-request,same-request-named}: the
   * comparisons to run (default all five, in that order; an unknown name fails the run), e.g. one
   * alone for a profile of it. {@code stock-scope} is Keycloak alone: the unbound client asking for
   * its default scopes by name ({@code scope=profile email}, the same token; {@code openid} would
   * add an ID token) against the same client asking for none, so what a request that names scopes
   * costs stock Keycloak.
   */
  private static final Set<String> ONLY =
      comparisons(System.getProperty("bench.only", String.join(",", COMPARISONS)));

  /** The default client scopes both clients name in the comparisons of a request naming scopes. */
  private static final String NAMED_SCOPES = "profile email";

  private static Set<String> comparisons(String names) {
    Set<String> picked = new java.util.LinkedHashSet<>();
    for (String name : names.split(",", -1)) {
      String trimmed = name.trim();
      if (!COMPARISONS.contains(trimmed)) {
        throw new IllegalArgumentException(
            "-Dbench.only: unknown comparison '" + trimmed + "', known: " + COMPARISONS);
      }
      picked.add(trimmed);
    }
    return Set.copyOf(picked);
  }

  private static final double JFR_SECONDS = doubleProp("bench.jfr.seconds", 30);

  /**
   * Seconds of the thrown-away recording before the first JFR phase: the server's first recording
   * starts JFR, and the server ran at 30 % of its rate for its first 20 s and at 70 % for the next
   * 80 s, recompiling, whichever client it served (2026-12-07).
   */
  private static final double JFR_WARMUP_S = doubleProp("bench.jfr.warmup", 120);

  /** Seconds each JFR phase runs unrecorded first. */
  private static final double JFR_SETTLE_S = 20;

  /**
   * {@code -Dbench.jfr.period}, e.g. {@code 1ms}: how often the recordings sample Java stacks
   * (JFR's {@code profile} settings, which sample every 10 ms, with this period instead); more
   * samples, so that pieces of a tenth of a percent can be told apart.
   */
  private static final @Nullable String JFR_PERIOD = System.getProperty("bench.jfr.period");

  private static final Path OUT = Path.of(System.getProperty("bench.out", "target/bench"));
  private static final long MAX_REQUESTS_PER_ROUND = 2_000_000;

  private record Target(String name, String form) {}

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final URI tokenEndpoint;

  private IssuanceThroughput(KeycloakServer server) {
    this.tokenEndpoint =
        URI.create(server.baseUrl() + "/realms/demo/protocol/openid-connect/token");
  }

  /** Runs the benchmark, then ends the JVM (see {@link BenchSupport#exitWhenDone}). */
  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> measure());
  }

  private static void measure() throws Exception {
    if (PAIRS < 6 || PAIRS % 2 != 0) {
      throw new IllegalArgumentException(
          "-Dbench.pairs must be even (two pairs make an ABBA block) and at least 6");
    }
    AbbaBlocks.check();
    long started = System.nanoTime();
    try (KeycloakServer server = BenchSupport.startServer()) {
      IssuanceThroughput bench = new IssuanceThroughput(server);
      try {
        bench.run(server);
      } finally {
        bench.pool.shutdownNow();
      }
    }
    System.out.printf("Issuance run: %.0f s in all%n", (System.nanoTime() - started) / 1e9);
  }

  private void run(KeycloakServer server) throws Exception {
    Http admin = new Http(server.baseUrl());
    serviceClient(admin, "bench-unbound", Map.of());
    if (!EVENTS) {
      admin
          .send(
              "PUT",
              "admin/realms/demo/events/config",
              admin.adminTokens().get(),
              Map.of("eventsEnabled", false),
              Map.of())
          .expect(204, "stop saving events");
      System.out.println("Events: the demo realm saves no login events in this run");
    }
    Target bound =
        new Target(
            "bound",
            form(
                "config-admin",
                "config-admin-secret",
                "*:config/tokenPolicies .:config/clients/* XXXXX"));
    Target unbound = new Target("unbound", form("bench-unbound", "bench-unbound-secret", null));
    // the unbound client naming its own default scopes: the same token as naming none
    Target unboundNamed =
        new Target("unbound-scope", form("bench-unbound", "bench-unbound-secret", NAMED_SCOPES));
    System.out.printf(
        "Issuance throughput: %d workers; warm-up >= %.0f s (rounds of %.0f s until the last three"
            + " differ by < %.0f %%, at most %.0f s); then %d ABBA pairs of %.0f s rounds%n"
            + "  bound   = config-admin, its policy decides 3 requested scopes"
            + " (*:config/tokenPolicies .:config/clients/* XXXXX)%n"
            + "  unbound = bench-unbound, stock grant, the realm's default scopes%n",
        THREADS,
        WARMUP_MIN_S,
        WARMUP_ROUND_S,
        WARMUP_TOLERANCE * 100,
        WARMUP_MAX_S,
        PAIRS,
        ROUND_S);

    if (ONLY.contains("config-admin")) {
      compare("client_credentials", bound, unbound, admin);
    }
    if (ONLY.contains("stock-scope")) {
      // Keycloak alone, against config-admin's anchor: what a request that names scopes costs
      // stock Keycloak; no anchor for config-admin, whose scope the wrapper takes out of the form
      // before the grant reads it (docs/adr/0042)
      System.out.printf(
          "%nStock Keycloak alone, a request that names scopes: 'bound' = bench-unbound asking for"
              + " its default scopes profile and email by name (scope=profile email: the same"
              + " token), 'unbound' = bench-unbound asking for none%n");
      compare(
          "client_credentials (stock, scope=profile email against none)",
          unboundNamed,
          unbound,
          admin);
    }

    String onlyOpenid = policyOfOnlyOpenid(admin);
    Target[] refresh = refreshTargets(admin, onlyOpenid);
    if (ONLY.contains("refresh")) {
      System.out.printf(
          "%nRefresh: bound = bench-refresh-bound, its policy allows only openid (drops the default"
              + " scopes profile and email, so their claims are filtered); unbound ="
              + " bench-refresh-unbound; both refresh a client_credentials refresh token%n");
      compare("refresh_token", refresh[0], refresh[1], admin);
    }

    Target sameRequest = boundLikeUnbound(admin, onlyOpenid);
    if (ONLY.contains("same-request")) {
      System.out.printf(
          "%nclient_credentials, the same request: bound = bench-cc-bound, created as bench-unbound"
              + " and bound to the policy of only openid (drops the default scopes profile and"
              + " email, so their claims are filtered); unbound = bench-unbound; neither sends a"
              + " scope%n");
      compare("client_credentials (same request)", sameRequest, unbound, admin);
    }
    // the same request again, now naming scopes (as config-admin's does): Keycloak handles the
    // scope parameter of both, and the policy drops one of the named default scopes
    Target boundNamed =
        new Target("cc-bound-named", form("bench-cc-named", "bench-cc-named-secret", NAMED_SCOPES));
    if (ONLY.contains("same-request-named")) {
      bind(
          admin,
          serviceClient(admin, "bench-cc-named", Map.of()),
          policy(admin, "token-policy-bench-named", "profile"));
      System.out.printf(
          "%nclient_credentials, the same request naming scopes: bound = bench-cc-named, created as"
              + " bench-unbound and bound to a policy of only profile (drops the named default"
              + " scope email, so its claims are filtered); unbound = bench-unbound; both send"
              + " scope=%s%n",
          NAMED_SCOPES);
      compare("client_credentials (same request, naming scopes)", boundNamed, unboundNamed, admin);
    }
    if (JFR) {
      warmUpRecorder(unbound);
      if (JFR_UNBOUND) {
        profile(unbound, admin);
        if (ONLY.contains("same-request-named") || ONLY.contains("stock-scope")) {
          profile(unboundNamed, admin);
        }
      }
      if (ONLY.contains("refresh")) {
        profile(refreshTargets(admin)[0], admin);
      }
      if (ONLY.contains("same-request")) {
        profile(sameRequest, admin);
      }
      if (ONLY.contains("same-request-named")) {
        profile(boundNamed, admin);
      }
      if (ONLY.contains("config-admin")) {
        profile(bound, admin);
      }
    }
  }

  /**
   * One comparison: the demo realm's saved events deleted first (the development database slows as
   * its event table grows, and a run saves one event per token: without this, every comparison
   * would run on a slower server than the one before), then the warm-up and the ABBA pairs.
   */
  private void compare(String grant, Target bound, Target unbound, Http admin) throws Exception {
    deleteEvents(admin);
    warmUp(bound, unbound);
    abba(grant, bound, unbound, admin);
  }

  /**
   * The most pairs run before the saved events are deleted again: a comparison of 32 pairs saves
   * some 350,000 events, whose delete in one transaction ran the development server out of heap
   * (2026-12-07 15:50 UTC); 16 pairs never did.
   */
  private static final int PAIRS_PER_DELETE = 16;

  /**
   * Between two runs of {@link #PAIRS_PER_DELETE} pairs, at a block's boundary: the saved events
   * deleted, then two warm-up rounds unmeasured, so that neither client's next round pays for the
   * delete.
   */
  private void settleAfterDelete(Target bound, Target unbound, Http admin) throws Exception {
    deleteEvents(admin);
    Duration half = seconds(WARMUP_ROUND_S / 2);
    for (int i = 1; i <= 2; i++) {
      double a = round(i == 1 ? bound : unbound, half);
      double b = round(i == 1 ? unbound : bound, half);
      System.out.printf("  settle %d: %7.0f req/s (unmeasured)%n", i, (a + b) / 2);
    }
  }

  /** Deletes the demo realm's saved events, when it saves them, and says how long that took. */
  private static void deleteEvents(Http admin) throws Exception {
    if (EVENTS) {
      long started = System.nanoTime();
      admin
          .send("DELETE", "admin/realms/demo/events", admin.adminTokens().get(), null, Map.of())
          .expect(204, "delete the saved events");
      System.out.printf("  saved events deleted in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
  }

  private void warmUp(Target bound, Target unbound) throws Exception {
    long started = System.nanoTime();
    List<Double> rates = new ArrayList<>();
    Duration half = seconds(WARMUP_ROUND_S / 2);
    for (int i = 1; ; i++) {
      boolean boundFirst = i % 2 == 1;
      double a = round(boundFirst ? bound : unbound, half);
      double b = round(boundFirst ? unbound : bound, half);
      double rate = (a + b) / 2;
      rates.add(rate);
      double elapsed = (System.nanoTime() - started) / 1e9;
      double spread = spreadOfLastThree(rates);
      System.out.printf(
          "  warm-up %2d (%5.0f s): %7.0f req/s (bound %.0f, unbound %.0f)%s%n",
          i,
          elapsed,
          rate,
          boundFirst ? a : b,
          boundFirst ? b : a,
          Double.isNaN(spread) ? "" : String.format(" last three within %.1f %%", spread * 100));
      if (elapsed >= WARMUP_MIN_S && spread < WARMUP_TOLERANCE) {
        System.out.printf("warm-up done after %.0f s: throughput stable%n", elapsed);
        return;
      }
      if (elapsed >= WARMUP_MAX_S) {
        System.out.printf(
            "WARNING warm-up stopped at the limit of %.0f s: throughput still moving (last three"
                + " within %.1f %%); the rounds below may drift%n",
            WARMUP_MAX_S, spread * 100);
        return;
      }
    }
  }

  /** (max - min) / max of the last three rates; NaN with fewer than three. */
  private static double spreadOfLastThree(List<Double> rates) {
    if (rates.size() < 3) {
      return Double.NaN;
    }
    List<Double> last = rates.subList(rates.size() - 3, rates.size());
    double max = last.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    double min = last.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    return (max - min) / max;
  }

  /** The refresh comparison's clients: bound, unbound. */
  private static final String[] REFRESH_CLIENTS = {"bench-refresh-bound", "bench-refresh-unbound"};

  /**
   * Two clients with client_credentials refresh tokens, one bound to a policy of only {@code
   * openid} (so that the realm's default scopes profile and email are dropped), one unbound; the
   * targets refresh their first refresh token again and again (Keycloak does not rotate it).
   */
  private Target[] refreshTargets(Http admin, String policyScopeId) {
    Map<String, String> refreshTokens = Map.of("client_credentials.use_refresh_token", "true");
    String boundId = serviceClient(admin, REFRESH_CLIENTS[0], refreshTokens);
    serviceClient(admin, REFRESH_CLIENTS[1], refreshTokens);
    bind(admin, boundId, policyScopeId);
    return refreshTargets(admin);
  }

  /**
   * The refresh comparison's targets with refresh tokens issued now: the targets refresh the same
   * token, which expires 30 minutes after it was issued in the demo realm (its session idle
   * timeout), sooner than a run of 32 pairs with its JFR phases after it (2026-12-07 16:28 UTC).
   */
  private static Target[] refreshTargets(Http admin) {
    String[] names = REFRESH_CLIENTS;
    Target[] targets = new Target[2];
    for (int i = 0; i < 2; i++) {
      String secret = names[i] + "-secret";
      String refreshToken =
          admin
              .postForm(
                  "realms/demo/protocol/openid-connect/token",
                  Map.of(
                      "grant_type",
                      "client_credentials",
                      "client_id",
                      names[i],
                      "client_secret",
                      secret,
                      "scope",
                      "openid"))
              .expect(200, names[i] + " client_credentials")
              .json()
              .path("refresh_token")
              .asText();
      if (refreshToken.isEmpty()) {
        throw new IllegalStateException(names[i] + ": no refresh token");
      }
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", "refresh_token");
      form.put("client_id", names[i]);
      form.put("client_secret", secret);
      form.put("refresh_token", refreshToken);
      targets[i] =
          new Target(i == 0 ? "refresh-bound" : "refresh-unbound", BenchSupport.form(form));
    }
    return targets;
  }

  /**
   * A client made like bench-unbound, bound to the refresh benchmark's policy of only {@code
   * openid}: the two send the same request, so their ratio is the extension's cost alone.
   */
  private Target boundLikeUnbound(Http admin, String policyScopeId) {
    bind(admin, serviceClient(admin, "bench-cc-bound", Map.of()), policyScopeId);
    return new Target("cc-bound", form("bench-cc-bound", "bench-cc-bound-secret", null));
  }

  /**
   * A confidential client of the demo realm with service accounts, secret {@code <name>-secret},
   * the realm's default client scopes and these attributes; its id.
   */
  private static String serviceClient(Http admin, String clientId, Map<String, String> attributes) {
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("clientId", clientId);
    client.put("secret", clientId + "-secret");
    client.put("publicClient", false);
    client.put("serviceAccountsEnabled", true);
    client.put("standardFlowEnabled", false);
    client.put("attributes", attributes);
    return lastSegment(
        admin
            .send("POST", "admin/realms/demo/clients", admin.adminTokens().get(), client, Map.of())
            .expect(201, "create " + clientId));
  }

  /**
   * The client scope of a token policy of only {@code openid} (it drops the default scopes profile
   * and email, so their claims are filtered), bound to no client yet; its id.
   */
  private static String policyOfOnlyOpenid(Http admin) {
    return policy(admin, "token-policy-bench-refresh", "openid");
  }

  /** The client scope of a token policy allowing these scopes, bound to no client yet; its id. */
  private static String policy(Http admin, String name, String allowedScopes) {
    String token = admin.adminTokens().get();
    String scopeId =
        lastSegment(
            admin
                .send(
                    "POST",
                    "admin/realms/demo/client-scopes",
                    token,
                    Map.of(
                        "name",
                        name,
                        "protocol",
                        "openid-connect",
                        "attributes",
                        Map.of("include.in.token.scope", "false")),
                    Map.of())
                .expect(201, "create the policy " + name));
    admin
        .send(
            "POST",
            "admin/realms/demo/client-scopes/" + scopeId + "/protocol-mappers/models",
            token,
            Map.of(
                "name", "token policy",
                "protocol", "openid-connect",
                "protocolMapper", "pbs-token-policy",
                "config", Map.of("allowedScopes", allowedScopes)),
            Map.of())
        .expect(201, "its policy mapper");
    return scopeId;
  }

  /**
   * Binds the policy of client scope {@code policyScopeId} to client {@code id} (a default scope).
   */
  private static void bind(Http admin, String id, String policyScopeId) {
    admin
        .send(
            "PUT",
            "admin/realms/demo/clients/" + id + "/default-client-scopes/" + policyScopeId,
            admin.adminTokens().get(),
            null,
            Map.of())
        .expect(204, "bind the policy to " + id);
  }

  private static String lastSegment(BenchSupport.Reply created) {
    String location = created.header("Location");
    if (location == null) {
      throw new IllegalStateException("no Location: " + created.status());
    }
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private void abba(String grant, Target bound, Target unbound, Http admin) throws Exception {
    Duration length = seconds(ROUND_S);
    double[] boundRates = new double[PAIRS];
    double[] unboundRates = new double[PAIRS];
    int round = 0;
    for (int pair = 0; pair < PAIRS; pair++) {
      if (pair > 0 && pair % PAIRS_PER_DELETE == 0 && EVENTS) {
        settleAfterDelete(bound, unbound, admin); // PAIRS_PER_DELETE is even: a block's boundary
      }
      // ABBA: pairs alternate BU, UB, BU, UB… so that the sequence reads B U U B B U U B …
      boolean boundFirst = pair % 2 == 0;
      double first = round(boundFirst ? bound : unbound, length);
      System.out.printf(
          "  round %2d  %-7s %7.0f req/s%n", ++round, boundFirst ? "bound" : "unbound", first);
      double second = round(boundFirst ? unbound : bound, length);
      System.out.printf(
          "  round %2d  %-7s %7.0f req/s%n", ++round, boundFirst ? "unbound" : "bound", second);
      boundRates[pair] = boundFirst ? first : second;
      unboundRates[pair] = boundFirst ? second : first;
      System.out.printf(
          "  pair  %2d  bound/unbound = %.3f%n", pair + 1, boundRates[pair] / unboundRates[pair]);
      if (!boundFirst) {
        System.out.printf(
            "  block %2d  (rounds %d-%d, B U U B) bound/unbound = %.3f%n",
            pair / 2 + 1,
            round - 3,
            round,
            AbbaBlocks.blockRatio(boundRates, unboundRates, pair / 2));
      }
    }
    AbbaBlocks result = AbbaBlocks.of(boundRates, unboundRates);
    double[] interval = result.medianInterval(0.9);
    System.out.printf(
        "RESULT %s: median bound/unbound over %d ABBA blocks = %.3f (target >= 0.98; %.0f %%"
            + " interval of the median %.3f-%.3f); block ratios"
            + " min %.3f max %.3f; median of the %d adjacent pairs' ratios %.3f (pairs min %.3f max"
            + " %.3f); mean throughput bound %.0f req/s, unbound %.0f req/s (ratio of means %.3f)%n",
        grant,
        result.count(),
        result.median(),
        100 * interval[2],
        interval[0],
        interval[1],
        result.blockMin(),
        result.blockMax(),
        PAIRS,
        result.pairMedian(),
        result.pairMin(),
        result.pairMax(),
        result.boundMean(),
        result.unboundMean(),
        result.ratioOfMeans());
  }

  /**
   * The recordings' settings: {@code profile}, or with {@link #JFR_PERIOD} a copy of this JDK's
   * {@code profile.jfc} sampling Java stacks at that period.
   */
  private static String jfrSettings() throws java.io.IOException {
    if (JFR_PERIOD == null) {
      return "profile";
    }
    Path profile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    String settings = java.nio.file.Files.readString(profile);
    String sampling = "control=\"method-sampling-java-interval\">10 ms<";
    if (!settings.contains(sampling)) {
      throw new IllegalStateException(profile + " has no Java sampling period of 10 ms to change");
    }
    Path file = OUT.resolve("sampling.jfc").toAbsolutePath();
    java.nio.file.Files.createDirectories(file.getParent());
    java.nio.file.Files.writeString(
        file,
        settings.replace(
            sampling, "control=\"method-sampling-java-interval\">" + JFR_PERIOD + "<"));
    return file.toString();
  }

  /**
   * A JFR recording under load, thrown away: the server's first recording starts JFR itself, and
   * the server ran at 30 to 70 % of its rate for about 100 s after it (recompiling), so without
   * this the first phase would not compare with the others.
   */
  private void warmUpRecorder(Target target) throws Exception {
    long pid = JfrTopFrames.keycloakPid();
    JfrTopFrames.jcmd(pid, "JFR.start", "name=bench-warm-up", "settings=" + jfrSettings());
    double rate;
    try {
      rate = round(target, seconds(JFR_WARMUP_S));
    } finally {
      JfrTopFrames.jcmd(pid, "JFR.stop", "name=bench-warm-up");
    }
    System.out.printf(
        "%nJFR warm-up (recording thrown away): %.0f s of %s at %.0f req/s%n",
        JFR_WARMUP_S, target.name(), rate);
  }

  /** A JFR recording of one target's load only, then its top frames. */
  private void profile(Target target, Http admin) throws Exception {
    deleteEvents(admin); // each phase on an event table of the same size, so their rates compare
    // an unrecorded round first, after the delete
    double settled = round(target, seconds(JFR_SETTLE_S));
    System.out.printf("%n%s settling before its recording: %.0f req/s%n", target.name(), settled);
    long pid = JfrTopFrames.keycloakPid();
    Path file = OUT.resolve("issuance-" + target.name() + ".jfr").toAbsolutePath();
    java.nio.file.Files.createDirectories(file.getParent());
    String name = "bench-" + target.name();
    JfrTopFrames.jcmd(pid, "JFR.start", "name=" + name, "settings=" + jfrSettings());
    double rate;
    try {
      rate = round(target, seconds(JFR_SECONDS));
    } finally {
      JfrTopFrames.jcmd(pid, "JFR.stop", "name=" + name, "filename=" + file);
    }
    System.out.printf(
        "%nJFR of the %s-only phase: %.0f s at %.0f req/s, recording %s%n"
            + "  (inspect: jfr print --events jdk.ExecutionSample %s)%n",
        target.name(), JFR_SECONDS, rate, file, file);
    JfrTopFrames.print(file, 15);
  }

  /** Requests per second of one target over one round; fails on any non-200. */
  private double round(Target target, Duration length) throws Exception {
    AtomicLong done = new AtomicLong();
    HttpRequest request =
        HttpRequest.newBuilder(tokenEndpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(target.form()))
            .build();
    long started = System.nanoTime();
    long end = started + length.toNanos();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      workers.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < end && done.get() < MAX_REQUESTS_PER_ROUND) {
                  HttpResponse<String> response =
                      http.send(request, HttpResponse.BodyHandlers.ofString());
                  if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                        target.name() + ": " + response.statusCode() + " " + response.body());
                  }
                  done.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> worker : workers) {
      worker.get();
    }
    return done.get() / ((System.nanoTime() - started) / 1e9);
  }

  private static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  private static String form(String clientId, String secret, @Nullable String scope) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    form.put("client_id", clientId);
    form.put("client_secret", secret);
    if (scope != null) {
      form.put("scope", scope);
    }
    return BenchSupport.form(form);
  }
}
