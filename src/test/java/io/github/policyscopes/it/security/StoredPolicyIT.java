package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static io.github.policyscopes.it.api.ConfigApi.policyBody;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What is stored is what was checked (I1), every policy mapper grants, denies fail closed (I10),
 * and the cost of a policy is bounded at write time (I6).
 */
class StoredPolicyIT extends OnSharedKeycloak {

  private static final String POLICIES = "config/tokenPolicies";

  // ---- I1: the multivalue separator never splits an entry ----

  @Test
  void anEntryHoldingTheStorageSeparatorIsRefusedAndNothingIsStored() {
    String token = fixtures.allPowerToken(); // *:** with the sticky deny on policy 8cdb…
    String title = Fixtures.unique("separator");

    Reply created = api.post(token, POLICIES, policyBody(title, "openid##*:**"));

    assertThat(created).hasStatus(400).hasJson("/field", "allowedScopes[0]");
    assertThat(created.json().get("error_description").asText()).contains("##");
    assertThat(fixtures.clientScopes())
        .noneMatch(s -> title.equals(s.path("description").asText()));

    // and on update: the stored policy is unchanged
    JsonNode policy = api.createPolicy(token, Fixtures.unique("separator"), "openid");
    String id = policy.get("id").asText();
    for (String entry : List.of("openid##*:**", "*:config/x#", "#*:**", " openid")) {
      Reply updated =
          api.put(token, POLICIES + "/" + id, policyBody(policy.get("title").asText(), entry));
      assertThat(updated).as(entry).hasStatus(400);
    }
    assertThat(ConfigApi.strings(api.get(token, POLICIES + "/" + id).json(), "allowedScopes"))
        .containsExactly("openid");
  }

  /**
   * A policy that is a realm default client scope is warned about as what it does: a Default one
   * binds every new client, an Optional one binds none (it sat under the Default wording before).
   */
  @Test
  void aRealmDefaultPolicyIsWarnedAsWhatItDoes() {
    String token = fixtures.allPowerToken();
    String policy = fixtures.policy("realm-default", "openid");
    String path = POLICIES + "/" + policy;
    try {
      assertThat(http.admin("PUT", "realms/demo/default-optional-client-scopes/" + policy, null))
          .hasStatus(204);
      assertThat(ConfigApi.strings(api.get(token, path).json(), "warnings"))
          .anySatisfy(w -> assertThat(w).contains("of type Optional").contains("binds no client"))
          .noneSatisfy(w -> assertThat(w).contains("is bound to it"));
      assertThat(http.admin("DELETE", "realms/demo/default-optional-client-scopes/" + policy, null))
          .hasStatus(204);
      assertThat(http.admin("PUT", "realms/demo/default-default-client-scopes/" + policy, null))
          .hasStatus(204);
      assertThat(ConfigApi.strings(api.get(token, path).json(), "warnings"))
          .anySatisfy(w -> assertThat(w).contains("(Default)").contains("is bound to it"))
          .noneSatisfy(w -> assertThat(w).contains("of type Optional"));
    } finally {
      http.admin("DELETE", "realms/demo/default-default-client-scopes/" + policy, null);
      http.admin("DELETE", "realms/demo/default-optional-client-scopes/" + policy, null);
    }
  }

  // ---- every policy mapper grants: scope form and per-client form ----

  @Test
  void aSecondMapperOnAPolicyScopeCountsForTheViewAndEveryCheck() {
    String policy = fixtures.policy("two-mappers", "openid");
    Map<String, Object> second = Fixtures.mapper(List.of("*:**"), null, null);
    second.put("name", "second token policy");
    Reply added =
        http.admin(
            "POST", "realms/demo/client-scopes/" + policy + "/protocol-mappers/models", second);
    assertThat(added).hasStatus(201);

    JsonNode view = api.get(fixtures.allPowerToken(), POLICIES + "/" + policy).json();
    assertThat(ConfigApi.strings(view, "allowedScopes")).contains("openid", "*:**");
    assertThat(view.get("warnings").toString()).contains("carries 2 token policy mappers");
    // the console's page of the mapper just saved says the same, as of its save
    JsonNode saved = null;
    for (JsonNode m :
        http.admin("GET", "realms/demo/client-scopes/" + policy + "/protocol-mappers/models", null)
            .json()) {
      if (m.path("name").asText().equals("second token policy")) {
        saved = m;
      }
    }
    assertThat(saved).isNotNull();
    assertThat(saved.path("config").path("warnings").asText())
        .contains("carries 2 token policy mappers");

    // a caller who can read policies but hand out client powers only may not bind it
    Fixtures.Bound clientsOnly =
        fixtures.boundClient(
            "clients-only", List.of("*:config/clients/**", ".:config/tokenPolicies/**"));
    Reply bind =
        api.post(
            clientsOnly.token("*:config/clients/** .:config/tokenPolicies/**"),
            "config/clients",
            ConfigApi.clientBody(Fixtures.unique("binds-two"), policy));
    assertThat(bind).hasStatus(403);
  }

  @Test
  void aPerClientPolicyMapperCountsWhenActingAsTheClient() {
    String clientId = Fixtures.unique("per-client");
    String uuid = fixtures.createClient(clientId, Fixtures.SECRET);
    handOver(uuid);
    Reply mapper = fixtures.addClientMapper(uuid, Fixtures.mapper(List.of("*:**"), null, null));
    assertThat(mapper).hasStatus(201);
    // the per-client policy grants: its tokens carry *:**
    assertThat(ConfigApi.scopeOf(api.token(clientId, Fixtures.SECRET, "*:**"))).isEqualTo("*:**");

    Fixtures.Bound clientsOnly =
        fixtures.boundClient("clients-only", List.of("*:config/clients/**"));
    String token = clientsOnly.token("*:config/clients/**");
    Reply rotate = api.post(token, "config/clients/" + uuid + "/secret", null);
    assertThat(rotate).hasStatus(403);
    Reply read = api.get(token, "config/clients/" + uuid + "/secret");
    assertThat(read).hasStatus(403);
    // the secret still works: nothing was rotated
    assertThat(api.token(clientId, Fixtures.SECRET, "*:**")).isNotNull();
  }

  // ---- I10: a policy stored without validation fails closed ----

  @Test
  void aMalformedDenyStoredThroughTheAdminApiGrantsNoConfigScope() {
    Map<String, Object> scope = new LinkedHashMap<>();
    String name = Fixtures.unique("unvalidated");
    scope.put("name", name);
    scope.put("protocol", "openid-connect");
    scope.put("attributes", Map.of("include.in.token.scope", "false"));
    scope.put(
        "protocolMappers",
        List.of(
            Fixtures.mapper(List.of("openid", "*:config/**", "-:config/clients/**/"), null, null)));
    Reply created = http.admin("POST", "realms/demo/client-scopes", scope);
    // Keycloak validates mappers only on its protocol-mapper endpoints, not when they come
    // embedded in a new client scope: this path stores the policy unchecked
    assertThat(created).hasStatus(201);
    String policy = idFrom(created);
    String clientId = Fixtures.unique("unvalidated-client");
    String uuid = fixtures.createClient(clientId, Fixtures.SECRET);
    fixtures.bind(uuid, policy);

    String granted = ConfigApi.scopeOf(api.token(clientId, Fixtures.SECRET, "openid *:config/**"));
    assertThat(Arrays.asList(granted.split(" ")))
        .as("no config grant from a broken policy; plain scopes stay")
        .doesNotContain("*:config/**")
        .contains("openid");

    JsonNode view = api.get(fixtures.allPowerToken(), POLICIES + "/" + policy).json();
    assertThat(view.get("warnings").toString()).contains("Broken");
  }

  @Test
  void aPolicyImportedPastTheLimitsGrantsNoConfigScope() {
    // a realm import (what --import-realm and POST /admin/realms do) calls no mapper validation
    List<String> entries = new ArrayList<>(List.of("openid", "*:**"));
    IntStream.range(0, 10_000).forEach(i -> entries.add("s" + i));
    String realm = Fixtures.unique("imported").toLowerCase(java.util.Locale.ROOT);
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("name", "too-big");
    scope.put("protocol", "openid-connect");
    scope.put("attributes", Map.of("include.in.token.scope", "false"));
    scope.put("protocolMappers", List.of(Fixtures.mapper(entries, null, null)));
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("clientId", "importer");
    client.put("secret", Fixtures.SECRET);
    client.put("publicClient", false);
    client.put("serviceAccountsEnabled", true);
    client.put("defaultClientScopes", List.of("too-big"));
    Reply imported =
        http.admin(
            "POST",
            "realms",
            Map.of(
                "realm",
                realm,
                "enabled",
                true,
                "clientScopes",
                List.of(scope),
                "clients",
                List.of(client)));
    assertThat(imported).hasStatus(201);
    try {
      Reply token =
          http.postForm(
              http.realmUrl(realm) + "/protocol/openid-connect/token",
              TestClient.form(
                  "grant_type", "client_credentials",
                  "client_id", "importer",
                  "client_secret", Fixtures.SECRET,
                  "scope", "openid *:**"));
      assertThat(token).hasStatus(200);
      assertThat(ConfigApi.scopeOf(token.json().get("access_token").asText()))
          .as("plain scopes stay, no config grant")
          .isEqualTo("openid");
    } finally {
      http.admin("DELETE", "realms/" + realm, null);
    }
  }

  // ---- I6: limits at write time; reads do not degrade at the maximum size ----

  @Test
  void policiesPastTheLimitsAreRefusedNamingTheField() {
    String token = fixtures.allPowerToken();
    String[] tooMany = IntStream.range(0, 65).mapToObj(i -> "s" + i).toArray(String[]::new);
    assertField(
        api.post(token, POLICIES, policyBody(Fixtures.unique("many"), tooMany)), "allowedScopes");
    assertField(
        api.post(
            token,
            POLICIES,
            policyBody(Fixtures.unique("stars"), "openid", "*:*a*a*a*a*a*a*a*a*a")),
        "allowedScopes[1]");
    assertField(
        api.post(token, POLICIES, policyBody(Fixtures.unique("long"), "*:" + "a".repeat(255))),
        "allowedScopes[0]");
  }

  @Test
  void aMaximumSizeAdversarialPolicyDoesNotSlowReads() {
    String token = fixtures.allPowerToken();
    String plain = api.createPolicy(token, Fixtures.unique("small"), "openid").get("id").asText();
    // 64 entries of 8 wildcards each, overlapping every way the linter compares them
    String[] adversarial =
        IntStream.range(0, 64)
            .mapToObj(i -> ".:config/clients/**/*" + (char) ('a' + i % 3) + "*/**/x" + i + "*/**/*")
            .toArray(String[]::new);
    Reply created =
        api.post(token, POLICIES, policyBody(Fixtures.unique("adversarial"), adversarial));
    assertThat(created).hasStatus(201);
    String big = created.json().get("id").asText();

    long small = medianMillis(() -> api.get(token, POLICIES + "/" + plain));
    long large = medianMillis(() -> api.get(token, POLICIES + "/" + big));
    long list = medianMillis(() -> api.get(token, POLICIES + "?max=100"));
    System.out.printf(
        "StoredPolicyIT: GET small policy p50 %d ms, maximum-size adversarial policy p50 %d ms,"
            + " list p50 %d ms%n",
        small, large, list);
    // generous bounds: lint and containment run at write time, not per read
    assertThat(large).isLessThan(small * 5 + 100);
    assertThat(list).isLessThan(1000);
  }

  @Test
  void theModeIsCaseSensitiveAndTitlesHoldNoControlCharacters() {
    String token = fixtures.allPowerToken();
    Reply upper =
        api.post(
            token,
            POLICIES,
            ConfigApi.map(
                "title", Fixtures.unique("mode"),
                "allowedScopes", List.of("openid"),
                "disallowedScopes", "REJECT"));
    assertField(upper, "disallowedScopes");
    for (String title : List.of("forged\r\nINFO line", "esc\u001b[31m", "sep\u2028x")) {
      assertField(api.post(token, POLICIES, policyBody(title, "openid")), "title");
    }
  }

  // ---- a policy update may not give back what a deny took away ----

  @Test
  void aTokenCannotLiftItsOwnCarveOutKeptInASeparatePolicy() {
    String protectedId = fixtures.createClient(Fixtures.unique("carved-out"), Fixtures.SECRET);
    String grants = fixtures.policy("grants", "*:config/**");
    String carveOut = fixtures.policy("carve-out", "-:config/clients/" + protectedId);
    String clientId = fixtures.clientBoundTo("carved", grants, carveOut).clientId();
    String token = api.token(clientId, Fixtures.SECRET, "*:config/**");
    assertThat(ConfigApi.scopeOf(token)).contains("-:config/clients/" + protectedId);

    JsonNode before = api.get(token, POLICIES + "/" + carveOut).json();
    Reply lifted =
        api.put(
            token, POLICIES + "/" + carveOut, policyBody(before.get("title").asText(), "openid"));

    assertThat(lifted).hasStatus(403);
    assertThat(ConfigApi.strings(api.get(token, POLICIES + "/" + carveOut).json(), "allowedScopes"))
        .containsExactly("-:config/clients/" + protectedId);
    assertThat(ConfigApi.scopeOf(api.token(clientId, Fixtures.SECRET, "*:config/**")))
        .as("the carve-out still sticks")
        .contains("-:config/clients/" + protectedId);
    // the same edit by a token that holds write power on all below the deny is fine
    Reply byAll =
        api.put(
            fixtures.allPowerToken(),
            POLICIES + "/" + carveOut,
            policyBody(before.get("title").asText(), "-:config/clients/" + protectedId, "openid"));
    assertThat(byAll).hasStatus(200);
  }

  // ---- I3: a client users sign in through must not bring their admin roles ----

  @Test
  void aFullScopeSignInClientIsPrivileged() {
    String clientId = Fixtures.unique("full-scope");
    String uuid =
        fixtures.createConfidentialClient(
            clientId,
            "directAccessGrantsEnabled",
            true,
            "standardFlowEnabled",
            true,
            "redirectUris",
            List.of("https://app.example/*"));
    handOver(uuid);

    Reply hijack =
        api.put(
            fixtures.allPowerToken(),
            "config/clients/" + uuid,
            ConfigApi.map("redirectUris", List.of("https://evil.example/*")));
    assertThat(hijack).hasStatus(403).hasError("privileged_client");
    assertThat(
            http.admin("GET", "realms/demo/clients/" + uuid, null)
                .json()
                .get("redirectUris")
                .toString())
        .doesNotContain("evil");
  }

  // ---- I15: a client's view and errors name only policies the caller may read ----

  @Test
  void aClientsHiddenPoliciesAreNeitherShownNorTouchedNorQuoted() {
    String visible = fixtures.policy("visible", "openid");
    String hidden = fixtures.policy("hidden", "openid");
    String powerful = fixtures.policy("hidden-power", "*:config/tokenPolicies/**");
    String quiet = fixtures.clientBoundTo("two-policies", visible, hidden).uuid();
    handOver(quiet);
    String loud = fixtures.clientBoundTo("hidden-power", powerful).uuid();
    handOver(loud);
    Fixtures.Bound caller =
        fixtures.boundClient(
            "partly-blind",
            List.of(
                "*:config/clients/**",
                ".:config/tokenPolicies/**",
                "-:config/tokenPolicies/" + hidden,
                "-:config/tokenPolicies/" + powerful));
    String token = caller.token("*:config/clients/** .:config/tokenPolicies/**");

    JsonNode view = api.get(token, "config/clients/" + quiet).json();
    assertThat(ConfigApi.strings(view, "tokenPolicies")).containsExactly(visible);
    ObjectNode renamed = view.deepCopy();
    renamed.put("name", "renamed, hidden binding kept");
    Reply updated = api.put(token, "config/clients/" + quiet, renamed);
    assertThat(updated).hasStatus(200);
    assertThat(
            http.admin("GET", "realms/demo/clients/" + quiet + "/default-client-scopes", null)
                .body())
        .as("the binding the caller cannot see is untouched")
        .contains(hidden, visible);

    Reply actAs = api.get(token, "config/clients/" + loud + "/secret");
    assertThat(actAs).hasStatus(403);
    assertThat(actAs.body()).doesNotContain("config/tokenPolicies/**");
  }

  // ---- I7: values past what Keycloak's columns hold are 400s, never 500s ----

  @Test
  void valuesPastKeycloaksColumnsAreRefusedNotStored() {
    String token = fixtures.allPowerToken();
    Reply title = api.post(token, POLICIES, policyBody("\u0130".repeat(255), "openid"));
    assertThat(title).hasStatus(201);

    Reply longId = api.post(token, "config/clients", ConfigApi.clientBody("c".repeat(240)));
    assertThat(longId).hasStatus(400).hasJson("/field", "clientId");

    Reply longUri =
        api.post(
            token,
            "config/clients",
            ConfigApi.map(
                "clientId", Fixtures.unique("long-uri"),
                "type", "public",
                "grantTypes", List.of("authorization_code"),
                "redirectUris", List.of("https://app.example/" + "p".repeat(300))));
    assertThat(longUri).hasStatus(400).hasJson("/field", "redirectUris[0]");
  }

  // ---- helpers ----

  private static void assertField(Reply reply, String field) {
    assertThat(reply).hasStatus(400);
    assertThat(reply.json().get("field").asText()).as(reply.toString()).isEqualTo(field);
  }

  private static long medianMillis(Runnable request) {
    request.run(); // warm
    long[] times = new long[15];
    for (int i = 0; i < times.length; i++) {
      long start = System.nanoTime();
      request.run();
      times[i] = (System.nanoTime() - start) / 1_000_000;
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }

  /** Hands a client over to the config API the way an operator does in the console. */
  static void handOver(String uuid) {
    Reply role =
        http.admin(
            "POST", "realms/demo/clients/" + uuid + "/roles", Map.of("name", "config-api-managed"));
    assertThat(role).hasStatusIn(201, 409);
    JsonNode client = http.admin("GET", "realms/demo/clients/" + uuid, null).json();
    Map<String, Object> rep =
        ConfigApi.JSON.convertValue(
            client, new com.fasterxml.jackson.core.type.TypeReference<>() {});
    @SuppressWarnings("unchecked")
    Map<String, Object> attributes =
        new LinkedHashMap<>((Map<String, Object>) rep.getOrDefault("attributes", Map.of()));
    attributes.put("pbs.managed", "true"); // the legacy marker, for the code before the role
    rep.put("attributes", attributes);
    Reply updated = http.admin("PUT", "realms/demo/clients/" + uuid, rep);
    assertThat(updated).hasStatus(204);
  }

  private static String idFrom(Reply created) {
    return created.createdId();
  }
}
