package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client with no token policy behaves exactly like stock Keycloak (26.7.5 in the main run): same
 * successes, same errors, byte for byte where Keycloak's answer is fixed text. The expected bodies
 * are what a stock server answers (keycloak-26.7-internals.md §1.3).
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class UnboundClientsIT extends OnSharedKeycloak {

  private static final String SECRET = "s3cret";
  private static String clientId;

  @BeforeAll
  static void createUnboundClient(TestClient client) {
    clientId = Fixtures.unique("unbound");
    new Fixtures(client).createClient(clientId, SECRET);
  }

  private Reply clientCredentials(TestClient client, String scope) {
    return client.clientCredentials(clientId, SECRET, scope);
  }

  /**
   * An unknown scope, a config scope (unknown to an unbound client) and an empty scope: each is
   * Keycloak's own {@code invalid_scope}, naming the scope parameter as sent.
   */
  @ParameterizedTest(name = "scope \"{0}\" is still invalid_scope")
  @ValueSource(strings = {"XXXXX", "openid .:config/**", ""})
  void anUnknownScopeIsStillInvalidScope(String scope, TestClient client) {
    Reply reply = clientCredentials(client, scope);

    assertThat(reply).hasStatus(400);
    assertThat(reply.body())
        .isEqualTo(
            "{\"error\":\"invalid_scope\",\"error_description\":\"Invalid scopes: "
                + scope
                + "\"}");
  }

  @Test
  void defaultAndOptionalScopesAreGrantedAsStockDoes(TestClient client) {
    Reply plain = clientCredentials(client, null);
    assertThat(plain).hasStatus(200);
    assertThat(plain.json().get("scope").asText().split(" "))
        .containsExactlyInAnyOrder("profile", "email");

    Reply optional = clientCredentials(client, "openid phone");
    assertThat(optional).hasStatus(200);
    assertThat(optional.json().get("scope").asText().split(" "))
        .containsExactlyInAnyOrder("openid", "phone", "profile", "email");
    assertThat(
            TestClient.claims(optional.json().get("access_token").asText()).path("aud").toString())
        .as("the policy mapper adds the bound client to aud; an unbound client's token is stock")
        .doesNotContain(clientId);
  }

  @Test
  void passwordAndRefreshBehaveAsStock(TestClient client) {
    Reply login = client.password(clientId, SECRET, "demo", "demo", "openid");
    assertThat(login).hasStatus(200);
    assertThat(login.json().get("scope").asText().split(" "))
        .containsExactlyInAnyOrder("openid", "profile", "email");

    Reply refreshed =
        client.refresh(clientId, SECRET, login.json().get("refresh_token").asText(), "XXXXX");
    assertThat(refreshed).hasStatus(400);
    assertThat(refreshed.body())
        .isEqualTo("{\"error\":\"invalid_scope\",\"error_description\":\"Invalid scopes: XXXXX\"}");
  }

  @Test
  void theAdminConsoleStillLogsIn(TestClient client) throws Exception {
    BrowserLogin browser = new BrowserLogin(client);
    String redirectUri = client.baseUrl() + "/admin/master/console/";

    BrowserLogin.Redirect redirect =
        browser.authorize(
            "master", "security-admin-console", redirectUri, "openid", "admin", "admin");
    Reply tokens =
        browser.exchange("master", "security-admin-console", redirectUri, redirect, null);

    assertThat(tokens).hasStatus(200);
    String accessToken = tokens.json().get("access_token").asText();
    Reply realms =
        client.send(
            HttpRequest.newBuilder(URI.create(client.baseUrl() + "/admin/realms"))
                .header("Authorization", "Bearer " + accessToken)
                .GET());
    assertThat(realms).hasStatus(200);
    assertThat(realms.body()).contains("\"realm\":\"demo\"");
  }
}
