package io.github.policyscopes.it;

import static io.github.policyscopes.it.Fixtures.STICKY_DENY;
import static io.github.policyscopes.it.Issued.assertSameScopeEverywhere;
import static io.github.policyscopes.it.Issued.issue;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** docs/contract.md §3 on the demo realm's clients, through plain client_credentials requests. */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class DemoIssuanceIT extends OnSharedKeycloak {

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

    List<JsonNode> events = new Fixtures(client).events("CLIENT_LOGIN", "config-reader");
    assertThat(events).isNotEmpty();
    JsonNode details = events.get(0).get("details");
    assertThat(details.get("granted_scopes").asText()).isEqualTo(".:config/clients");
    // dropped: what the client asked for and did not get; Keycloak's default client scopes the
    // policy left out are filtered, not dropped (docs/adr/0033)
    assertThat(details.get("dropped_scopes").asText()).isEqualTo("XXXXX");
    assertThat(details.get("dropped_count").asText()).isEqualTo("1");
    assertThat(details.get("filtered_default_scopes").asText().split(" "))
        .containsExactlyInAnyOrder("profile", "email");
  }

  @Test
  void requestsAskedAgainInTurnAreDecidedAndRecordedAsTheFirstTime(TestClient client) {
    // a bound client's access-token decisions are kept with its context's reading, at most two
    // shapes of request (docs/adr/0046): four shapes in turn replace them again and again, and
    // each token and event must still be its own request's, never a neighbour's
    List<String> asked = Arrays.asList(".:config/clients XXXXX", ".:**", null, "*:config/**");
    Map<String, String> scopes = new HashMap<>();
    Map<String, Map<String, String>> recorded = new HashMap<>();
    for (int round = 0; round < 3; round++) {
      for (String scope : asked) {
        Issued issued = issue(client, "config-reader", "config-reader-secret", scope);
        JsonNode details =
            new Fixtures(client).events("CLIENT_LOGIN", "config-reader").get(0).get("details");
        Map<String, String> ours = new TreeMap<>();
        for (String key :
            List.of(
                "scope",
                "granted_scopes",
                "granted_count",
                "dropped_scopes",
                "dropped_count",
                "filtered_default_scopes")) {
          ours.put(key, details.has(key) ? details.get(key).asText() : null);
        }
        String key = String.valueOf(scope);
        if (round == 0) {
          scopes.put(key, issued.claimScope());
          recorded.put(key, ours);
        }
        assertSameScopeEverywhere(issued, scopes.get(key));
        assertThat(ours).as("event of %s, round %d", scope, round).isEqualTo(recorded.get(key));
      }
    }
    assertThat(scopes)
        .containsEntry(".:config/clients XXXXX", ".:config/clients")
        .containsEntry(".:**", ".:**")
        .containsEntry("null", null)
        .containsEntry("*:config/**", null);
    assertThat(recorded.get(".:config/clients XXXXX"))
        .containsEntry("granted_scopes", ".:config/clients")
        .containsEntry("dropped_scopes", "XXXXX")
        .containsEntry("dropped_count", "1");
    assertThat(recorded.get("*:config/**"))
        .containsEntry("granted_count", "0")
        .containsEntry("dropped_scopes", "*:config/**");
  }
}
