package io.github.policyscopes.it;

import static io.github.policyscopes.it.DemoIssuanceIT.assertSameScopeEverywhere;
import static io.github.policyscopes.it.DemoIssuanceIT.issue;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reject mode, lifetime, several policies, and policies edited in the admin console. */
@ExtendWith(KeycloakServerExtension.class)
class PolicyOptionsIT {

  @Test
  void rejectModeFailsTheRequestNamingTheDroppedScopes(TestClient client) {
    RealmAdmin admin = new RealmAdmin(client, TestClient.REALM);
    String policy =
        admin.createPolicy(RealmAdmin.unique("strict"), List.of(".:config/**"), null, "reject");
    String clientId = RealmAdmin.unique("strict-client");
    admin.bind(admin.createClient(clientId, "s3cret"), policy);

    Reply rejected =
        client.clientCredentials(clientId, "s3cret", ".:config/clients *:config/clients XXXXX");

    assertThat(rejected).hasStatus(400).hasError("invalid_scope");
    assertThat(rejected.json().get("error_description").asText())
        .contains("*:config/clients")
        .contains("XXXXX")
        .doesNotContain(".:config/clients ");
    assertSameScopeEverywhere(
        issue(client, clientId, "s3cret", ".:config/clients"), ".:config/clients");
    // Keycloak's own default scopes (profile, email) are filtered, never a reason to reject
    assertSameScopeEverywhere(issue(client, clientId, "s3cret", null), null);
  }

  @Test
  void accessTokenLifetimeSetsExpAndExpiresIn(TestClient client) {
    RealmAdmin admin = new RealmAdmin(client, TestClient.REALM);
    String policy = admin.createPolicy(RealmAdmin.unique("short"), List.of(".:**"), 120, null);
    String clientId = RealmAdmin.unique("short-client");
    admin.bind(admin.createClient(clientId, "s3cret"), policy);

    DemoIssuanceIT.Issued issued = issue(client, clientId, "s3cret", ".:**");

    JsonNode claims = issued.claims();
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(120);
    assertThat(issued.response().json().get("expires_in").asLong()).isBetween(115L, 120L);
  }

  @Test
  void severalPoliciesUniteTheirAllowedListsAndAllTheirDeniesStick(TestClient client) {
    RealmAdmin admin = new RealmAdmin(client, TestClient.REALM);
    String reader = admin.createPolicy(RealmAdmin.unique("a"), List.of(".:config/**"), null, null);
    String writer =
        admin.createPolicy(
            RealmAdmin.unique("b"),
            List.of("*:config/clients/**", "-:config/clients/locked"),
            null,
            null);
    String clientId = RealmAdmin.unique("two-policies");
    String uuid = admin.createClient(clientId, "s3cret");
    admin.bind(uuid, reader);
    admin.bind(uuid, writer);

    assertSameScopeEverywhere(
        issue(client, clientId, "s3cret", ".:config/tokenPolicies *:config/clients/x *:config/x"),
        ".:config/tokenPolicies *:config/clients/x -:config/clients/locked");
  }

  @Test
  void anEditInTheConsoleAppliesToTheNextTokenAndUnbindingRestoresStockBehaviour(
      TestClient client) {
    RealmAdmin admin = new RealmAdmin(client, TestClient.REALM);
    String policy = admin.createPolicy(RealmAdmin.unique("edited"), List.of(".:**"), null, null);
    String clientId = RealmAdmin.unique("edited-client");
    String uuid = admin.createClient(clientId, "s3cret");
    admin.bind(uuid, policy);
    assertSameScopeEverywhere(issue(client, clientId, "s3cret", ".:config/x"), ".:config/x");

    Reply edit = admin.editPolicy(policy, List.of(".:config/y"), null, null);
    assertThat(edit).hasStatus(204);
    assertSameScopeEverywhere(
        issue(client, clientId, "s3cret", ".:config/x .:config/y"), ".:config/y");

    admin.unbind(uuid, policy);
    Reply stock = client.clientCredentials(clientId, "s3cret", ".:config/y");
    assertThat(stock).hasStatus(400);
    assertThat(stock.json().get("error_description").asText())
        .isEqualTo("Invalid scopes: .:config/y");
  }

  @Test
  void aMalformedEntryIsRefusedByTheConsoleWithAClearMessage(TestClient client) {
    RealmAdmin admin = new RealmAdmin(client, TestClient.REALM);
    String policy = admin.createPolicy(RealmAdmin.unique("valid"), List.of(".:**"), null, null);

    Reply refused = admin.editPolicy(policy, List.of(".:**", "*:a//b"), null, null);

    assertThat(refused).hasStatus(400);
    assertThat(refused.body()).contains("allowedScopes").contains("*:a//b");
    Reply badLifetime = admin.editPolicy(policy, List.of(".:**"), 5, null);
    assertThat(badLifetime).hasStatus(400);
    assertThat(badLifetime.body()).contains("accessTokenLifetime");
  }
}
