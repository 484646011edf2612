package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every standard grant of a bound client; refresh and exchange never widen. */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class GrantTypesIT extends OnSharedKeycloak {

  private static final String SECRET = Fixtures.SECRET;

  private static String scopeOf(Reply reply) {
    assertThat(reply).hasStatus(200);
    JsonNode json = reply.json();
    String claim = TestClient.claims(json.get("access_token").asText()).path("scope").asText(null);
    String response = json.has("scope") ? json.get("scope").asText() : null;
    assertThat(response).as("response scope = token scope").isEqualTo(claim);
    return claim;
  }

  private static Reply password(TestClient client, String clientId, String scope) {
    return client.password(clientId, SECRET, "demo", "demo", scope);
  }

  private static Reply refresh(
      TestClient client, String clientId, String refreshToken, String scope) {
    return client.refresh(clientId, SECRET, refreshToken, scope);
  }

  private static Fixtures.Bound boundClient(TestClient client, List<String> allowed) {
    return new Fixtures(client).boundClient("grants", allowed);
  }

  @Test
  void passwordGrantIsBoundToThePolicy(TestClient client) {
    Fixtures.Bound bound =
        boundClient(client, List.of("openid", "email", "*:config/**", "-:config/x"));

    assertThat(scopeOf(password(client, bound.clientId(), "openid .:config/clients XXXXX")))
        .isEqualTo("openid .:config/clients email -:config/x");
  }

  @Test
  void refreshKeepsTheGrantNarrowsOnRequestAndNeverWidens(TestClient client) {
    Fixtures.Bound bound = boundClient(client, List.of("openid", "*:config/**", "-:config/x"));
    Reply first = password(client, bound.clientId(), "openid *:config/clients");
    assertThat(scopeOf(first)).isEqualTo("openid *:config/clients -:config/x");
    String refreshToken = first.json().get("refresh_token").asText();

    assertThat(scopeOf(refresh(client, bound.clientId(), refreshToken, null)))
        .as("no scope: the original grant")
        .isEqualTo("openid *:config/clients -:config/x");
    assertThat(scopeOf(refresh(client, bound.clientId(), refreshToken, ".:config/clients")))
        .as("narrowed to a read of the same path")
        .isEqualTo(".:config/clients -:config/x");
    assertThat(scopeOf(refresh(client, bound.clientId(), refreshToken, "*:config/tokenPolicies")))
        .as("allowed by the policy but never granted: no widening")
        .isNull();
  }

  @Test
  void refreshAfterAPolicyEditLosesWhatThePolicyNoLongerAllows(TestClient client) {
    Fixtures.Bound bound = boundClient(client, List.of("openid", ".:config/**"));
    Reply first = password(client, bound.clientId(), "openid .:config/clients");
    assertThat(scopeOf(first)).isEqualTo("openid .:config/clients");

    new Fixtures(client)
        .editPolicy(bound.policyId(), List.of("openid", ".:config/tokenPolicies/**"), null, null);

    assertThat(
            scopeOf(
                refresh(
                    client, bound.clientId(), first.json().get("refresh_token").asText(), null)))
        .isEqualTo("openid");
  }

  @Test
  void tokenExchangeCarriesAtMostTheSubjectTokensGrant(TestClient client) {
    Fixtures.Bound bound = boundClient(client, List.of("openid", "*:config/**"));
    String subject =
        client
            .clientCredentials(bound.clientId(), SECRET, ".:config/clients")
            .json()
            .get("access_token")
            .asText();

    Reply narrower = exchange(client, bound.clientId(), subject, null);
    assertThat(scopeOf(narrower)).isEqualTo(".:config/clients");
    Reply wider = exchange(client, bound.clientId(), subject, "*:config/clients");
    assertThat(wider).hasStatus(200);
    assertThat(scopeOf(wider)).as("the policy allows it, the subject token does not").isNull();
  }

  private static Reply exchange(TestClient client, String clientId, String subject, String scope) {
    return client.exchange(clientId, SECRET, subject, scope);
  }

  @Test
  void authorizationCodeFiltersTheScopesKeycloakKnows(TestClient client) throws Exception {
    BrowserLogin browser = new BrowserLogin(client);
    String redirectUri = "http://localhost:3000/callback";

    BrowserLogin.Redirect redirect =
        browser.authorize(
            TestClient.REALM, "web-app", redirectUri, "openid profile email phone", "demo", "demo");
    assertThat(redirect.param("code")).as(redirect.location().toString()).isNotNull();
    Reply tokens = browser.exchange(TestClient.REALM, "web-app", redirectUri, redirect, null);

    String scope = scopeOf(tokens);
    assertThat(scope.split(" ")).containsExactlyInAnyOrder("openid", "profile", "email");
    assertThat(tokens.json().has("id_token")).isTrue();
  }

  @Test
  void aConfigScopeOnTheAuthorizationEndpointIsStillKeycloaksInvalidScope(TestClient client)
      throws Exception {
    BrowserLogin.Redirect redirect =
        new BrowserLogin(client)
            .authorize(
                TestClient.REALM,
                "web-app",
                "http://localhost:3000/callback",
                "openid .:config/**",
                "demo",
                "demo");

    assertThat(redirect.param("error")).isEqualTo("invalid_scope");
  }
}
