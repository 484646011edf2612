package io.github.policyscopes.it;

import static io.github.policyscopes.it.DemoIssuanceIT.STICKY_DENY;
import static io.github.policyscopes.it.DemoIssuanceIT.assertSameScopeEverywhere;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Policies travel with a realm export and work again after import. */
@ExtendWith(KeycloakServerExtension.class)
class RealmRoundTripIT {

  @Test
  void anExportedDemoRealmImportsWithItsPoliciesWorking(TestClient client) {
    Reply export =
        client.admin(
            "POST",
            "realms/demo/partial-export?exportClients=true&exportGroupsAndRoles=true",
            null);
    assertThat(export).hasStatus(200);
    JsonNode realm = export.json();
    withoutIds(realm);
    String copy = RealmAdmin.unique("demo-copy");
    ((ObjectNode) realm).put("realm", copy);

    Reply imported = client.admin("POST", "realms", realm);
    assertThat(imported).hasStatus(201);
    try {
      // a partial export masks client secrets: set the demo one again
      JsonNode configAdmin =
          client
              .admin("GET", "realms/" + copy + "/clients?clientId=config-admin", null)
              .json()
              .get(0);
      ((ObjectNode) configAdmin).put("secret", "config-admin-secret");
      String uuid = configAdmin.get("id").asText();
      assertThat(client.admin("PUT", "realms/" + copy + "/clients/" + uuid, configAdmin))
          .hasStatus(204);

      Reply token =
          client.token(
              copy,
              TestClient.form(
                  "grant_type", "client_credentials",
                  "client_id", "config-admin",
                  "client_secret", "config-admin-secret",
                  "scope", "*:config/tokenPolicies XXXXX"));
      String accessToken = token.json().get("access_token").asText();
      DemoIssuanceIT.Issued issued =
          new DemoIssuanceIT.Issued(
              token,
              TestClient.claims(accessToken),
              client.introspect(copy, "config-admin", "config-admin-secret", accessToken).json());
      assertSameScopeEverywhere(issued, "*:config/tokenPolicies " + STICKY_DENY);
    } finally {
      client.admin("DELETE", "realms/" + copy, null);
    }
  }

  private static void withoutIds(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("id");
      object.remove("containerId");
    }
    for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
      withoutIds(children.next());
    }
  }
}
