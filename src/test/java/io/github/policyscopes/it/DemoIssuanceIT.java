package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SPEC §3 on the demo realm's clients, through plain client_credentials requests. */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
@ExtendWith(KeycloakServerExtension.class)
class DemoIssuanceIT {

  static final String CONFIG_POLICY_ID = "8cdb3f99-ceee-403d-a01d-daf392e18350";
  static final String STICKY_DENY = "-:config/tokenPolicies/" + CONFIG_POLICY_ID;

  /** The token of one request, as the response, the JWT and introspection each state its scope. */
  record Issued(Reply response, JsonNode claims, JsonNode introspection) {
    String responseScope() {
      return response.json().has("scope") ? response.json().get("scope").asText() : null;
    }

    String claimScope() {
      return claims.has("scope") ? claims.get("scope").asText() : null;
    }

    String introspectedScope() {
      return introspection.has("scope") ? introspection.get("scope").asText() : null;
    }
  }

  static Issued issue(TestClient client, String clientId, String secret, String scope) {
    Reply response = client.clientCredentials(clientId, secret, scope);
    assertThat(response).hasStatus(200);
    String token = response.json().get("access_token").asText();
    JsonNode introspection = client.introspect(TestClient.REALM, clientId, secret, token).json();
    return new Issued(response, TestClient.claims(token), introspection);
  }

  static void assertSameScopeEverywhere(Issued issued, String expected) {
    assertThat(issued.responseScope()).as("token response scope").isEqualTo(expected);
    assertThat(issued.claimScope()).as("access token scope claim").isEqualTo(expected);
    assertThat(issued.introspection().get("active").asBoolean()).as("active").isTrue();
    assertThat(issued.introspectedScope()).as("introspected scope").isEqualTo(expected);
  }

  @Test
  void anUnknownScopeIsDroppedAndTheTokenIsStillIssuedAndActive(TestClient client) {
    Issued issued = issue(client, "config-admin", "config-admin-secret", "XXXXX");

    assertSameScopeEverywhere(issued, null);
    assertThat(issued.response().json().has("scope")).as("no scope key in the response").isFalse();
    assertThat(issued.introspection().has("scope")).as("no scope key in introspection").isFalse();
  }

  @Test
  void aReaderGetsReadOnlyAndNothingWider(TestClient client) {
    assertSameScopeEverywhere(
        issue(client, "config-reader", "config-reader-secret", ".:**"), ".:**");
    assertSameScopeEverywhere(
        issue(client, "config-reader", "config-reader-secret", "*:config/**"), null);
    assertSameScopeEverywhere(
        issue(client, "config-reader", "config-reader-secret", ".:config/clients *:**"),
        ".:config/clients");
  }

  @Test
  void aConfigGrantCarriesThePolicysStickyDeny(TestClient client) {
    assertSameScopeEverywhere(
        issue(client, "config-admin", "config-admin-secret", "*:config/tokenPolicies"),
        "*:config/tokenPolicies " + STICKY_DENY);
  }

  @Test
  void aNarrowerScopeIsGrantedAsAskedNotWidened(TestClient client) {
    assertSameScopeEverywhere(
        issue(client, "config-admin", "config-admin-secret", ".:config/clients/*"),
        ".:config/clients/* " + STICKY_DENY);
  }

  @Test
  void plainScopesOfThePolicyNeedNoConfigGrantAndBringNoDeny(TestClient client) {
    assertSameScopeEverywhere(
        issue(client, "config-admin", "config-admin-secret", "openid"), "openid");
  }

  @Test
  void aRequestedDenyIsKeptAndMalformedScopesAreDropped(TestClient client) {
    assertSameScopeEverywhere(
        issue(client, "config-admin", "config-admin-secret", "*:** -:config/clients *:a//b *:"),
        "*:** -:config/clients " + STICKY_DENY);
  }

  @Test
  void keycloakDefaultScopesAreFilteredByThePolicy(TestClient client) {
    // config-admin has Keycloak's default client scopes profile and email; its policy allows
    // neither
    Issued issued = issue(client, "config-admin", "config-admin-secret", null);

    assertSameScopeEverywhere(issued, null);
  }

  @Test
  void eachIssuanceRecordsGrantedAndDroppedScopesInTheEvent(TestClient client) {
    issue(client, "config-reader", "config-reader-secret", ".:config/clients XXXXX");

    List<JsonNode> events =
        new RealmAdmin(client, TestClient.REALM).events("CLIENT_LOGIN", "config-reader");
    assertThat(events).isNotEmpty();
    JsonNode details = events.get(0).get("details");
    assertThat(details.get("granted_scopes").asText()).isEqualTo(".:config/clients");
    assertThat(details.get("dropped_scopes").asText().split(" "))
        .containsExactlyInAnyOrder("XXXXX", "profile", "email");
  }
}
