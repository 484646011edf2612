package io.github.policyscopes.it;

import static io.github.policyscopes.it.Issued.assertSameScopeEverywhere;
import static io.github.policyscopes.it.Issued.issue;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reject mode, lifetime, several policies, and policies edited in the admin console. */
class PolicyOptionsIT extends OnSharedKeycloak {

  private static final String SECRET = Fixtures.SECRET;

  @Test
  void rejectModeFailsTheRequestNamingTheDroppedScopes(TestClient client) {
    String clientId =
        new Fixtures(client)
            .boundClient("strict", List.of(".:config/**"), null, "reject")
            .clientId();

    Reply rejected =
        client.clientCredentials(clientId, SECRET, ".:config/clients *:config/clients XXXXX");

    assertThat(rejected).hasStatus(400).hasError("invalid_scope");
    assertThat(rejected.json().get("error_description").asText())
        .contains("*:config/clients")
        .contains("XXXXX")
        .doesNotContain(".:config/clients ");
    assertSameScopeEverywhere(
        issue(client, clientId, SECRET, ".:config/clients"), ".:config/clients");
    // Keycloak's own default scopes (profile, email) are filtered, never a reason to reject
    assertSameScopeEverywhere(issue(client, clientId, SECRET, null), null);
  }

  @Test
  void accessTokenLifetimeSetsExpAndExpiresIn(TestClient client) {
    String clientId =
        new Fixtures(client).boundClient("short", List.of(".:**"), 120, null).clientId();

    Issued issued = issue(client, clientId, SECRET, ".:**");

    JsonNode claims = issued.claims();
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(120);
    assertThat(issued.response().json().get("expires_in").asLong()).isBetween(115L, 120L);
  }

  @Test
  void severalPoliciesUniteTheirAllowedListsAndAllTheirDeniesStick(TestClient client) {
    Fixtures admin = new Fixtures(client);
    String reader = admin.policy("a", ".:config/**");
    String writer = admin.policy("b", "*:config/clients/**", "-:config/clients/locked");
    String clientId = admin.clientBoundTo("two-policies", reader, writer).clientId();

    assertSameScopeEverywhere(
        issue(client, clientId, SECRET, ".:config/tokenPolicies *:config/clients/x *:config/x"),
        ".:config/tokenPolicies *:config/clients/x -:config/clients/locked");
  }

  @Test
  void anEditInTheConsoleAppliesToTheNextTokenAndUnbindingRestoresStockBehaviour(
      TestClient client) {
    Fixtures admin = new Fixtures(client);
    Fixtures.Bound bound = admin.boundClient("edited", List.of(".:**"));
    String clientId = bound.clientId();
    assertSameScopeEverywhere(issue(client, clientId, SECRET, ".:config/x"), ".:config/x");

    Reply edit = admin.editPolicy(bound.policyId(), List.of(".:config/y"), null, null);
    assertThat(edit).hasStatus(204);
    assertSameScopeEverywhere(
        issue(client, clientId, SECRET, ".:config/x .:config/y"), ".:config/y");

    admin.unbind(bound.uuid(), bound.policyId());
    Reply stock = client.clientCredentials(clientId, SECRET, ".:config/y");
    assertThat(stock).hasStatus(400).hasJson("/error_description", "Invalid scopes: .:config/y");
  }

  @Test
  void aMalformedEntryIsRefusedByTheConsoleWithAClearMessage(TestClient client) {
    Fixtures admin = new Fixtures(client);
    String policy = admin.policy("valid", ".:**");

    Reply refused = admin.editPolicy(policy, List.of(".:**", "*:a//b"), null, null);

    assertThat(refused).hasStatus(400);
    assertThat(refused.body()).contains("Allowed scopes, entry 2").contains("*:a//b");
    Reply badLifetime = admin.editPolicy(policy, List.of(".:**"), 5, null);
    assertThat(badLifetime).hasStatus(400);
    assertThat(badLifetime.body()).contains("accessTokenLifetime");
  }
}
