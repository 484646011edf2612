package io.github.policyscopes.it;

import static io.github.policyscopes.it.Fixtures.STICKY_DENY;
import static io.github.policyscopes.it.Issued.assertSameScopeEverywhere;
import static io.github.policyscopes.it.Issued.issue;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/** Policies travel with a realm export and work again after import. */
class RealmRoundTripIT extends OnSharedKeycloak {

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
    String copy = Fixtures.unique("demo-copy");
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

      Issued issued =
          issue(
              client, copy, "config-admin", "config-admin-secret", "*:config/tokenPolicies XXXXX");
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
