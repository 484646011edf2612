package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static io.github.policyscopes.it.TestClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The token side of the security model: the refresh ceiling is the grant (I5), config power is for
 * confidential clients (I13), an exchanged token never outlives its subject (I14), a policy's
 * lifetime never outlives the session, an oversized scope is refused, not ignored, a request may
 * add only so many and so long denies (bounded memory), UMA is refused to bound clients, and
 * "nothing granted" is visible in the events.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class IssuanceSecurityIT extends OnSharedKeycloak {

  private static final String SECRET = Fixtures.SECRET;

  private static Fixtures admin;

  private static Fixtures.Bound bound(List<String> allowed, Integer lifetime) {
    return admin.boundClient("issuance", allowed, lifetime, null);
  }

  private static Reply password(String clientId, String secret, String scope) {
    return http.password(clientId, secret, "demo", "demo", scope);
  }

  private static Reply refresh(String clientId, String refreshToken, String scope) {
    return http.refresh(clientId, SECRET, refreshToken, scope);
  }

  private static JsonNode accessClaims(Reply reply) {
    assertThat(reply).hasStatus(200);
    return TestClient.claims(reply.json().get("access_token").asText());
  }

  // ---- I5 ----

  @Test
  void aPolicyWidenedAfterLoginDoesNotWidenTheNextRefresh() {
    Fixtures.Bound client = bound(List.of("openid"), null);
    Reply first = password(client.clientId(), SECRET, "openid profile email");
    assertThat(accessClaims(first).path("scope").asText()).isEqualTo("openid");
    String refreshToken = first.json().get("refresh_token").asText();

    admin.editPolicy(client.policyId(), List.of("openid", "profile", "email", "*:**"), null, null);

    JsonNode refreshed = accessClaims(refresh(client.clientId(), refreshToken, null));
    assertThat(refreshed.path("scope").asText())
        .as("the ceiling is what was granted, not Keycloak's client-scope bookkeeping")
        .isEqualTo("openid");
    // and the refreshed refresh token keeps that ceiling
    Reply again = refresh(client.clientId(), refreshToken, null);
    String second = again.json().get("refresh_token").asText();
    assertThat(accessClaims(refresh(client.clientId(), second, null)).path("scope").asText())
        .isEqualTo("openid");
  }

  @Test
  void aRefreshKeepsTheConfigScopesGrantedAtLoginOnEveryVersion() {
    // Keycloak 26.6+ stamps the ceiling through a token post-processor, 26.4/26.5 through the
    // grant wrapper: either way the refresh token carries the grant and a refresh keeps it
    Fixtures.Bound client = bound(List.of("openid", ".:config/**"), null);
    Reply first = password(client.clientId(), SECRET, "openid .:config/clients");
    assertThat(accessClaims(first).path("scope").asText()).isEqualTo("openid .:config/clients");
    String refreshToken = first.json().get("refresh_token").asText();
    assertThat(TestClient.claims(refreshToken).path("policy_grant").asText())
        .isEqualTo("openid .:config/clients");

    Reply refreshed = refresh(client.clientId(), refreshToken, null);
    assertThat(accessClaims(refreshed).path("scope").asText())
        .as("a refresh without scope re-grants the presented grant, config scope included")
        .isEqualTo("openid .:config/clients");
    assertThat(
            TestClient.claims(refreshed.json().get("refresh_token").asText())
                .path("policy_grant")
                .asText())
        .isEqualTo("openid .:config/clients");
  }

  // ---- I13 ----

  @Test
  void aPublicClientGetsNoConfigGrantEvenWhenItsPolicyHasOne() {
    String policy = admin.policy("public", "openid", "*:**");
    String clientId = Fixtures.unique("public-client");
    String uuid =
        admin.createClientRepresentation(
            Map.of(
                "clientId", clientId,
                "publicClient", true,
                "directAccessGrantsEnabled", true,
                "standardFlowEnabled", false));
    admin.bind(uuid, policy);

    Reply token = password(clientId, null, "openid *:**");
    assertThat(accessClaims(token).path("scope").asText()).isEqualTo("openid");

    // a per-client policy with a config grant is refused on a public client
    Reply mapper = admin.addClientMapper(uuid, Fixtures.mapper(List.of("*:**"), null, null));
    assertThat(mapper).hasStatus(400);
  }

  // ---- I14 ----

  @Test
  void anExchangedTokenNeverOutlivesItsSubjectToken() throws InterruptedException {
    Fixtures.Bound client = bound(List.of("openid", ".:config/**"), 600);
    Reply subjectReply = http.clientCredentials(client.clientId(), SECRET, ".:config/**");
    JsonNode subject = accessClaims(subjectReply);
    Thread.sleep(2100);

    Reply exchanged =
        http.exchange(
            client.clientId(), SECRET, subjectReply.json().get("access_token").asText(), null);
    JsonNode renewed = accessClaims(exchanged);
    assertThat(renewed.get("exp").asLong()).isLessThanOrEqualTo(subject.get("exp").asLong());
    assertThat(exchanged.json().get("expires_in").asLong())
        .isLessThanOrEqualTo(subject.get("exp").asLong() - renewed.get("iat").asLong());
  }

  // ---- smaller holes ----

  @Test
  void aPolicyLifetimeNeverOutlivesTheSession() {
    Fixtures.Bound client = bound(List.of("openid"), 3600);
    JsonNode rep = http.admin("GET", "realms/demo/clients/" + client.uuid(), null).json();
    Map<String, Object> update =
        new LinkedHashMap<>(Map.of("clientId", client.clientId(), "id", client.uuid()));
    Map<String, Object> attributes =
        http.admin("GET", "realms/demo/clients/" + client.uuid(), null).json().has("attributes")
            ? new LinkedHashMap<>(
                io.github.policyscopes.it.api.ConfigApi.JSON.convertValue(
                    rep.get("attributes"),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}))
            : new LinkedHashMap<>();
    attributes.put("client.session.max.lifespan", "300");
    update.put("attributes", attributes);
    Reply put = http.admin("PUT", "realms/demo/clients/" + client.uuid(), update);
    assertThat(put).hasStatus(204);

    JsonNode token = accessClaims(password(client.clientId(), SECRET, "openid"));
    assertThat(token.get("exp").asLong() - token.get("iat").asLong())
        .as("capped at the client session's end, as Keycloak caps its own lifespans")
        .isLessThanOrEqualTo(300);
  }

  /**
   * Keycloak 26.6 removes an over-long parameter from the very form the grant later reads (26.7
   * removes it from a copy, 26.4 and 26.5 pass it on): no extension can tell it was sent, and the
   * request runs as one without {@code scope}, within the policy and the presented grant (README,
   * supported versions). Every other version refuses it.
   */
  private static boolean keycloakHidesOverlongParameters() {
    String version = System.getProperty("keycloak.version", "");
    return version.startsWith("26.6.");
  }

  @Test
  void aScopeParameterKeycloakDropsAsTooLongIsRefusedNotIgnored() {
    Fixtures.Bound client = bound(List.of("openid", ".:config/**"), null);
    String huge = ".:config/clients " + "x".repeat(4100);
    Reply reply = http.clientCredentials(client.clientId(), SECRET, huge);
    Reply first = password(client.clientId(), SECRET, "openid .:config/**");
    Reply narrowed = refresh(client.clientId(), first.json().get("refresh_token").asText(), huge);
    if (keycloakHidesOverlongParameters()) {
      // as without scope: default scopes within the policy, a refresh within its grant
      assertThat(accessClaims(reply).path("scope").asText()).doesNotContain("xxx", ".:config");
      assertThat(accessClaims(narrowed).path("scope").asText()).isEqualTo("openid .:config/**");
      return;
    }
    assertThat(reply).hasStatus(400).hasError("invalid_scope");
    // a narrowing refresh with it is refused too, never silently "no narrowing"
    assertThat(narrowed).hasStatus(400).hasError("invalid_scope");
  }

  // ---- bounded memory: what a token request may add (issue 20, class 2) ----

  /** {@code count} distinct denies, each exactly {@code length} characters long. */
  private static String denies(int count, int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String head = "-:config/clients/deny-" + i + "-";
      out.append(' ').append(head).append("x".repeat(length - head.length()));
    }
    return out.toString().trim();
  }

  private static void assertRefusedNamingTheLimit(Reply reply, String limit) {
    assertThat(reply).hasStatus(400).hasError("invalid_scope");
    assertThat(reply.json().path("error_description").asText()).contains(limit);
  }

  @Test
  void moreRequestedDeniesThanTheLimitAreRefusedAndTheLimitIsIssued() {
    // a policy of just openid: a requested deny was always granted, whatever the policy
    Fixtures.Bound client = bound(List.of("openid"), null);
    String atLimit = "openid " + denies(16, 40);
    String overLimit = "openid " + denies(17, 40);

    JsonNode issued = accessClaims(http.clientCredentials(client.clientId(), SECRET, atLimit));
    assertThat(issued.path("scope").asText().split(" ")).hasSize(17);
    assertRefusedNamingTheLimit(http.clientCredentials(client.clientId(), SECRET, overLimit), "16");

    Reply first = password(client.clientId(), SECRET, atLimit);
    assertThat(accessClaims(first).path("scope").asText().split(" ")).hasSize(17);
    assertRefusedNamingTheLimit(password(client.clientId(), SECRET, overLimit), "16");

    // a refresh adds denies as well (a public SPA's user can do it): the same limit
    String refreshToken = first.json().get("refresh_token").asText();
    assertRefusedNamingTheLimit(refresh(client.clientId(), refreshToken, overLimit), "16");
    assertThat(
            accessClaims(refresh(client.clientId(), refreshToken, atLimit)).path("scope").asText())
        .contains("deny-15-");
  }

  @Test
  void aRequestedDenyLongerThanAnEntryMayBeIsRefusedNotDropped() {
    Fixtures.Bound client = bound(List.of("openid"), null);
    String longest = denies(1, 256);
    String tooLong = denies(1, 257);

    assertThat(
            accessClaims(http.clientCredentials(client.clientId(), SECRET, longest))
                .path("scope")
                .asText())
        .isEqualTo(longest);
    // dropped, the token would be more powerful than asked: refused
    assertRefusedNamingTheLimit(http.clientCredentials(client.clientId(), SECRET, tooLong), "256");

    Reply first = password(client.clientId(), SECRET, "openid " + longest);
    assertThat(accessClaims(first).path("scope").asText()).contains(longest);
    assertRefusedNamingTheLimit(password(client.clientId(), SECRET, "openid " + tooLong), "256");
    String refreshToken = first.json().get("refresh_token").asText();
    assertRefusedNamingTheLimit(refresh(client.clientId(), refreshToken, tooLong), "256");
  }

  @Test
  void umaTicketsAreRefusedToBoundClients() {
    // a resource server with Keycloak's default resource, policy and permission
    String rsId = Fixtures.unique("resource-server");
    admin.createClientRepresentation(
        Map.of(
            "clientId", rsId,
            "publicClient", false,
            "secret", SECRET,
            "serviceAccountsEnabled", true,
            "authorizationServicesEnabled", true));

    Fixtures.Bound client = bound(List.of("openid"), null);
    Reply uma =
        http.token(
            TestClient.REALM,
            form(
                "grant_type",
                "urn:ietf:params:oauth:grant-type:uma-ticket",
                "client_id",
                client.clientId(),
                "client_secret",
                SECRET,
                "audience",
                rsId));
    assertThat(uma).hasStatus(400).hasError("unauthorized_client");

    // an unbound client gets Keycloak's own answer
    String unbound = Fixtures.unique("uma-unbound");
    admin.createClient(unbound, SECRET);
    Reply stock =
        http.token(
            TestClient.REALM,
            form(
                "grant_type", "urn:ietf:params:oauth:grant-type:uma-ticket",
                "client_id", unbound,
                "client_secret", SECRET,
                "audience", rsId));
    assertThat(stock.toString())
        .as("stock UMA, not our refusal")
        .doesNotContain("unauthorized_client");
  }

  @Test
  void nothingGrantedIsVisibleInTheEvent() {
    Fixtures.Bound client = bound(List.of(".:config/**"), null);
    Reply reply = http.clientCredentials(client.clientId(), SECRET, "XXXXX");
    assertThat(reply).hasStatus(200);

    List<JsonNode> events = admin.events("CLIENT_LOGIN", client.clientId());
    assertThat(events).isNotEmpty();
    JsonNode details = events.get(0).get("details");
    assertThat(details.path("granted_count").asText()).isEqualTo("0");
    assertThat(details.path("granted_scopes").isMissingNode()).isTrue();
    assertThat(details.path("dropped_scopes").asText().split(" ")).contains("XXXXX");
    assertThat(details.path("dropped_count").asInt())
        .isEqualTo(details.path("dropped_scopes").asText().split(" ").length);
  }
}
