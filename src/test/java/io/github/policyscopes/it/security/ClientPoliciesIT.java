package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a client written through the config API may become (I9, I12, I13): exactly the policies the
 * body names, nothing a realm default adds; the realm's client policies apply as they do to the
 * admin REST API; config power only for confidential clients. After every refusal the client (or
 * its absence) is checked through Keycloak's admin REST API.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class ClientPoliciesIT extends OnSharedKeycloak {

  private static final String CLIENTS = "config/clients";

  private static String realmPath(String rest) {
    return "realms/" + TestClient.REALM + "/" + rest;
  }

  private static Reply admin(String method, String path, Object body) {
    return http.admin(method, realmPath(path), body);
  }

  private static List<String> scopeNames(String clientUuid, String kind) {
    Reply reply = admin("GET", "clients/" + clientUuid + "/" + kind, null);
    assertThat(reply).hasStatus(200);
    List<String> ids = new ArrayList<>();
    reply.json().forEach(s -> ids.add(s.get("id").asText()));
    return ids;
  }

  // ---- 13.1 (I9): no implicit bindings ----

  @Test
  void aRealmDefaultPolicyNeverReachesAClientCreatedThroughTheApi() {
    String policy = fixtures.policy("sec-default", "openid", "*:**");
    String optional = fixtures.policy("sec-optional", "*:config/**");
    assertThat(admin("PUT", "default-default-client-scopes/" + policy, null)).hasStatus(204);
    assertThat(admin("PUT", "default-optional-client-scopes/" + optional, null)).hasStatus(204);
    try {
      // a token that may create clients, naming no policy
      String token = fixtures.configAdmin("*:config/clients/** .:config/tokenPolicies/**");
      String clientId = Fixtures.unique("sec-implicit");
      ObjectNode body = ConfigApi.clientBody(clientId);
      body.putArray("tokenPolicies");
      Reply created = api.post(token, CLIENTS, body);
      assertThat(created).hasStatus(201);
      assertThat(created.json().get("tokenPolicies")).isEmpty();
      String uuid = created.json().get("id").asText();
      assertThat(scopeNames(uuid, "default-client-scopes")).doesNotContain(policy, optional);
      assertThat(scopeNames(uuid, "optional-client-scopes")).doesNotContain(policy, optional);

      // its token holds no config scope, even when asked for
      String secret = created.json().get("secret").asText();
      Reply issued = http.clientCredentials(clientId, secret, "*:** *:config/**");
      assertThat(issued).hasStatusIn(200, 400);
      if (issued.status() == 200) {
        assertThat(issued.json().path("scope").asText()).doesNotContain(":");
      }
      Reply plain = http.clientCredentials(clientId, secret, null);
      assertThat(plain).hasStatus(200);
      assertThat(plain.json().path("scope").asText()).doesNotContain(":");

      // an update naming no policy does not add them either
      String all = fixtures.allPowerToken();
      Reply updated =
          api.put(all, CLIENTS + "/" + uuid, ConfigApi.clientBody(clientId).put("name", "x"));
      assertThat(updated).hasStatus(200);
      assertThat(updated.json().get("tokenPolicies")).isEmpty();

      // a policy the body names is bound, as a default scope
      String named = fixtures.policy("sec-named", "openid");
      Reply bound = api.put(all, CLIENTS + "/" + uuid, ConfigApi.clientBody(clientId, named));
      assertThat(ConfigApi.strings(bound.json(), "tokenPolicies")).containsExactly(named);
      assertThat(scopeNames(uuid, "default-client-scopes")).contains(named).doesNotContain(policy);
    } finally {
      admin("DELETE", "default-default-client-scopes/" + policy, null);
      admin("DELETE", "default-optional-client-scopes/" + optional, null);
    }
  }

  // ---- 13.4 (I12): the realm's client policies apply ----

  private static void clientPolicies(String executor, Map<String, Object> configuration) {
    String name = "pbs-it-" + executor;
    Reply profiles =
        admin(
            "PUT",
            "client-policies/profiles",
            Map.of(
                "profiles",
                List.of(
                    Map.of(
                        "name",
                        name,
                        "description",
                        "config API test",
                        "executors",
                        List.of(Map.of("executor", executor, "configuration", configuration))))));
    assertThat(profiles).hasStatus(204);
    Reply policies =
        admin(
            "PUT",
            "client-policies/policies",
            Map.of(
                "policies",
                List.of(
                    Map.of(
                        "name",
                        name,
                        "enabled",
                        true,
                        "conditions",
                        List.of(Map.of("condition", "any-client", "configuration", Map.of())),
                        "profiles",
                        List.of(name)))));
    assertThat(policies).hasStatus(204);
  }

  private static void noClientPolicies() {
    admin("PUT", "client-policies/policies", Map.of("policies", List.of()));
    admin("PUT", "client-policies/profiles", Map.of("profiles", List.of()));
  }

  private static ObjectNode publicClient(String clientId) {
    ObjectNode body = ConfigApi.JSON.createObjectNode();
    body.put("clientId", clientId).put("type", "public");
    body.putArray("grantTypes").add("authorization_code").add("password");
    body.putArray("redirectUris").add("http://localhost:3000/*");
    return body;
  }

  @Test
  void theRealmsClientPoliciesApplyToClientWrites() {
    String all = fixtures.allPowerToken();
    // a client created before the policy, to be updated under it
    String existingId = Fixtures.unique("sec-cp-existing");
    String existing = api.createClient(all, existingId).get("id").asText();
    clientPolicies("pkce-enforcer", Map.of("auto-configure", "false"));
    try {
      // the admin REST API refuses a client without PKCE…
      String adminId = Fixtures.unique("sec-cp-admin");
      Reply byAdmin =
          admin(
              "POST",
              "clients",
              Map.of(
                  "clientId",
                  adminId,
                  "publicClient",
                  true,
                  "redirectUris",
                  List.of("http://localhost:3000/*")));
      assertThat(byAdmin).hasStatus(400);

      // …and so does the config API, with the same error
      String apiId = Fixtures.unique("sec-cp-api");
      Reply byApi = api.post(all, CLIENTS, publicClient(apiId));
      assertThat(byApi).hasStatus(400);
      assertThat(byApi.json().path("error").asText())
          .isEqualTo(byAdmin.json().path("error").asText())
          .isEqualTo("invalid_client_metadata");
      assertThat(byApi)
          .hasJson("/error_description", byAdmin.json().path("error_description").asText());
      assertThat(fixtures.keycloakHasClient(apiId)).isFalse();
      assertThat(fixtures.keycloakHasClient(adminId)).isFalse();

      // an update is refused too, and changes nothing
      JsonNode before = fixtures.keycloakClient(existing);
      Reply update =
          api.put(all, CLIENTS + "/" + existing, ConfigApi.clientBody(existingId).put("name", "x"));
      assertThat(update).hasStatus(400).hasError("invalid_client_metadata");
      JsonNode after = fixtures.keycloakClient(existing);
      assertThat(after.path("name")).isEqualTo(before.path("name"));
      assertThat(after.path("attributes")).isEqualTo(before.path("attributes"));

      // an executor that configures the client: what it sets is what is created
      noClientPolicies();
      clientPolicies("full-scope-disabled", Map.of("auto-configure", "true"));
      String configured = Fixtures.unique("sec-cp-configured");
      Reply created = api.post(all, CLIENTS, ConfigApi.clientBody(configured));
      assertThat(created).hasStatus(201);
      assertThat(
              fixtures
                  .keycloakClient(created.json().get("id").asText())
                  .path("fullScopeAllowed")
                  .asBoolean())
          .isFalse();
    } finally {
      noClientPolicies();
    }
  }

  // ---- 13.5 (I13): config power is for confidential clients ----

  @Test
  void configPowerIsOnlyForConfidentialClients() {
    String all = fixtures.allPowerToken();
    String config =
        api.createPolicy(all, Fixtures.unique("Sec config"), ".:config/clients/**")
            .get("id")
            .asText();
    String plain = api.createPolicy(all, Fixtures.unique("Sec plain"), "openid").get("id").asText();

    // a public client bound to a config policy: refused, nothing created
    String publicId = Fixtures.unique("sec-public");
    ObjectNode body = publicClient(publicId);
    body.putArray("tokenPolicies").add(plain).add(config);
    Reply refused = api.post(all, CLIENTS, body);
    assertThat(refused).hasStatus(400).hasJson("/field", "tokenPolicies[1]");
    assertThat(fixtures.keycloakHasClient(publicId)).isFalse();

    // with plain scopes only, a public client may be bound
    ObjectNode plainBody = publicClient(publicId);
    plainBody.putArray("tokenPolicies").add(plain);
    Reply ok = api.post(all, CLIENTS, plainBody);
    assertThat(ok).hasStatus(201);
    String publicUuid = ok.json().get("id").asText();

    // …but not bound to a config policy later
    ObjectNode rebind = publicClient(publicId);
    rebind.putArray("tokenPolicies").add(config);
    Reply rebound = api.put(all, CLIENTS + "/" + publicUuid, rebind);
    assertThat(rebound).hasStatus(400).hasJson("/field", "tokenPolicies[0]");
    assertThat(scopeNames(publicUuid, "default-client-scopes")).doesNotContain(config);

    // a confidential client bound to a config policy cannot be turned public
    String confidentialId = Fixtures.unique("sec-confidential");
    String uuid = api.createClient(all, confidentialId, config).get("id").asText();
    JsonNode before = fixtures.keycloakClient(uuid);
    ObjectNode turned = ConfigApi.clientBody(confidentialId, config).put("type", "public");
    turned.putArray("grantTypes").add("password");
    Reply turnedPublic = api.put(all, CLIENTS + "/" + uuid, turned);
    assertThat(turnedPublic).hasStatus(400).hasJson("/field", "type");
    JsonNode after = fixtures.keycloakClient(uuid);
    assertThat(after.path("publicClient").asBoolean()).isFalse();
    assertThat(after.path("directAccessGrantsEnabled"))
        .isEqualTo(before.path("directAccessGrantsEnabled"));
    assertThat(fixtures.keycloakSecret(uuid)).isNotBlank();

    // the user demo cannot mint config power through it: no password grant was added
    Reply password = http.password(confidentialId, null, "demo", "demo", ".:config/clients/**");
    assertThat(password).doesNotHaveStatus(200);
  }
}
