package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Managed clients only (docs/contract.md §4): Keycloak's built-in clients are never visible to the
 * API, not in the list and 404 by their internal ids, whatever the token may do. Writes are sent
 * with a stale {@code If-Match}, so that a wrong answer cannot change a built-in client.
 */
class ConfigApiBuiltInClientsIT extends OnSharedKeycloak {

  static List<String> builtIns() {
    return Fixtures.BUILT_IN_CLIENTS;
  }

  private static List<JsonNode> allClients(String token) {
    Reply reply = api.get(token, "config/clients?first=0&max=1000");
    assertThat(reply).hasStatus(200);
    List<JsonNode> clients = new ArrayList<>();
    reply.json().get("clients").forEach(clients::add);
    assertThat(reply).hasJson("/total", clients.size());
    return clients;
  }

  @Test
  void theListHasNoBuiltInClientButTheHandedOverDemoClients() {
    List<String> internalIds = builtIns().stream().map(fixtures::internalId).toList();
    for (String token : List.of(fixtures.configReader(), fixtures.allPowerToken())) {
      List<JsonNode> clients = allClients(token);
      assertThat(clients)
          .extracting(c -> c.get("clientId").asText())
          .doesNotContainAnyElementsOf(builtIns())
          .contains("config-admin", "config-reader", "web-app");
      assertThat(clients)
          .extracting(c -> c.get("id").asText())
          .doesNotContainAnyElementsOf(internalIds);
    }
  }

  @Test
  void aClientCreatedInKeycloakIsManagedOnlyOnceHandedOver() {
    String clientId = Fixtures.unique("unmanaged");
    String uuid = fixtures.createClient(clientId, Fixtures.SECRET);
    String reader = fixtures.configReader();
    assertThat(allClients(reader))
        .extracting(c -> c.get("clientId").asText())
        .doesNotContain(clientId);
    assertThat(api.get(reader, "config/clients/" + uuid)).hasStatus(404);

    // bound to a policy, it is still not managed: a binding is not a hand-over
    String policy = fixtures.policy("managing", "openid");
    fixtures.bind(uuid, policy);
    assertThat(allClients(reader))
        .extracting(c -> c.get("clientId").asText())
        .doesNotContain(clientId);
    assertThat(api.get(reader, "config/clients/" + uuid)).hasStatus(404);

    // handed over (the client role config-api-managed), it is managed
    fixtures.handOver(uuid);
    assertThat(allClients(reader)).extracting(c -> c.get("clientId").asText()).contains(clientId);
    Reply managed = api.get(reader, "config/clients/" + uuid);
    assertThat(managed).hasStatus(200);
    assertThat(ConfigApi.strings(managed.json(), "tokenPolicies")).containsExactly(policy);

    // taken back (the role deleted), it is gone again
    fixtures.takeBack(uuid);
    assertThat(api.get(reader, "config/clients/" + uuid)).hasStatus(404);
  }

  @Test
  void theLegacyAttributeStillHandsAClientOver() {
    String clientId = Fixtures.unique("legacy");
    String uuid =
        fixtures.createConfidentialClient(clientId, "attributes", Map.of("pbs.managed", "true"));
    Reply managed = api.get(fixtures.configReader(), "config/clients/" + uuid);
    assertThat(managed).hasStatus(200);
  }

  @Test
  void aBuiltInClientStaysInvisibleEvenWithTheMarker() {
    String broker = fixtures.internalId("broker");
    fixtures.handOver(broker);
    try {
      Reply read = api.get(fixtures.allPowerToken(), "config/clients/" + broker);
      assertThat(read).hasStatus(404);
      assertThat(allClients(fixtures.configReader()))
          .extracting(c -> c.get("clientId").asText())
          .doesNotContain("broker");
    } finally {
      fixtures.takeBack(broker);
    }
  }

  @ParameterizedTest
  @MethodSource("builtIns")
  void aBuiltInClientIs404ByItsInternalId(String clientId) {
    String id = fixtures.internalId(clientId);
    String path = "config/clients/" + id;
    String all = fixtures.allPowerToken();
    String stale = "\"stale-built-in-etag\"";

    Reply read = api.get(fixtures.configReader(), path);
    assertThat(read).hasStatus(404);
    assertThat(read.body()).doesNotContain(clientId);
    assertThat(api.get(all, path)).hasStatus(404);

    Reply secret = api.get(all, path + "/secret");
    assertThat(secret).hasStatus(404);
    assertThat(secret.body()).doesNotContain("\"secret\"");
    assertThat(api.send("POST", path + "/secret", all, null, "If-Match", stale)).hasStatus(404);

    Reply put =
        api.send(
            "PUT",
            path,
            all,
            ConfigApi.clientBody(clientId).put("name", "hijacked"),
            "If-Match",
            stale);
    assertThat(put).hasStatus(404);
    assertThat(api.send("DELETE", path, all, null, "If-Match", stale)).hasStatus(404);

    assertThat(fixtures.keycloakHasClient(clientId)).isTrue();
  }

  @ParameterizedTest
  @MethodSource("builtIns")
  void aBuiltInClientCannotBeTakenOverByCreatingItsClientId(String clientId) {
    Reply created =
        api.post(fixtures.allPowerToken(), "config/clients", ConfigApi.clientBody(clientId));
    assertThat(created).hasStatus(409).hasJson("/error_description", "clientId is not available");
    assertThat(created.body()).doesNotContain("\"secret\"");
  }
}
