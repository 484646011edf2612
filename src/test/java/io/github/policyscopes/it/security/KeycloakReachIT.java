package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client's reach is derived from Keycloak's model (docs/contract.md I16,
 * docs/adr/0022-a-clients-reach-is-derived.md): the ways of the third review, each of which an
 * enumerating check called unprivileged. Each case is checked twice: the config API refuses the
 * client's secret ({@code 403 privileged_client}), and, where a user's token is the way, a real
 * token obtained through the client calls Keycloak's admin REST API, so the refusal stands for real
 * power and not for a guess. A realm of its own, since some cases change the realm's default roles.
 */
@ExtendWith(KeycloakServerExtension.class)
class KeycloakReachIT {

  private static TestClient http;
  private static String realm;
  private static Fixtures fixtures;
  private static String callerToken;
  private static JsonNode viewUsers;

  @BeforeAll
  static void setUp(TestClient client) {
    http = client;
    realm = Fixtures.unique("pbs-reach");
    assertThat(http.admin("POST", "realms", Map.of("realm", realm, "enabled", true)))
        .hasStatus(201);
    fixtures = new Fixtures(http, realm);
    String policy = fixtures.createPolicy("all-power", List.of("openid", "*:**"), null, null);
    String caller = fixtures.createClient("caller", Fixtures.SECRET);
    fixtures.bind(caller, policy);
    Reply issued =
        http.token(
            realm,
            TestClient.form(
                "grant_type", "client_credentials",
                "client_id", "caller",
                "client_secret", Fixtures.SECRET,
                "scope", "*:**"));
    assertThat(issued).hasStatus(200);
    callerToken = issued.json().get("access_token").asText();
    String realmManagement = fixtures.internalId("realm-management");
    viewUsers = admin("GET", "clients/" + realmManagement + "/roles/view-users", null, 200);
    // an administrator who holds view-users
    String adminUser =
        fixtures.createUser(
            Map.of(
                "username",
                "helpdesk",
                "enabled",
                true,
                "email",
                "helpdesk@example.org",
                "firstName",
                "Help",
                "lastName",
                "Desk",
                "emailVerified",
                true,
                "credentials",
                List.of(Map.of("type", "password", "value", "helpdesk", "temporary", false))));
    admin(
        "POST",
        "users/" + adminUser + "/role-mappings/clients/" + realmManagement,
        List.of(viewUsers),
        204);
  }

  @AfterAll
  static void tearDown() {
    if (realm != null) {
      http.admin("DELETE", "realms/" + realm, null);
    }
  }

  private static JsonNode admin(String method, String path, Object body, int expected) {
    Reply reply = http.admin(method, "realms/" + realm + "/" + path, body);
    assertThat(reply).as(method + " " + path).hasStatus(expected);
    return reply.body() == null || reply.body().isBlank() ? null : reply.json();
  }

  /** A confidential client handed over to the config API, from these representation fields. */
  private static String managedClient(String prefix, Map<String, Object> fields) {
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

  private static Reply secret(String uuid) {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(http.realmUrl(realm) + "/config/clients/" + uuid + "/secret"))
            .header("Authorization", "Bearer " + callerToken)
            .GET());
  }

  private static void assertPrivileged(String uuid) {
    Reply refused = secret(uuid);
    assertThat(refused).hasStatus(403).hasError("privileged_client");
    assertThat(refused.body()).doesNotContain(Fixtures.SECRET);
  }

  private static String clientId(String uuid) {
    return fixtures.keycloakClient(uuid).get("clientId").asText();
  }

  /** The helpdesk administrator's token through the client (password grant). */
  private static String helpdeskToken(String uuid, String scope) {
    Reply issued =
        http.token(
            realm,
            TestClient.form(
                "grant_type",
                "password",
                "client_id",
                clientId(uuid),
                "client_secret",
                Fixtures.SECRET,
                "username",
                "helpdesk",
                "password",
                "helpdesk",
                "scope",
                scope));
    assertThat(issued).hasStatus(200);
    return issued.json().get("access_token").asText();
  }

  private static Reply listUsers(String token) {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(http.baseUrl() + "/admin/realms/" + realm + "/users?max=1"))
            .header("Authorization", "Bearer " + token)
            .GET());
  }

  /**
   * Full scope off, as the README recommends, but an optional client scope maps an admin role:
   * Keycloak puts it into users' tokens ({@code ClientModel.hasScope} does not see it).
   */
  @Test
  void aClientScopesRoleMappingIsInTheClientsReach() {
    String scopeId =
        fixtures.createClientScope(
            Map.of(
                "name",
                Fixtures.unique("helpdesk"),
                "protocol",
                "openid-connect",
                "attributes",
                Map.of("include.in.token.scope", "true")));
    admin(
        "POST",
        "client-scopes/"
            + scopeId
            + "/scope-mappings/clients/"
            + viewUsers.get("containerId").asText(),
        List.of(viewUsers),
        204);
    String uuid = managedClient("reach-scope", Map.of("directAccessGrantsEnabled", true));
    admin("PUT", "clients/" + uuid + "/optional-client-scopes/" + scopeId, null, 204);
    String scopeName = admin("GET", "client-scopes/" + scopeId, null, 200).get("name").asText();

    // the power is real: the administrator's token through this client lists users
    assertThat(listUsers(helpdeskToken(uuid, "openid " + scopeName))).hasStatus(200);
    assertPrivileged(uuid);
  }

  /** The device grant is a way users sign in: with full scope, their admin roles travel. */
  @Test
  void theDeviceGrantIsAWayUsersSignIn() {
    String uuid =
        managedClient(
            "reach-device",
            Map.of(
                "fullScopeAllowed",
                true,
                "attributes",
                Map.of("oauth2.device.authorization.grant.enabled", "true")));
    assertPrivileged(uuid);
  }

  /** So is CIBA, and the JWT authorization grant, and standard token exchange. */
  @Test
  void everyGrantThatIssuesAUsersTokenIsAWayUsersSignIn() {
    for (String attribute :
        List.of(
            "oidc.ciba.grant.enabled",
            "oauth2.jwt.authorization.grant.enabled",
            "standard.token.exchange.enabled")) {
      String uuid =
          managedClient(
              "reach-grant",
              Map.of("fullScopeAllowed", true, "attributes", Map.of(attribute, "true")));
      assertPrivileged(uuid);
    }
    // with every user flow off, full scope alone is no power: the service account's roles decide
    String serviceOnly = managedClient("reach-service", Map.of("fullScopeAllowed", true));
    assertThat(secret(serviceOnly)).hasStatus(200);
  }

  /** A client role of the client itself is always in its scope, with its composites. */
  @Test
  void aClientsOwnCompositeRoleIsInItsReach() {
    String uuid = managedClient("reach-own", Map.of("directAccessGrantsEnabled", true));
    admin("POST", "clients/" + uuid + "/roles", Map.of("name", "support"), 201);
    JsonNode support = admin("GET", "clients/" + uuid + "/roles/support", null, 200);
    admin(
        "POST",
        "roles-by-id/" + support.get("id").asText() + "/composites",
        List.of(viewUsers),
        204);
    assertPrivileged(uuid);
  }

  /**
   * Roles of the realm's default roles count like any other: an operator who gives every user
   * {@code view-users} gives it to every service account too.
   */
  @Test
  void defaultRolesAreNotExempt() {
    String uuid = managedClient("reach-defaults", Map.of());
    assertThat(secret(uuid)).hasStatus(200);
    String defaults = "roles/default-roles-" + realm + "/composites";
    admin("POST", defaults, List.of(viewUsers), 204);
    try {
      assertPrivileged(uuid);
    } finally {
      admin("DELETE", defaults, List.of(viewUsers), 204);
    }
    assertThat(secret(uuid)).hasStatus(200);
  }

  /**
   * A realm default client scope that maps an admin role reaches every client Keycloak creates,
   * those the config API creates included: the create is refused and leaves nothing behind.
   */
  @Test
  void aRealmDefaultScopeMappingAnAdminRoleRefusesTheCreate() {
    String scopeId =
        fixtures.createClientScope(
            Map.of(
                "name",
                Fixtures.unique("everyone-helpdesk"),
                "protocol",
                "openid-connect",
                "attributes",
                Map.of("include.in.token.scope", "true")));
    admin(
        "POST",
        "client-scopes/"
            + scopeId
            + "/scope-mappings/clients/"
            + viewUsers.get("containerId").asText(),
        List.of(viewUsers),
        204);
    admin("PUT", "default-optional-client-scopes/" + scopeId, null, 204);
    String clientId = Fixtures.unique("reach-created");
    try {
      Reply created =
          http.send(
              HttpRequest.newBuilder(URI.create(http.realmUrl(realm) + "/config/clients"))
                  .header("Authorization", "Bearer " + callerToken)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          TestClient.toJson(
                              Map.of("clientId", clientId, "grantTypes", List.of("password"))))));
      assertThat(created).hasStatus(403).hasError("privileged_client");
      assertThat(fixtures.keycloakHasClient(clientId)).as("nothing created").isFalse();
    } finally {
      admin("DELETE", "default-optional-client-scopes/" + scopeId, null, 204);
    }
  }

  /** Keycloak's administration realm is not served at all, whoever asks. */
  @Test
  void theAdministrationRealmIsNotServed() {
    for (String path : List.of("whoami", "clients", "tokenPolicies", "clients/x/secret")) {
      Reply anonymous =
          http.send(
              HttpRequest.newBuilder(URI.create(http.realmUrl("master") + "/config/" + path))
                  .GET());
      assertThat(anonymous).as(path).hasStatus(404).hasError("not_found");
      assertThat(anonymous.json().path("error_description").asText())
          .contains("administration realm");
      Reply admin =
          http.send(
              HttpRequest.newBuilder(URI.create(http.realmUrl("master") + "/config/" + path))
                  .header("Authorization", "Bearer " + http.adminToken())
                  .GET());
      assertThat(admin).as(path).hasStatus(404);
    }
  }
}
