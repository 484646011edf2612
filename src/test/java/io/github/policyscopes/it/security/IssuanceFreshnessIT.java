package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * What a token request reads of a client before its grant runs is kept between requests
 * (docs/adr/0040), and never stale: every change an operator makes in Keycloak's admin REST API
 * (what the console does) shapes the very next token. Each test asks for a token first, so that
 * what was read is kept and could go stale, then changes one thing at a time, asking again at once.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class IssuanceFreshnessIT extends OnSharedKeycloak {

  private static final String SECRET = Fixtures.SECRET;
  private static final String CLIENTS = ".:config/clients/*";
  private static final String POLICIES = ".:config/tokenPolicies";

  private static Reply token(String clientId, String scope) {
    return http.clientCredentials(clientId, SECRET, scope);
  }

  /**
   * Three requests: the first ones may make Keycloak cache objects it had not cached yet (heard as
   * invalidations), so that what the last one read is kept and could go stale.
   */
  private static Reply warm(String clientId, String scope) {
    token(clientId, scope);
    token(clientId, scope);
    return token(clientId, scope);
  }

  private static Reply password(String clientId, String scope) {
    return http.password(clientId, SECRET, "demo", "demo", scope);
  }

  private static JsonNode claims(Reply reply) {
    assertThat(reply).hasStatus(200);
    return TestClient.claims(reply.json().get("access_token").asText());
  }

  private static String scopeOf(Reply reply) {
    JsonNode scope = claims(reply).get("scope");
    return scope == null ? "" : scope.asText();
  }

  @Test
  void aPolicyEditedInTheConsoleShapesTheVeryNextToken() {
    Fixtures.Bound bound = fixtures.boundClient("fresh-edit", List.of(CLIENTS));
    String asked = CLIENTS + " " + POLICIES;
    assertThat(scopeOf(warm(bound.clientId(), asked))).isEqualTo(CLIENTS);
    for (int round = 0; round < 3; round++) {
      String now = round % 2 == 0 ? POLICIES : CLIENTS;
      assertThat(fixtures.editPolicy(bound.policyId(), List.of(now), null, null)).hasStatus(204);
      assertThat(scopeOf(token(bound.clientId(), asked))).as("round %d", round).isEqualTo(now);
      warm(bound.clientId(), asked);
    }
  }

  @Test
  void aPolicyEditedInTheConsoleShapesTheVeryNextTokenOfAUser() {
    Fixtures.Bound bound = fixtures.boundClient("fresh-user", List.of("openid", "profile"));
    Reply first = password(bound.clientId(), "openid profile email");
    password(bound.clientId(), "openid profile email");
    assertThat(scopeOf(password(bound.clientId(), "openid profile email")))
        .isEqualTo("openid profile");
    assertThat(fixtures.editPolicy(bound.policyId(), List.of("openid", "email"), null, null))
        .hasStatus(204);
    assertThat(scopeOf(password(bound.clientId(), "openid profile email")))
        .isEqualTo("openid email");
    // a refresh decides by the policy as it is now, within what was granted at login
    Reply refreshed =
        http.refresh(bound.clientId(), SECRET, first.json().get("refresh_token").asText(), null);
    assertThat(scopeOf(refreshed)).isEqualTo("openid");
  }

  @Test
  void aPolicyBoundOrUnboundInTheConsoleDecidesTheVeryNextToken() {
    String clientId = Fixtures.unique("fresh-bind-client");
    String uuid = fixtures.createClient(clientId, SECRET);
    String policy = fixtures.policy("fresh-bind", CLIENTS);
    assertThat(scopeOf(warm(clientId, null))).contains("profile", "email");

    fixtures.bind(uuid, policy);
    assertThat(scopeOf(token(clientId, null))).doesNotContain("profile", "email");
    assertThat(scopeOf(warm(clientId, CLIENTS))).isEqualTo(CLIENTS);

    fixtures.unbind(uuid, policy);
    Reply stock = token(clientId, null);
    assertThat(scopeOf(stock)).contains("profile", "email");
    assertThat(token(clientId, CLIENTS)).as("stock Keycloak knows no config scope").hasStatus(400);
  }

  @Test
  void aCeilingLostInTheConsoleRefusesTheVeryNextToken() {
    Fixtures.Bound bound = fixtures.boundClient("fresh-ceiling", List.of(CLIENTS));
    String path = "realms/" + TestClient.REALM + "/clients/" + bound.uuid();
    assertThat(warm(bound.clientId(), CLIENTS)).hasStatus(200);

    ObjectNode rep = (ObjectNode) http.admin("GET", path, null).json();
    rep.with("attributes").put("pbs.registration.ceiling", fixtures.policy("fresh-other", "x"));
    assertThat(http.admin("PUT", path, rep)).hasStatus(204);
    Reply refused = token(bound.clientId(), CLIENTS);
    assertThat(refused).hasStatus(400);
    assertThat(refused.json().get("error").asText()).isEqualTo("unauthorized_client");

    rep.with("attributes").put("pbs.registration.ceiling", bound.policyId());
    assertThat(http.admin("PUT", path, rep)).hasStatus(204);
    assertThat(scopeOf(token(bound.clientId(), CLIENTS))).isEqualTo(CLIENTS);
  }

  @Test
  void anOptionalScopeAddedInTheConsoleIsMappedInTheVeryNextToken() {
    String name = Fixtures.unique("fresh-optional");
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("name", name);
    scope.put("protocol", "openid-connect");
    scope.put("attributes", Map.of("include.in.token.scope", "true"));
    String scopeId = fixtures.createClientScope(scope);
    Map<String, String> claim = Fixtures.claimConfig("fresh_claim");
    claim.put("claim.value", "fresh");
    assertThat(
            http.admin(
                "POST",
                "realms/"
                    + TestClient.REALM
                    + "/client-scopes/"
                    + scopeId
                    + "/protocol-mappers/models",
                Map.of(
                    "name", "fresh claim",
                    "protocol", "openid-connect",
                    "protocolMapper", "oidc-hardcoded-claim-mapper",
                    "config", claim)))
        .hasStatus(201);
    Fixtures.Bound bound = fixtures.boundClient("fresh-known", List.of(name, CLIENTS));

    // not a client scope of the client: the policy's alone, nothing for Keycloak to map
    JsonNode before = claims(warm(bound.clientId(), name));
    assertThat(before.get("scope").asText()).isEqualTo(name);
    assertThat(before.has("fresh_claim")).isFalse();

    fixtures.bindOptional(bound.uuid(), scopeId);
    JsonNode known = claims(warm(bound.clientId(), name));
    assertThat(known.get("scope").asText()).isEqualTo(name);
    assertThat(known.get("fresh_claim").asText()).as("Keycloak mapped it").isEqualTo("fresh");

    fixtures.unbindOptional(bound.uuid(), scopeId);
    assertThat(claims(token(bound.clientId(), name)).has("fresh_claim")).isFalse();
  }
}
