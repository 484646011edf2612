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
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who the config API may act on (docs/contract.md §4, I3, I15): only clients handed over to it,
 * never one with Keycloak power; a clientId it will not create says nothing about the clients it
 * does not manage; a reference to a policy the caller cannot read is an unknown one; secret
 * rotation obeys If-Match. After every refusal the client is re-read through Keycloak's admin REST
 * API: nothing changed.
 */
class ManagedClientsSecurityIT extends OnSharedKeycloak {

  private static final String CLIENTS = "config/clients";

  private static ExecutorService pool;

  @BeforeAll
  static void setUp() {
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void tearDown() {
    pool.shutdownNow();
  }

  private static String realmPath(String rest) {
    return "realms/" + TestClient.REALM + "/" + rest;
  }

  private static JsonNode admin(String method, String path, Object body, int expected) {
    Reply reply = http.admin(method, realmPath(path), body);
    assertThat(reply).as(method + " " + path).hasStatus(expected);
    return reply.body() == null || reply.body().isBlank() ? null : reply.json();
  }

  private static String locationId(Reply created) {
    return created.createdId();
  }

  /** Every write the API offers on a client, with the all-power token; returns the replies. */
  private static List<Reply> tryEveryWrite(String uuid, String clientId) {
    String all = fixtures.allPowerToken();
    String path = CLIENTS + "/" + uuid;
    ObjectNode hijack = ConfigApi.clientBody(clientId).put("name", "hijacked");
    hijack.putArray("grantTypes").add("client_credentials").add("authorization_code");
    hijack.putArray("redirectUris").add("https://attacker.example/*");
    List<Reply> replies = new ArrayList<>();
    replies.add(api.get(all, path + "/secret"));
    replies.add(api.post(all, path + "/secret", null));
    replies.add(api.put(all, path, hijack));
    replies.add(api.delete(all, path));
    return replies;
  }

  private static void assertUnchanged(String uuid, JsonNode before, String secretBefore) {
    JsonNode after = fixtures.keycloakClient(uuid);
    assertThat(after.path("name").asText()).isEqualTo(before.path("name").asText());
    assertThat(after.path("redirectUris")).isEqualTo(before.path("redirectUris"));
    assertThat(after.path("standardFlowEnabled")).isEqualTo(before.path("standardFlowEnabled"));
    assertThat(after.path("enabled")).isEqualTo(before.path("enabled"));
    assertThat(fixtures.keycloakSecret(uuid)).isEqualTo(secretBefore);
  }

  // ---- 8.3: binding does not hand over ----

  @Test
  void bindingAPolicyDoesNotHandAClientOver() {
    Fixtures.Bound bound = fixtures.boundClient("sec-bound", List.of("openid", "*:**"));
    JsonNode before = fixtures.keycloakClient(bound.uuid());
    String secret = fixtures.keycloakSecret(bound.uuid());

    Reply read = api.get(fixtures.allPowerToken(), CLIENTS + "/" + bound.uuid());
    assertThat(read).hasStatus(404);
    for (Reply reply : tryEveryWrite(bound.uuid(), bound.clientId())) {
      assertThat(reply).hasStatus(404);
      assertThat(reply.body()).doesNotContain(secret);
    }
    assertUnchanged(bound.uuid(), before, secret);
    assertThat(fixtures.keycloakHasClient(bound.clientId())).isTrue();

    // the demo realm hands over its three clients
    Reply list = api.get(fixtures.configReader(), CLIENTS + "?max=1000");
    List<String> clientIds = new ArrayList<>();
    list.json().get("clients").forEach(c -> clientIds.add(c.get("clientId").asText()));
    assertThat(clientIds)
        .contains("config-admin", "config-reader", "web-app")
        .doesNotContain(bound.clientId());
  }

  // ---- 8.3: a config token never yields Keycloak power ----

  @Test
  void aHandedOverClientWithKeycloakPowerIsRefused() {
    // a service-account role beyond the default roles, held directly
    Fixtures.Bound direct = fixtures.boundClient("sec-admin-role", List.of("openid"));
    fixtures.handOver(direct.uuid());
    String realmManagement = fixtures.internalId("realm-management");
    JsonNode viewUsers =
        admin("GET", "clients/" + realmManagement + "/roles/view-users", null, 200);
    String account =
        admin("GET", "clients/" + direct.uuid() + "/service-account-user", null, 200)
            .get("id")
            .asText();
    admin(
        "POST",
        "users/" + account + "/role-mappings/clients/" + realmManagement,
        List.of(viewUsers),
        204);
    assertRefusedAsPrivileged(direct.uuid(), direct.clientId());

    // the same power held deep: a composite realm role, through a group
    Fixtures.Bound deep = fixtures.boundClient("sec-deep-role", List.of("openid"));
    fixtures.handOver(deep.uuid());
    String roleName = Fixtures.unique("pbs-composite");
    admin("POST", "roles", Map.of("name", roleName), 201);
    JsonNode composite = admin("GET", "roles/" + roleName, null, 200);
    admin(
        "POST",
        "roles-by-id/" + composite.get("id").asText() + "/composites",
        List.of(viewUsers),
        204);
    Reply group =
        http.admin("POST", realmPath("groups"), Map.of("name", Fixtures.unique("pbs-admins")));
    assertThat(group).hasStatus(201);
    String groupId = locationId(group);
    admin("POST", "groups/" + groupId + "/role-mappings/realm", List.of(composite), 204);
    String deepAccount =
        admin("GET", "clients/" + deep.uuid() + "/service-account-user", null, 200)
            .get("id")
            .asText();
    admin("PUT", "users/" + deepAccount + "/groups/" + groupId, null, 204);
    assertRefusedAsPrivileged(deep.uuid(), deep.clientId());

    // a client with no power beyond the default roles is served
    Fixtures.Bound plain = fixtures.boundClient("sec-plain", List.of("openid"));
    fixtures.handOver(plain.uuid());
    Reply secret = api.get(fixtures.allPowerToken(), CLIENTS + "/" + plain.uuid() + "/secret");
    assertThat(secret).hasStatus(200);
  }

  private static void assertRefusedAsPrivileged(String uuid, String clientId) {
    JsonNode before = fixtures.keycloakClient(uuid);
    String secret = fixtures.keycloakSecret(uuid);
    // reading is fine: the view holds no secret
    assertThat(api.get(fixtures.allPowerToken(), CLIENTS + "/" + uuid)).hasStatus(200);
    for (Reply reply : tryEveryWrite(uuid, clientId)) {
      assertThat(reply).hasStatus(403).hasError("privileged_client");
      assertThat(reply.json().path("error_description").asText()).contains("Keycloak power");
      assertThat(reply.body()).doesNotContain(secret);
    }
    assertUnchanged(uuid, before, secret);
    assertThat(fixtures.keycloakHasClient(clientId)).isTrue();
  }

  @Test
  void aClientNamedByFineGrainedAdminPermissionsIsRefused() {
    // a realm of its own with admin permissions (v2) on, so the demo realm is left as it is
    String realm = Fixtures.unique("pbs-fgap");
    Reply createdRealm =
        http.admin(
            "POST",
            "realms",
            Map.of("realm", realm, "enabled", true, "adminPermissionsEnabled", true));
    assertThat(createdRealm).hasStatus(201);
    try {
      Fixtures operator = new Fixtures(http, realm);
      String policy = operator.createPolicy("all-power", List.of("*:**"), null, null);
      String callerUuid = operator.createClient("caller", Fixtures.SECRET);
      operator.bind(callerUuid, policy);
      String target = operator.createClient("target", Fixtures.SECRET);
      Reply handOver =
          http.admin(
              "POST",
              "realms/" + realm + "/clients/" + target + "/roles",
              Map.of("name", Fixtures.HAND_OVER_ROLE));
      assertThat(handOver).hasStatus(201);
      Reply issued = http.clientCredentials(realm, "caller", Fixtures.SECRET, "*:**");
      assertThat(issued).hasStatus(200);
      String token = issued.json().get("access_token").asText();
      String secretUrl = http.realmUrl(realm) + "/config/clients/" + target + "/secret";

      // before: the secret is served
      assertThat(secretRequest(secretUrl, token, "GET")).hasStatus(200);

      // an admin permission policy names the client: from now on it holds Keycloak power
      Reply permissions =
          http.admin("GET", "realms/" + realm + "/clients?clientId=admin-permissions", null);
      assertThat(permissions).hasStatus(200);
      String server = permissions.json().get(0).get("id").asText();
      Reply named =
          http.admin(
              "POST",
              "realms/" + realm + "/clients/" + server + "/authz/resource-server/policy/client",
              Map.of("name", "target acts as admin", "clients", List.of(target)));
      assertThat(named).hasStatus(201);

      for (String method : List.of("GET", "POST")) {
        Reply refused = secretRequest(secretUrl, token, method);
        assertThat(refused).as(method).hasStatus(403).hasError("privileged_client");
        assertThat(refused.body()).doesNotContain(Fixtures.SECRET);
      }
      Reply secret =
          http.admin("GET", "realms/" + realm + "/clients/" + target + "/client-secret", null);
      assertThat(secret).hasJson("/value", Fixtures.SECRET);
    } finally {
      http.admin("DELETE", "realms/" + realm, null);
    }
  }

  private static Reply secretRequest(String url, String token, String method) {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("Authorization", "Bearer " + token)
            .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()));
  }

  // ---- 8.8, 13.7: a clientId the API will not create says nothing more ----

  @Test
  void everyRefusedClientIdGetsTheSameAnswer() {
    String all = fixtures.allPowerToken();
    String unmanaged = Fixtures.unique("sec-unmanaged");
    fixtures.createClient(unmanaged, Fixtures.SECRET);
    List<String> refused =
        List.of(
            unmanaged, // exists, not managed
            "config-reader", // exists, managed
            "admin-permissions", // reserved, absent
            "realm-management", // built in
            "account-console",
            "master-realm",
            Fixtures.unique("sec") + "-realm");
    JsonNode first = null;
    for (String clientId : refused) {
      Reply reply = api.post(all, CLIENTS, ConfigApi.clientBody(clientId));
      assertThat(reply).as(clientId).hasStatus(409);
      assertThat(reply.body()).doesNotContain(clientId).doesNotContain("secret");
      if (first == null) {
        first = reply.json();
        assertThat(first.path("error").asText()).isEqualTo("conflict");
        assertThat(first.path("field").asText()).isEqualTo("clientId");
      } else {
        assertThat(reply.json()).as(clientId).isEqualTo(first);
      }
    }
    assertThat(fixtures.keycloakHasClient("admin-permissions")).isFalse();
    assertThat(fixtures.keycloakHasClient(refused.get(refused.size() - 1))).isFalse();
    assertThat(fixtures.keycloakSecret(fixtures.internalId(unmanaged)))
        .as("the unmanaged client is untouched")
        .isEqualTo(Fixtures.SECRET);
  }

  // ---- 13.7, I15: an unreadable policy is an unknown policy ----

  @Test
  void aPolicyTheCallerCannotReadIsAnUnknownPolicy() {
    String hidden = fixtures.policy("sec-hidden", "openid");
    Fixtures.Bound caller =
        fixtures.boundClient("sec-denied", List.of("*:**", "-:config/tokenPolicies/" + hidden));
    String token = caller.token("*:** -:config/tokenPolicies/" + hidden);
    String unknown = "00000000-0000-0000-0000-000000000000";

    String hiddenId = Fixtures.unique("sec-hid");
    Reply denied = api.post(token, CLIENTS, ConfigApi.clientBody(hiddenId, hidden));
    String unknownId = Fixtures.unique("sec-unk");
    Reply missing = api.post(token, CLIENTS, ConfigApi.clientBody(unknownId, unknown));

    assertThat(denied).hasStatus(400);
    assertThat(missing).hasStatus(400);
    assertThat(denied.body().replace(hidden, "{id}"))
        .isEqualTo(missing.body().replace(unknown, "{id}"));
    assertThat(denied.body()).doesNotContain("exceeding").doesNotContain("openid");
    assertThat(fixtures.keycloakHasClient(hiddenId)).isFalse();
    assertThat(fixtures.keycloakHasClient(unknownId)).isFalse();

    // a readable policy the caller does not cover stays a 403 naming what exceeds
    String strong = fixtures.policy("sec-strong", "*:config/**");
    String limited = fixtures.configAdmin("*:config/clients/** .:config/tokenPolicies/**");
    String strongId = Fixtures.unique("sec-strong");
    Reply exceeding = api.post(limited, CLIENTS, ConfigApi.clientBody(strongId, strong));
    assertThat(exceeding).hasStatus(403);
    assertThat(ConfigApi.strings(exceeding.json(), "exceeding")).isNotEmpty();
    assertThat(fixtures.keycloakHasClient(strongId)).isFalse();
  }

  // ---- 13.7: secret rotation honours If-Match ----

  @Test
  void secretRotationHonoursIfMatch() throws Exception {
    String all = fixtures.allPowerToken();
    String clientId = Fixtures.unique("sec-rotate");
    String uuid = api.createClient(all, clientId).get("id").asText();
    String path = CLIENTS + "/" + uuid + "/secret";

    Reply read = api.get(all, path);
    assertThat(read).hasStatus(200);
    String etag = read.header("ETag");
    assertThat(etag).startsWith("\"").endsWith("\"");
    assertThat(etag).doesNotContain(read.json().get("secret").asText());
    assertThat(api.get(all, path).header("ETag")).isEqualTo(etag);
    String secret = fixtures.keycloakSecret(uuid);

    Reply stale = api.send("POST", path, all, null, "If-Match", "\"not-the-secret\"");
    assertThat(stale).hasStatus(412);
    assertThat(fixtures.keycloakSecret(uuid)).as("nothing rotated").isEqualTo(secret);

    // two concurrent rotations with the same If-Match: exactly one wins
    Callable<Reply> rotate = () -> api.send("POST", path, all, null, "If-Match", etag);
    Future<Reply> a = pool.submit(rotate);
    Future<Reply> b = pool.submit(rotate);
    List<Reply> replies = List.of(a.get(), b.get());
    assertThat(replies).extracting(Reply::status).containsExactlyInAnyOrder(200, 412);
    Reply winner = replies.stream().filter(r -> r.status() == 200).findFirst().orElseThrow();
    String newSecret = winner.json().get("secret").asText();
    assertThat(newSecret).isNotEqualTo(secret);
    assertThat(fixtures.keycloakSecret(uuid)).isEqualTo(newSecret);
    assertThat(winner.header("ETag"))
        .isNotEqualTo(etag)
        .isEqualTo(api.get(all, path).header("ETag"));
    assertThat(http.clientCredentials(clientId, newSecret, null)).hasStatus(200);

    // the new ETag allows the next rotation; no If-Match is no condition
    Reply next = api.send("POST", path, all, null, "If-Match", winner.header("ETag"));
    assertThat(next).hasStatus(200);
    assertThat(api.post(all, path, null)).hasStatus(200);
  }
}
