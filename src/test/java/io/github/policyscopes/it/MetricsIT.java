package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.api.ConfigApi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The meters on Keycloak's own {@code /metrics}: the shared server runs with {@code
 * --metrics-enabled=true} (and Keycloak's user event metrics, {@link DistributionServer#METRICS});
 * token requests and config API calls of known outcome, and {@code /metrics} scraped on the
 * management port before and after (test classes run one at a time, so nothing else moves them).
 * Each test drives requests of known outcome between two scrapes; every meter must have moved by
 * exactly what was driven. The scrapes are kept in {@code target/metrics-it/}
 * (docs/dashboard/render-chart.py draws the README's chart from them).
 */
@ExtendWith(KeycloakServerExtension.class)
class MetricsIT {

  private static final String UMA = "urn:ietf:params:oauth:grant-type:uma-ticket";

  private static KeycloakServer server;
  private static TestClient http;
  private static Fixtures fixtures;
  private static ConfigApi api;

  @BeforeAll
  static void setUp(KeycloakServer shared, TestClient client) {
    server = shared;
    http = client;
    fixtures = new Fixtures(http);
    api = fixtures.api();
  }

  // ---- token issuance ----

  @Test
  void issuanceIsCountedByGrantTypeAndOutcome() throws IOException {
    Fixtures.Bound open =
        fixtures.boundClient("m-open", List.of(".:config/**", "profile", "email"));
    Fixtures.Bound plain = fixtures.boundClient("m-plain", List.of("openid"));
    String unbound = Fixtures.unique("m-unbound");
    fixtures.createClient(unbound, "s3cret");

    Map<String, Double> before = scrape("issuance-before");
    for (int i = 0; i < 2; i++) {
      tokenStatus(open.clientId(), ".:config/clients", 200); // granted_all
    }
    tokenStatus(open.clientId(), ".:config/clients XXXXX", 200); // dropped_some: XXXXX
    tokenStatus(plain.clientId(), "XXXXX", 200); // empty: XXXXX dropped
    Reply password =
        http.password(open.clientId(), Fixtures.SECRET, "demo", "demo", ".:config/clients");
    assertThat(password).hasStatus(200); // granted_all, password
    // a client without a policy is stock Keycloak: not counted
    assertThat(http.clientCredentials(unbound, "s3cret", "profile")).hasStatus(200);
    Delta delta = new Delta(before, scrape("issuance-after"));

    assertThat(delta.of("keycloak_token_policy_issuance_total", "realm", "demo")).isEqualTo(5);
    assertThat(issuance(delta, "client_credentials", "granted_all")).isEqualTo(2);
    assertThat(issuance(delta, "client_credentials", "dropped_some")).isEqualTo(1);
    assertThat(issuance(delta, "client_credentials", "empty")).isEqualTo(1);
    assertThat(issuance(delta, "password", "granted_all")).isEqualTo(1);
    // what the clients asked for and did not get: XXXXX twice
    assertThat(dropped(delta, "client_credentials")).isEqualTo(2);
    assertThat(dropped(delta, "password")).isZero();
  }

  @Test
  void keycloakDefaultScopesThePolicyLeavesOutAreNotDropped() throws IOException {
    // profile and email are default client scopes of the client; its policy allows neither
    Fixtures.Bound reader = fixtures.handedOver("m-reader", List.of(".:**"));

    Map<String, Double> before = scrape("defaults-before");
    tokenStatus(reader.clientId(), ".:**", 200);
    tokenStatus(reader.clientId(), ".:** XXXXX", 200);
    Delta delta = new Delta(before, scrape("defaults-after"));

    assertThat(issuance(delta, "client_credentials", "granted_all")).isEqualTo(1);
    assertThat(issuance(delta, "client_credentials", "dropped_some")).isEqualTo(1);
    assertThat(dropped(delta, "client_credentials")).as("XXXXX only").isEqualTo(1);
    // the event and the dry run say the same
    JsonNode details =
        fixtures.events("CLIENT_LOGIN", reader.clientId()).stream()
            .map(e -> e.path("details"))
            .filter(d -> "0".equals(d.path("dropped_count").asText()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no event with dropped_count 0"));
    assertThat(details.path("dropped_scopes").isMissingNode()).isTrue();
    assertThat(details.path("filtered_default_scopes").asText().split(" "))
        .contains("profile", "email");
    Reply evaluated =
        api.post(
            fixtures.allPowerToken(),
            "config/clients/" + reader.uuid() + "/evaluate",
            Map.of("scope", ".:**"));
    assertThat(evaluated).hasStatus(200).hasJson("/outcome", "granted_all");
  }

  @Test
  void everyRefusedTokenRequestOfABoundClientIsCounted() throws IOException {
    Fixtures.Bound strict = fixtures.boundClient("m-strict", List.of(".:config/**"));
    fixtures.editPolicy(strict.policyId(), List.of(".:config/**"), null, "reject");
    Fixtures.Bound open = fixtures.boundClient("m-refused", List.of(".:config/**"));
    String manyDenies =
        String.join(
            " ", java.util.stream.IntStream.range(0, 17).mapToObj(i -> "-:config/d" + i).toList());
    String resourceServer = Fixtures.unique("m-rs");
    fixtures.createClientRepresentation(
        Map.of(
            "clientId", resourceServer,
            "publicClient", false,
            "secret", Fixtures.SECRET,
            "serviceAccountsEnabled", true,
            "authorizationServicesEnabled", true));

    Map<String, Double> before = scrape("refused-before");
    tokenStatus(strict.clientId(), "*:config/x", 400); // reject mode: 1 refused
    tokenStatus(open.clientId(), manyDenies, 400); // a request refusal: too many denies
    Reply uma =
        http.token(
            TestClient.REALM,
            TestClient.form(
                "grant_type",
                UMA,
                "client_id",
                open.clientId(),
                "client_secret",
                Fixtures.SECRET,
                "audience",
                resourceServer));
    assertThat(uma).hasStatus(400).hasError("unauthorized_client");
    Delta delta = new Delta(before, scrape("refused-after"));

    assertThat(issuance(delta, "client_credentials", "rejected")).isEqualTo(2);
    assertThat(issuance(delta, UMA, "refused")).isEqualTo(1);
    assertThat(delta.of("keycloak_token_policy_issuance_total", "realm", "demo")).isEqualTo(3);
    assertThat(dropped(delta, "client_credentials")).isEqualTo(1);
    // a rejection is a Keycloak event with error=invalid_scope, counted by Keycloak's own meter
    assertThat(
            delta.of(
                "keycloak_user_events_total", "event", "client_login", "error", "invalid_scope"))
        .isEqualTo(2);
  }

  // ---- the config API ----

  @Test
  void configApiRequestsAreCountedByRouteTemplateMethodAndStatus() throws IOException {
    Fixtures.Bound narrow = fixtures.boundClient("m-narrow", List.of("*:config/tokenPolicies"));
    Fixtures.Bound privileged = fixtures.handedOver("m-privileged", List.of("openid"));
    givePower(privileged.uuid());
    String reader = fixtures.configReader();
    String admin = fixtures.allPowerToken();
    String narrowToken = narrow.token("*:config/tokenPolicies");
    String readerUuid = fixtures.internalId("config-reader");

    Map<String, Double> before = scrape("before");
    List<String[]> calls = new ArrayList<>();
    call(calls, "tokenPolicies", "GET", api.get(reader, "config/tokenPolicies"), 200);
    call(calls, "tokenPolicies", "GET", api.get(reader, "config/tokenPolicies"), 200);
    call(calls, "tokenPolicies", "GET", api.get(null, "config/tokenPolicies"), 401);
    call(
        calls,
        "tokenPolicies/{id}",
        "GET",
        api.get(admin, "config/tokenPolicies/" + Fixtures.CONFIG_POLICY_ID),
        403); // deny
    call(
        calls,
        "tokenPolicies",
        "POST",
        api.post(reader, "config/tokenPolicies", ConfigApi.policyBody("m-read", ".:x")),
        403); // not_granted
    call(
        calls,
        "tokenPolicies",
        "POST",
        api.post(narrowToken, "config/tokenPolicies", ConfigApi.policyBody("m-more", "*:**")),
        403); // escalation
    call(
        calls,
        "clients/{id}/secret",
        "GET",
        api.get(admin, "config/clients/" + privileged.uuid() + "/secret"),
        403); // privileged_client
    Reply created =
        api.post(admin, "config/tokenPolicies", ConfigApi.policyBody("m-bound", ".:config/x"));
    call(calls, "tokenPolicies", "POST", created, 201);
    String policyId = created.json().path("id").asText();
    call(
        calls,
        "tokenPolicies/{id}",
        "PUT",
        api.send(
            "PUT",
            "config/tokenPolicies/" + policyId,
            admin,
            ConfigApi.policyBody("m-bound", ".:config/y"),
            "If-Match",
            "\"stale\""),
        412); // if_match
    Reply client =
        api.post(admin, "config/clients", ConfigApi.clientBody(Fixtures.unique("m-c"), policyId));
    call(calls, "clients", "POST", client, 201);
    call(
        calls,
        "tokenPolicies/{id}",
        "DELETE",
        api.delete(admin, "config/tokenPolicies/" + policyId),
        409); // bound
    call(
        calls,
        "clients/{id}/evaluate",
        "POST",
        api.post(reader, "config/clients/" + readerUuid + "/evaluate", Map.of("scope", ".:**")),
        200);
    call(calls, "whoami", "GET", api.get(reader, "config/whoami"), 200);
    call(calls, "unknown", "GET", api.get(reader, "config/nothing/here"), 404);
    Map<String, Double> after = scrape("after");
    Delta delta = new Delta(before, after);

    assertCalls(delta, calls);
    for (String reason : List.of("deny", "not_granted", "escalation", "privileged_client")) {
      assertThat(delta.of("keycloak_config_api_forbidden_total", "realm", "demo", "reason", reason))
          .as(reason)
          .isEqualTo(1);
    }
    assertThat(delta.of("keycloak_config_api_conflicts_total", "realm", "demo", "kind", "if_match"))
        .isEqualTo(1);
    assertThat(delta.of("keycloak_config_api_conflicts_total", "realm", "demo", "kind", "bound"))
        .isEqualTo(1);
    // the latency timer: one observation per request
    assertThat(
            delta.of(
                "keycloak_config_api_request_duration_seconds_count",
                "resource",
                "tokenPolicies",
                "method",
                "GET"))
        .isEqualTo(3);
    assertThat(delta.of("keycloak_config_api_request_duration_seconds_count", "realm", "demo"))
        .isEqualTo(calls.size());
    assertThat(
            delta.of(
                "keycloak_config_api_request_duration_seconds_bucket",
                "resource",
                "tokenPolicies",
                "method",
                "GET",
                "le",
                "+Inf"))
        .isEqualTo(3);
    assertBoundedTags(after);
  }

  @Test
  void everyRefusedConfigApiRequestIsCounted() throws IOException {
    String reader = fixtures.configReader();
    String admin = fixtures.allPowerToken();
    String policy = "config/tokenPolicies/" + Fixtures.CONFIG_POLICY_ID;
    // a trailing slash: not canonical, the API's own 400 before any decision (Keycloak itself
    // refuses other spellings, dot segments or an encoded letter, before any extension runs)
    String slash = policy + "/";
    String space = policy + "%20";

    Map<String, Double> before = scrape("refusals-before");
    List<String[]> calls = new ArrayList<>();
    call(calls, "tokenPolicies/{id}", "GET", api.raw("GET", slash, reader), 400);
    call(calls, "tokenPolicies/{id}", "GET", api.raw("GET", space, reader), 400);
    call(calls, "tokenPolicies/{id}", "GET", api.raw("GET", slash, null), 401);
    call(calls, "tokenPolicies", "GET", api.get("garbage", "config/tokenPolicies"), 401);
    call(
        calls,
        "tokenPolicies",
        "GET",
        api.send("GET", "config/tokenPolicies", reader, null, "Origin", "https://evil.example"),
        403); // invalid_origin
    call(calls, "tokenPolicies/{id}", "POST", api.post(reader, policy, Map.of()), 405);
    call(calls, "tokenPolicies", "PUT", api.put(reader, "config/tokenPolicies", Map.of()), 405);
    call(calls, "tokenPolicies", "DELETE", api.delete(reader, "config/tokenPolicies"), 405);
    call(
        calls,
        "tokenPolicies",
        "PATCH",
        api.send("PATCH", "config/tokenPolicies", reader, "{}"),
        405);
    call(
        calls,
        "tokenPolicies",
        "POST",
        api.send("POST", "config/tokenPolicies", admin, "x", "Content-Type", "text/plain"),
        415);
    call(calls, "unknown", "DELETE", api.delete(reader, "config/nothing"), 404);
    Delta delta = new Delta(before, scrape("refusals-after"));

    assertCalls(delta, calls);
  }

  private static double issuance(Delta delta, String grantType, String outcome) {
    return delta.of(
        "keycloak_token_policy_issuance_total",
        "realm",
        "demo",
        "grant_type",
        grantType,
        "outcome",
        outcome);
  }

  private static double dropped(Delta delta, String grantType) {
    return delta.of(
        "keycloak_token_policy_dropped_scopes_total", "realm", "demo", "grant_type", grantType);
  }

  /** Every call counted once, by route template, method and status; nothing else counted. */
  private static void assertCalls(Delta delta, List<String[]> calls) {
    Map<List<String>, Integer> expected = new LinkedHashMap<>();
    calls.forEach(c -> expected.merge(List.of(c), 1, Integer::sum));
    for (Map.Entry<List<String>, Integer> e : expected.entrySet()) {
      String[] c = e.getKey().toArray(String[]::new);
      assertThat(
              delta.of(
                  "keycloak_config_api_requests_total",
                  "realm",
                  "demo",
                  "resource",
                  c[0],
                  "method",
                  c[1],
                  "status",
                  c[2]))
          .as(String.join(" ", c))
          .isEqualTo(e.getValue().doubleValue());
    }
    assertThat(delta.of("keycloak_config_api_requests_total", "realm", "demo"))
        .isEqualTo(calls.size());
  }

  /** Route templates only, no client id by default. */
  private static void assertBoundedTags(Map<String, Double> scraped) {
    List<String> ours =
        scraped.keySet().stream()
            .filter(
                k -> k.startsWith("keycloak_token_policy_") || k.startsWith("keycloak_config_api_"))
            .toList();
    assertThat(ours).isNotEmpty().noneMatch(k -> k.contains("client_id="));
    assertThat(ours)
        .allSatisfy(
            k ->
                assertThat(labels(k).getOrDefault("resource", "tokenPolicies"))
                    .isIn(
                        "tokenPolicies",
                        "tokenPolicies/{id}",
                        "clients",
                        "clients/{id}",
                        "clients/{id}/secret",
                        "clients/{id}/evaluate",
                        "whoami",
                        "unknown"));
  }

  private static void tokenStatus(String clientId, String scope, int status) {
    Reply reply = http.clientCredentials(clientId, Fixtures.SECRET, scope);
    assertThat(reply).as(clientId + " " + scope).hasStatus(status);
  }

  private static void call(
      List<String[]> calls, String route, String method, Reply reply, int status) {
    assertThat(reply).as(method + " " + route).hasStatus(status);
    calls.add(new String[] {route, method, String.valueOf(status)});
  }

  /** Keycloak admin power for the client: its service account holds {@code view-users}. */
  private static void givePower(String clientUuid) {
    String realm = "realms/" + TestClient.REALM + "/";
    String realmManagement = fixtures.internalId("realm-management");
    JsonNode viewUsers =
        http.admin("GET", realm + "clients/" + realmManagement + "/roles/view-users", null).json();
    String account =
        http.admin("GET", realm + "clients/" + clientUuid + "/service-account-user", null)
            .json()
            .path("id")
            .asText();
    assertThat(
            http.admin(
                "POST",
                realm + "users/" + account + "/role-mappings/clients/" + realmManagement,
                List.of(viewUsers)))
        .hasStatus(204);
  }

  // ---- the scrape ----

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** {@code /metrics} on the management port, kept in target/metrics-it/{name}.prom. */
  private static Map<String, Double> scrape(String name) throws IOException {
    Reply reply =
        http.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/metrics")).GET());
    assertThat(reply).as("GET /metrics").hasStatus(200);
    Path out =
        Path.of(KeycloakServerExtension.required("keycloak.log.dir")).resolveSibling("metrics-it");
    Files.createDirectories(out);
    Files.writeString(out.resolve(name + ".prom"), reply.body());
    Map<String, Double> samples = new HashMap<>();
    for (String line : reply.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (line.startsWith("#") || !m.matches()) {
        continue;
      }
      Map<String, String> labels = new java.util.TreeMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.merge(key(m.group(1), labels), Double.parseDouble(m.group(3)), Double::sum);
    }
    return samples;
  }

  private static String key(String name, Map<String, String> labels) {
    StringBuilder key = new StringBuilder(name).append('{');
    labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
    return key.append('}').toString();
  }

  private static Map<String, String> labels(String key) {
    Map<String, String> labels = new HashMap<>();
    Matcher l = LABEL.matcher(key.substring(key.indexOf('{')));
    while (l.find()) {
      labels.put(l.group(1), l.group(2));
    }
    return labels;
  }

  /** Sums, per metric name and label subset, of {@code after − before}. */
  private record Delta(Map<String, Double> before, Map<String, Double> after) {
    double of(String name, String... labelPairs) {
      return sum(after, name, labelPairs) - sum(before, name, labelPairs);
    }

    private static double sum(Map<String, Double> samples, String name, String... labelPairs) {
      double total = 0;
      for (Map.Entry<String, Double> e : samples.entrySet()) {
        if (!e.getKey().startsWith(name + "{")) {
          continue;
        }
        Map<String, String> labels = labels(e.getKey());
        boolean match = true;
        for (int i = 0; i < labelPairs.length; i += 2) {
          match &= labelPairs[i + 1].equals(labels.get(labelPairs[i]));
        }
        if (match) {
          total += e.getValue();
        }
      }
      return total;
    }
  }
}
