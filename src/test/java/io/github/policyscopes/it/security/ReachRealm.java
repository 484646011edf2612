package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * A realm of its own for the tests of a client's reach (docs/contract.md I16): its fixtures, a
 * config token that may do anything there ({@code *:**}), Keycloak's {@code view-users} role, and
 * the calls those tests make: clients handed over to the config API, users, tokens through a
 * client, the admin REST API and the config API's secret read.
 */
record ReachRealm(
    TestClient http, String name, Fixtures fixtures, String callerToken, JsonNode viewUsers) {

  static ReachRealm create(TestClient http, String prefix, boolean adminPermissions) {
    String name =
        Fixtures.createRealm(http, prefix, Map.of("adminPermissionsEnabled", adminPermissions));
    Fixtures fixtures = new Fixtures(http, name);
    String policy = fixtures.createPolicy("all-power", List.of("openid", "*:**"), null, null);
    String caller = fixtures.createClient("caller", Fixtures.SECRET);
    fixtures.bind(caller, policy);
    Reply issued = http.clientCredentials(name, "caller", Fixtures.SECRET, "*:**");
    assertThat(issued).hasStatus(200);
    String realmManagement = fixtures.internalId("realm-management");
    Reply role =
        http.admin(
            "GET", "realms/" + name + "/clients/" + realmManagement + "/roles/view-users", null);
    assertThat(role).hasStatus(200);
    return new ReachRealm(
        http, name, fixtures, issued.json().get("access_token").asText(), role.json());
  }

  JsonNode admin(String method, String path, Object body, int expected) {
    Reply reply = http.admin(method, "realms/" + name + "/" + path, body);
    assertThat(reply).as(method + " " + path).hasStatus(expected);
    return reply.body() == null || reply.body().isBlank() ? null : reply.json();
  }

  /** Gives the user realm-management's view-users role. */
  void grantViewUsers(String userId) {
    admin(
        "POST",
        "users/" + userId + "/role-mappings/clients/" + viewUsers.get("containerId").asText(),
        List.of(viewUsers),
        204);
  }

  /** A confidential client handed over to the config API, from these representation fields. */
  String managedClient(String prefix, Map<String, Object> fields) {
    Map<String, Object> rep =
        Fixtures.confidentialClient(
            Fixtures.unique(prefix),
            Fixtures.SECRET,
            "serviceAccountsEnabled",
            true,
            "standardFlowEnabled",
            false,
            "directAccessGrantsEnabled",
            false,
            "fullScopeAllowed",
            false);
    rep.putAll(fields);
    String uuid = fixtures.createClientRepresentation(rep);
    fixtures.handOver(uuid);
    return uuid;
  }

  String clientId(String uuid) {
    return fixtures.keycloakClient(uuid).get("clientId").asText();
  }

  /** A user with a password; returns its id. */
  String user(String username) {
    return fixtures.createUser(
        Fixtures.user(username, username, username + "@example.org", "A", "User"));
  }

  /** The user's token through the client (password grant, scope {@code openid}). */
  String passwordToken(String uuid, String username) {
    return passwordToken(uuid, username, "openid");
  }

  /** The user's token through the client (password grant; the password is the username). */
  String passwordToken(String uuid, String username, String scope) {
    Reply issued =
        http.token(
            name,
            TestClient.form(
                "grant_type",
                "password",
                "client_id",
                clientId(uuid),
                "client_secret",
                Fixtures.SECRET,
                "username",
                username,
                "password",
                username,
                "scope",
                scope));
    assertThat(issued).hasStatus(200);
    return issued.json().get("access_token").asText();
  }

  /** The service account's token of the client. */
  String serviceToken(String uuid) {
    Reply issued =
        http.token(
            name,
            TestClient.form(
                "grant_type",
                "client_credentials",
                "client_id",
                clientId(uuid),
                "client_secret",
                Fixtures.SECRET));
    assertThat(issued).hasStatus(200);
    return issued.json().get("access_token").asText();
  }

  Reply listUsers(String token) {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(http.baseUrl() + "/admin/realms/" + name + "/users?max=1"))
            .header("Authorization", "Bearer " + token)
            .GET());
  }

  Reply secret(String uuid) {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(http.realmUrl(name) + "/config/clients/" + uuid + "/secret"))
            .header("Authorization", "Bearer " + callerToken)
            .GET());
  }

  /** A client scope (in the token's {@code scope}) whose role scope mapping holds {@code role}. */
  String clientScopeMapping(String prefix, JsonNode role) {
    String scopeId =
        fixtures.createClientScope(
            Map.of(
                "name",
                Fixtures.unique(prefix),
                "protocol",
                "openid-connect",
                "attributes",
                Map.of("include.in.token.scope", "true")));
    admin(
        "POST",
        "client-scopes/" + scopeId + "/scope-mappings/clients/" + role.get("containerId").asText(),
        List.of(role),
        204);
    return scopeId;
  }

  /** Deletes the realm. */
  void delete() {
    http.admin("DELETE", "realms/" + name, null);
  }

  void assertPrivileged(String uuid) {
    Reply refused = secret(uuid);
    assertThat(refused).as("config API secret read").hasStatus(403).hasError("privileged_client");
    assertThat(refused.body()).doesNotContain(Fixtures.SECRET);
  }

  /** The fine-grained admin permissions (v2) resource server: {@code admin-permissions}. */
  String permissionsServer() {
    return fixtures.internalId("admin-permissions");
  }

  /** An admin permission (v2) to view every user, decided by the policy. */
  void viewUsersPermission(String policyId, String permissionName) {
    admin(
        "POST",
        "clients/" + permissionsServer() + "/authz/resource-server/permission/scope",
        Map.of(
            "name",
            permissionName,
            "resourceType",
            "Users",
            "scopes",
            List.of("view"),
            "policies",
            List.of(policyId)),
        201);
  }
}
