package io.github.policyscopes.it.cluster;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.AdminRest;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.foreign.ForeignGrantTypeFactory;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ClusterIT} checks on a node told it runs on another Keycloak: capabilities decide,
 * never the version, and it never fails open. On a newer one where every capability resolves it
 * runs; on one missing a capability bound clients are refused clearly and nobody else notices.
 */
final class Capabilities {

  private static final String CALLBACK = "http://localhost:3000/callback";

  private final TestClient http;
  private final AdminRest admin;

  Capabilities(TestClient http) {
    this.http = http;
    this.admin = new AdminRest(http);
  }

  /**
   * As a newer Keycloak with a grant type the extension does not know: policies are enforced, the
   * unknown grant is refused to a bound client and stock for an unbound one. Returns a user's token
   * of the bound public client, issued while the extension runs.
   */
  String runsAsNewer() throws Exception {
    Reply enforced = http.clientCredentials("config-reader", "config-reader-secret", ".:**");
    assertThat(enforced).as("a config scope only the extension can grant").hasStatus(200);
    assertThat(
            TestClient.claims(enforced.json().get("access_token").asText()).path("scope").asText())
        .contains(".:**");
    Reply foreign = foreignGrant("config-reader", "config-reader-secret");
    assertThat(foreign).as("a bound client on a foreign grant").hasStatus(400);
    assertThat(foreign).hasError("unauthorized_client");
    assertThat(foreign.json().path("error_description").asText())
        .isEqualTo(
            "The grant type "
                + ForeignGrantTypeFactory.GRANT_TYPE
                + " is not available to clients bound to a token policy");
    Map<String, Object> unboundClient = new LinkedHashMap<>();
    unboundClient.put("clientId", "foreign-grant-unbound");
    unboundClient.put("secret", "foreign-grant-secret");
    unboundClient.put("publicClient", false);
    unboundClient.put("serviceAccountsEnabled", true);
    assertThat(admin.call("POST", "realms/" + TestClient.REALM + "/clients", unboundClient))
        .hasStatus(201);
    assertThat(foreignGrant("foreign-grant-unbound", "foreign-grant-secret"))
        .as("an unbound client on the foreign grant")
        .hasStatus(200);
    BrowserLogin before = new BrowserLogin(http);
    Reply issued =
        before.exchange(
            TestClient.REALM,
            "web-app",
            CALLBACK,
            before.authorize(TestClient.REALM, "web-app", CALLBACK, "openid email", "demo", "demo"),
            null);
    assertThat(issued).hasStatus(200);
    String userToken = issued.json().get("access_token").asText();
    assertThat(Probes.userInfo(http, userToken).json().has("email"))
        .as("userinfo while running")
        .isTrue();
    return userToken;
  }

  private Reply foreignGrant(String clientId, String secret) {
    return http.token(
        TestClient.REALM,
        TestClient.form(
            "grant_type", ForeignGrantTypeFactory.GRANT_TYPE,
            "client_id", clientId,
            "client_secret", secret));
  }

  /**
   * Missing a capability: bound clients are refused on every grant (client credentials, code,
   * device), a token issued before shows no policy-shaped claim, unbound clients and the admin API
   * work, nothing answers 5xx.
   */
  void refusesBoundClients(String userTokenFromBefore) throws Exception {
    Probes probes = new Probes();
    for (String bound : List.of("config-admin", "config-reader")) {
      Reply refused = probes.of(http.clientCredentials(bound, bound + "-secret", null), bound);
      assertThat(refused).as(bound).hasStatus(400).hasError("unauthorized_client");
      assertThat(refused.json().path("error_description").asText())
          .contains("policy-bound scopes", "server log")
          .doesNotContain("secret-rotation-context", "26.7");
      assertThat(refused.body()).doesNotContain("access_token");
    }
    // the bound public client: the user signs in, the code is not exchanged for a token
    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(TestClient.REALM, "web-app", CALLBACK, "openid", "demo", "demo");
    Reply code =
        probes.of(
            browser.exchange(TestClient.REALM, "web-app", CALLBACK, redirect, null),
            "authorization_code web-app");
    assertThat(code).hasStatus(400).hasError("unauthorized_client");
    Reply deviceToken = probes.of(deviceGrant(), "device_code config-reader");
    assertThat(deviceToken).hasStatus(400).hasError("unauthorized_client");
    assertThat(deviceToken.json().path("error_description").asText())
        .contains("policy-bound scopes");
    // the token issued before: userinfo shows who, never the claims its policy shaped
    Reply afterwards =
        probes.of(Probes.userInfo(http, userTokenFromBefore), "userinfo web-app token from before");
    assertThat(afterwards).hasStatusIn(200, 401);
    if (afterwards.status() == 200) {
      assertThat(afterwards.json().has("email")).as("userinfo while refusing").isFalse();
      assertThat(afterwards.json().path("sub").asText()).isNotEmpty();
    }
    // clients without a policy: untouched (the demo user through admin-cli, the master admin)
    Reply unbound =
        probes.of(
            http.token(
                TestClient.REALM,
                TestClient.form(
                    "grant_type", "password",
                    "client_id", "admin-cli",
                    "username", "demo",
                    "password", "demo")),
            "password admin-cli (unbound)");
    assertThat(unbound).hasStatus(200);
    probes.of(admin.call("GET", "realms", null), "GET admin realms");
    probes.assertNoServerError("Missing a capability, on kc-A");
  }

  /**
   * A grant the wrapper does not see (the device grant), with the device grant turned on for the
   * bound config-reader for the while: the policy mapper must refuse the token.
   */
  private Reply deviceGrant() throws Exception {
    String readerPath =
        "realms/"
            + TestClient.REALM
            + "/clients/"
            + admin
                .call("GET", "realms/" + TestClient.REALM + "/clients?clientId=config-reader", null)
                .json()
                .get(0)
                .get("id")
                .asText();
    setDeviceGrant(readerPath, true);
    Reply codes =
        http.postForm(
            http.realmUrl(TestClient.REALM) + "/protocol/openid-connect/auth/device",
            TestClient.form(
                "client_id", "config-reader",
                "client_secret", "config-reader-secret",
                "scope", "openid"));
    assertThat(codes).hasStatus(200);
    URI verification = URI.create(codes.json().get("verification_uri_complete").asText());
    assertThat(new BrowserLogin(http).approveDevice(verification, "demo", "demo"))
        .hasStatusBetween(200, 399);
    Reply token =
        http.token(
            TestClient.REALM,
            TestClient.form(
                "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                "client_id", "config-reader",
                "client_secret", "config-reader-secret",
                "device_code", codes.json().get("device_code").asText()));
    setDeviceGrant(readerPath, false);
    return token;
  }

  /** Turns the device grant on or off for a client, through its whole representation. */
  private void setDeviceGrant(String clientPath, boolean on) {
    ObjectNode client = (ObjectNode) admin.call("GET", clientPath, null).json();
    ((ObjectNode) client.with("attributes"))
        .put("oauth2.device.authorization.grant.enabled", Boolean.toString(on));
    assertThat(admin.call("PUT", clientPath, client)).hasStatus(204);
  }
}
