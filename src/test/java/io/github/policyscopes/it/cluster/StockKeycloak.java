package io.github.policyscopes.it.cluster;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.AdminRest;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.List;

/**
 * A node without the extension, as {@link ClusterIT} checks it after the uninstall: every realm
 * loads and reads back (policies included), bound clients get stock tokens, a user signs in through
 * the bound public client with stock scopes, {@code /config} is 404, and nothing answers 5xx.
 */
final class StockKeycloak {

  private final TestClient http;
  private final AdminRest admin;
  private final Probes probes = new Probes();

  StockKeycloak(TestClient http) {
    this.http = http;
    this.admin = new AdminRest(http);
  }

  /** All of the above; {@code bound}: clientId and secret of clients the crash run bound. */
  void assertStock(List<CrashRun.AckClient> bound, String label) throws Exception {
    everyRealmReadsBack();
    boundClientsGetStockTokens(bound);
    // a user signs in through the bound public client: stock scopes (phone is no longer dropped)
    BrowserLogin browser = new BrowserLogin(http);
    String redirectUri = "http://localhost:3000/callback";
    BrowserLogin.Redirect redirect =
        browser.authorize(
            TestClient.REALM, "web-app", redirectUri, "openid profile email phone", "demo", "demo");
    Reply code =
        probes.of(
            browser.exchange(TestClient.REALM, "web-app", redirectUri, redirect, null),
            "authorization_code web-app");
    assertThat(code).hasStatus(200);
    String userScope =
        TestClient.claims(code.json().get("access_token").asText()).path("scope").asText();
    assertThat(userScope.split(" ")).contains("openid", "profile", "email", "phone");

    // the config API is gone: not found, never 500
    String stockToken =
        http.clientCredentials("config-admin", "config-admin-secret", null)
            .json()
            .get("access_token")
            .asText();
    Reply api =
        probes.of(
            new ConfigApi(http).get(stockToken, "config/tokenPolicies"),
            "GET /realms/demo/config/tokenPolicies");
    assertThat(api).hasStatus(404);
    probes.assertNoServerError(label + ", on kc-A");
  }

  /** Every realm loads, and its clients and client scopes (policies included) read back. */
  private void everyRealmReadsBack() {
    Reply realms = probes.of(admin.call("GET", "realms", null), "GET admin realms");
    assertThat(realms).hasStatus(200);
    List<String> realmNames = new ArrayList<>();
    realms.json().forEach(r -> realmNames.add(r.get("realm").asText()));
    assertThat(realmNames).contains("master", TestClient.REALM);
    for (String realm : realmNames) {
      String url = http.realmUrl(realm);
      probes.of(Probes.get(http, url), "GET /realms/" + realm);
      probes.of(
          Probes.get(http, url + "/.well-known/openid-configuration"),
          "GET /realms/" + realm + "/.well-known/openid-configuration");
      String path = "realms/" + realm;
      probes.of(admin.call("GET", path, null), "GET admin realm " + realm);
      probes.of(admin.call("GET", path + "/clients", null), "GET clients " + realm);
      Reply scopes =
          probes.of(admin.call("GET", path + "/client-scopes", null), "GET client-scopes " + realm);
      for (JsonNode scope : scopes.json()) {
        String mappers = path + "/client-scopes/" + scope.get("id").asText();
        probes.of(
            admin.call("GET", mappers + "/protocol-mappers/models", null),
            "GET mappers of " + scope.get("name").asText());
      }
    }
    String export =
        "realms/"
            + TestClient.REALM
            + "/partial-export?exportClients=true&exportGroupsAndRoles=true";
    assertThat(admin.call("POST", export, null))
        .as("partial export of the demo realm")
        .hasStatus(200);
  }

  /** Bound clients: stock tokens (the policy no longer filters Keycloak's default scopes). */
  private void boundClientsGetStockTokens(List<CrashRun.AckClient> bound) {
    for (String demoClient : List.of("config-admin", "config-reader")) {
      String secret = demoClient + "-secret";
      Reply stock =
          probes.of(http.clientCredentials(demoClient, secret, null), "token " + demoClient);
      assertThat(stock).hasStatus(200);
      JsonNode claims = TestClient.claims(stock.json().get("access_token").asText());
      assertThat(claims.path("scope").asText().split(" "))
          .as("Keycloak's own default scopes, no longer filtered by the policy")
          .contains("profile", "email");
      assertThat(claims.has("policy_grant")).isFalse();
      Reply configScope =
          probes.of(
              http.clientCredentials(demoClient, secret, ".:**"),
              "token " + demoClient + " scope .:**");
      assertThat(configScope)
          .as("a config scope is an unknown scope to stock Keycloak: " + configScope)
          .hasStatus(400)
          .hasError("invalid_scope");
    }
    for (CrashRun.AckClient client : bound) {
      Reply stock =
          probes.of(
              http.clientCredentials(client.clientId(), client.secret(), null),
              "token " + client.clientId());
      assertThat(stock).hasStatus(200);
      String scope =
          TestClient.claims(stock.json().get("access_token").asText()).path("scope").asText();
      assertThat(scope).as("no config scope in a stock token").doesNotContain(":");
    }
  }
}
