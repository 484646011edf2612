package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Findings of the outside review of the issue 20 release (docs/contract.md I16,
 * docs/adr/0022-a-clients-reach-is-derived.md): ways a token reached Keycloak's admin REST API
 * through a client the config API served. Each case first proves the power with a real token
 * against the admin REST API, then checks that the way is closed: the config API refuses the client
 * ({@code 403 privileged_client}) or the grant refuses the token. Each failed on the release the
 * review attacked, at its last assertion.
 *
 * <p>Two realms of their own: one plain, one with fine-grained admin permissions (v2) on.
 */
@ExtendWith(KeycloakServerExtension.class)
class ReviewFindingsIT {

  private static TestClient http;
  private static Realm plain;
  private static Realm fgap;

  /** A realm of the test: its fixtures, a config token that may do anything, view-users. */
  private record Realm(String name, Fixtures fixtures, String callerToken, JsonNode viewUsers) {

    static Realm create(String prefix, boolean adminPermissions) {
      String name = Fixtures.unique(prefix);
      Map<String, Object> rep = new HashMap<>();
      rep.put("realm", name);
      rep.put("enabled", true);
      if (adminPermissions) {
        rep.put("adminPermissionsEnabled", true);
      }
      assertThat(http.admin("POST", "realms", rep)).hasStatus(201);
      Fixtures fixtures = new Fixtures(http, name);
      String policy = fixtures.createPolicy("all-power", List.of("openid", "*:**"), null, null);
      String caller = fixtures.createClient("caller", Fixtures.SECRET);
      fixtures.bind(caller, policy);
      Reply issued =
          http.token(
              name,
              TestClient.form(
                  "grant_type", "client_credentials",
                  "client_id", "caller",
                  "client_secret", Fixtures.SECRET,
                  "scope", "*:**"));
      assertThat(issued).hasStatus(200);
      String realmManagement = fixtures.internalId("realm-management");
      Reply role =
          http.admin(
              "GET", "realms/" + name + "/clients/" + realmManagement + "/roles/view-users", null);
      assertThat(role).hasStatus(200);
      return new Realm(name, fixtures, issued.json().get("access_token").asText(), role.json());
    }

    JsonNode admin(String method, String path, Object body, int expected) {
      Reply reply = http.admin(method, "realms/" + name + "/" + path, body);
      assertThat(reply).as(method + " " + path).hasStatus(expected);
      return reply.body() == null || reply.body().isBlank() ? null : reply.json();
    }

    /** A confidential client handed over to the config API, from these representation fields. */
    String managedClient(String prefix, Map<String, Object> fields) {
      Map<String, Object> rep = new HashMap<>();
      rep.put("clientId", Fixtures.unique(prefix));
      rep.put("enabled", true);
      rep.put("publicClient", false);
      rep.put("secret", Fixtures.SECRET);
      rep.put("serviceAccountsEnabled", true);
      rep.put("standardFlowEnabled", false);
      rep.put("directAccessGrantsEnabled", false);
      rep.put("fullScopeAllowed", false);
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
          Map.of(
              "username",
              username,
              "enabled",
              true,
              "email",
              username + "@example.org",
              "firstName",
              "A",
              "lastName",
              "User",
              "emailVerified",
              true,
              "credentials",
              List.of(Map.of("type", "password", "value", username, "temporary", false))));
    }

    /** The user's token through the client (password grant). */
    String passwordToken(String uuid, String username) {
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
                  "openid"));
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

  @BeforeAll
  static void setUp(TestClient client) {
    http = client;
    plain = Realm.create("pbs-review", false);
    fgap = Realm.create("pbs-review-fgap", true);
  }

  @AfterAll
  static void tearDown() {
    for (Realm realm : new Realm[] {plain, fgap}) {
      if (realm != null) {
        http.admin("DELETE", "realms/" + realm.name(), null);
      }
    }
  }

  /**
   * Finding 1: a protocol mapper puts an admin role into users' tokens. A "hardcoded role" mapper
   * (or a "role name" mapper renaming a harmless role) adds {@code realm-management view-users} to
   * the token of every user who signs in through the client, though the client's full scope is off
   * and no scope mapping names the role. Keycloak's admin API takes the role from the token ({@code
   * KeycloakIdentity.hasClientRole}: the user holds it, the token carries it).
   */
  @Test
  void aHardcodedRoleMapperIsInTheClientsReach() {
    String username = Fixtures.unique("helpdesk").toLowerCase();
    String user = plain.user(username);
    plain.admin(
        "POST",
        "users/" + user + "/role-mappings/clients/" + plain.viewUsers().get("containerId").asText(),
        List.of(plain.viewUsers()),
        204);
    String uuid = plain.managedClient("review-mapper", Map.of("directAccessGrantsEnabled", true));
    // without the mapper: the administrator's token through this client lists no users
    assertThat(plain.listUsers(plain.passwordToken(uuid, username))).hasStatus(403);
    plain.admin(
        "POST",
        "clients/" + uuid + "/protocol-mappers/models",
        Map.of(
            "name",
            "helpdesk role",
            "protocol",
            "openid-connect",
            "protocolMapper",
            "oidc-hardcoded-role-mapper",
            "config",
            Map.of("role", "realm-management.view-users")),
        201);

    // the power is real: with the mapper, the same login lists users
    assertThat(plain.listUsers(plain.passwordToken(uuid, username))).hasStatus(200);
    plain.assertPrivileged(uuid);

    // the same through a client scope: a role name mapper renaming a harmless role into an admin
    // role, and a claim mapper writing the roles claim itself
    for (Map<String, Object> mapper :
        List.of(
            Map.of(
                "name",
                "rename",
                "protocol",
                "openid-connect",
                "protocolMapper",
                "oidc-role-name-mapper",
                "config",
                Map.of("role", "offline_access", "new.role.name", "realm-management.view-users")),
            Map.of(
                "name",
                "claim",
                "protocol",
                "openid-connect",
                "protocolMapper",
                "oidc-hardcoded-claim-mapper",
                "config",
                Map.of(
                    "claim.name",
                    "resource_access.realm-management.roles",
                    "claim.value",
                    "[\"view-users\"]",
                    "jsonType.label",
                    "JSON",
                    "access.token.claim",
                    "true")))) {
      String scopeId =
          plain
              .fixtures()
              .createClientScope(
                  Map.of(
                      "name",
                      Fixtures.unique("review-mapped"),
                      "protocol",
                      "openid-connect",
                      "attributes",
                      Map.of("include.in.token.scope", "true")));
      plain.admin("POST", "client-scopes/" + scopeId + "/protocol-mappers/models", mapper, 201);
      String viaScope =
          plain.managedClient("review-mapped", Map.of("directAccessGrantsEnabled", true));
      assertThat(plain.secret(viaScope)).as("before the scope").hasStatus(200);
      plain.admin("PUT", "clients/" + viaScope + "/optional-client-scopes/" + scopeId, null, 204);
      plain.assertPrivileged(viaScope);
    }
  }

  /**
   * Finding 2: an unbound handed-over client's user token is turned into a requesting party token
   * (UMA grant, the bearer token alone authenticates) for another client that is a resource server
   * with full scope. The RPT keeps {@code azp} = the handed-over client but carries the resource
   * server's scope, {@code realm-management} roles included, and Keycloak's admin API accepts it.
   * The client's reach includes the scope of every resource server of the realm.
   */
  @Test
  void aRequestingPartyTokenCarriesAResourceServersScope() {
    String username = Fixtures.unique("umaadmin").toLowerCase();
    String user = plain.user(username);
    plain.admin(
        "POST",
        "users/" + user + "/role-mappings/clients/" + plain.viewUsers().get("containerId").asText(),
        List.of(plain.viewUsers()),
        204);
    // any resource server of the realm, with Keycloak's defaults (full scope) and a permissive mode
    String serverClientId = Fixtures.unique("review-rs");
    String server =
        plain
            .fixtures()
            .createClientRepresentation(
                Map.of(
                    "clientId",
                    serverClientId,
                    "enabled",
                    true,
                    "publicClient",
                    false,
                    "secret",
                    Fixtures.SECRET,
                    "serviceAccountsEnabled",
                    true,
                    "authorizationServicesEnabled",
                    true));
    plain.admin(
        "POST",
        "clients/" + server + "/authz/resource-server/resource",
        Map.of("name", "document", "uris", List.of("/document")),
        201);
    JsonNode settings =
        plain.admin("GET", "clients/" + server + "/authz/resource-server", null, 200);
    Map<String, Object> permissive = new HashMap<>();
    settings.fields().forEachRemaining(f -> permissive.put(f.getKey(), f.getValue()));
    permissive.put("policyEnforcementMode", "PERMISSIVE");
    plain.admin("PUT", "clients/" + server + "/authz/resource-server", permissive, 204);

    // the handed-over client: full scope off, nothing in its scope, the config API serves it
    String uuid = plain.managedClient("review-uma", Map.of("directAccessGrantsEnabled", true));
    String login = plain.passwordToken(uuid, username);
    assertThat(plain.listUsers(login)).hasStatus(403);

    // the UMA grant through the handed-over client's user token is refused before anything is
    // issued, however the token is presented: as the bearer, as subject_token, as claim_token
    for (Map<String, String> presented :
        List.of(
            Map.of("Authorization", "Bearer " + login),
            Map.of("subject_token", login),
            Map.of(
                "claim_token",
                login,
                "claim_token_format",
                "http://openid.net/specs/openid-connect-core-1_0.html#IDToken"))) {
      Map<String, String> fields = new HashMap<>();
      fields.put("grant_type", "urn:ietf:params:oauth:grant-type:uma-ticket");
      fields.put("audience", serverClientId);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(
                  URI.create(http.realmUrl(plain.name()) + "/protocol/openid-connect/token"))
              .header("Content-Type", "application/x-www-form-urlencoded");
      presented.forEach(
          (name, value) -> {
            if (name.equals("Authorization")) {
              request.header(name, value);
            } else {
              fields.put(name, value);
            }
          });
      if (!presented.containsKey("Authorization")) {
        fields.put("client_id", serverClientId);
        fields.put("client_secret", Fixtures.SECRET);
      }
      Reply rpt = http.send(request.POST(HttpRequest.BodyPublishers.ofString(form(fields))));
      assertThat(rpt)
          .as("UMA grant with the handed-over client's token as " + presented.keySet())
          .hasStatus(400)
          .hasError("unauthorized_client");
      assertThat(rpt.body()).doesNotContain("access_token");
    }
  }

  /**
   * Finding 3: a client-scope admin permission policy (v2) matches the {@code scope} claim of the
   * token. A client without user flows gets its default client scopes into its service account's
   * tokens too, but {@code KeycloakPower} counts a client's client scopes only when users sign in
   * through it.
   */
  @Test
  void aClientScopePolicyNamesAServiceAccountsDefaultScope() {
    String scopeName = Fixtures.unique("support-tools");
    String scopeId =
        fgap.fixtures()
            .createClientScope(
                Map.of(
                    "name",
                    scopeName,
                    "protocol",
                    "openid-connect",
                    "attributes",
                    Map.of("include.in.token.scope", "true")));
    String uuid = fgap.managedClient("review-fgap-scope", Map.of());
    assertThat(fgap.listUsers(fgap.serviceToken(uuid))).hasStatus(403);
    fgap.admin("PUT", "clients/" + uuid + "/default-client-scopes/" + scopeId, null, 204);
    JsonNode policy =
        fgap.admin(
            "POST",
            "clients/" + fgap.permissionsServer() + "/authz/resource-server/policy/client-scope",
            Map.of(
                "name",
                Fixtures.unique("support tools"),
                "clientScopes",
                List.of(Map.of("id", scopeId, "required", false))),
            201);
    fgap.viewUsersPermission(policy.get("id").asText(), Fixtures.unique("support views users"));

    String token = fgap.serviceToken(uuid);
    assertThat(TestClient.claims(token).path("scope").asText()).contains(scopeName);
    // the power is real: the service account's token lists users
    assertThat(fgap.listUsers(token)).hasStatus(200);
    fgap.assertPrivileged(uuid);
  }

  private static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
