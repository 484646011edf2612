package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
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

/**
 * A client's reach is derived from Keycloak's model (docs/contract.md I16,
 * docs/adr/0022-a-clients-reach-is-derived.md): the ways of the third review and of the outside
 * review of its fix, each of which an enumerating check called unprivileged. Where a token is the
 * way, the case first proves the power with a real token against Keycloak's admin REST API, then
 * checks that the way is closed: the config API refuses the client's secret ({@code 403
 * privileged_client}) or the grant refuses the token. Two realms of their own (some cases change a
 * realm's default roles): one plain, one with fine-grained admin permissions (v2) on.
 */
class KeycloakReachIT extends OnSharedKeycloak {

  private static ReachRealm plain;
  private static ReachRealm fgap;
  private static String realm;
  private static Fixtures fixtures;
  private static JsonNode viewUsers;

  @BeforeAll
  static void setUp() {
    plain = ReachRealm.create(http, "pbs-reach", false);
    fgap = ReachRealm.create(http, "pbs-reach-fgap", true);
    realm = plain.name();
    fixtures = plain.fixtures();
    viewUsers = plain.viewUsers();
    // an administrator who holds view-users
    String helpdesk = plain.user("helpdesk");
    plain.grantViewUsers(helpdesk);
  }

  @AfterAll
  static void tearDown() {
    for (ReachRealm created : new ReachRealm[] {plain, fgap}) {
      if (created != null) {
        created.delete();
      }
    }
  }

  private static JsonNode admin(String method, String path, Object body, int expected) {
    return plain.admin(method, path, body, expected);
  }

  private static String managedClient(String prefix, Map<String, Object> fields) {
    return plain.managedClient(prefix, fields);
  }

  private static Reply secret(String uuid) {
    return plain.secret(uuid);
  }

  private static void assertPrivileged(String uuid) {
    plain.assertPrivileged(uuid);
  }

  private static String helpdeskToken(String uuid, String scope) {
    return plain.passwordToken(uuid, "helpdesk", scope);
  }

  private static Reply listUsers(String token) {
    return plain.listUsers(token);
  }

  /**
   * Full scope off, as the README recommends, but an optional client scope maps an admin role:
   * Keycloak puts it into users' tokens ({@code ClientModel.hasScope} does not see it).
   */
  @Test
  void aClientScopesRoleMappingIsInTheClientsReach() {
    String scopeId = plain.clientScopeMapping("helpdesk", viewUsers);
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

  /**
   * So is CIBA, and standard token exchange, and the JWT authorization grant where the server
   * offers it (26.5+): its switch means nothing on a Keycloak without the grant.
   */
  @Test
  void everyGrantThatIssuesAUsersTokenIsAWayUsersSignIn() {
    JsonNode offered =
        http.send(
                HttpRequest.newBuilder(
                        URI.create(http.realmUrl(realm) + "/.well-known/openid-configuration"))
                    .GET())
            .json()
            .path("grant_types_supported");
    Map<String, String> switches = new java.util.LinkedHashMap<>();
    switches.put("urn:openid:params:grant-type:ciba", "oidc.ciba.grant.enabled");
    switches.put(
        "urn:ietf:params:oauth:grant-type:token-exchange", "standard.token.exchange.enabled");
    switches.put(
        "urn:ietf:params:oauth:grant-type:jwt-bearer", "oauth2.jwt.authorization.grant.enabled");
    List<String> tried = new java.util.ArrayList<>();
    offered.forEach(
        grant -> {
          String attribute = switches.get(grant.asText());
          if (attribute != null) {
            tried.add(grant.asText());
            String uuid =
                managedClient(
                    "reach-grant",
                    Map.of("fullScopeAllowed", true, "attributes", Map.of(attribute, "true")));
            assertPrivileged(uuid);
          }
        });
    assertThat(tried)
        .as("the server offers CIBA and token exchange")
        .hasSizeGreaterThanOrEqualTo(2);
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
    String scopeId = plain.clientScopeMapping("everyone-helpdesk", viewUsers);
    admin("PUT", "default-optional-client-scopes/" + scopeId, null, 204);
    String clientId = Fixtures.unique("reach-created");
    try {
      Reply created =
          http.send(
              HttpRequest.newBuilder(URI.create(http.realmUrl(realm) + "/config/clients"))
                  .header("Authorization", "Bearer " + plain.callerToken())
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
    plain.grantViewUsers(user);
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
    plain.grantViewUsers(user);
    // any resource server of the realm, with Keycloak's defaults (full scope) and a permissive mode
    String serverClientId = Fixtures.unique("review-rs");
    String server =
        plain
            .fixtures()
            .createClientRepresentation(
                Fixtures.confidentialClient(
                    serverClientId,
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

  /**
   * Keycloak's user role mappers write the roles they resolved under whatever claim they are
   * configured with, and {@code realm_access.roles} and {@code resource_access.<client>.roles} are
   * the token's role claims. A client role mapper of the client's own roles writing under {@code
   * resource_access.realm-management.roles} turns its own role {@code view-users} into {@code
   * realm-management view-users} (found by the second outside review). Where Keycloak's own {@code
   * roles} scope puts them, the same mapper adds nothing.
   */
  @Test
  void aUserRoleMapperWritingUnderAnotherClientsKeyIsInTheReach() {
    String uuid = managedClient("reach-own-roles", Map.of("directAccessGrantsEnabled", true));
    String clientId = plain.clientId(uuid);
    admin("POST", "clients/" + uuid + "/roles", Map.of("name", "view-users"), 201);
    JsonNode own = admin("GET", "clients/" + uuid + "/roles/view-users", null, 200);
    String helpdesk = fixtures.realm().users().search("helpdesk", true).get(0).getId();
    admin("POST", "users/" + helpdesk + "/role-mappings/clients/" + uuid, List.of(own), 204);
    for (String claim :
        List.of("resource_access.${client_id}.roles", "resource_access.realm-management.roles")) {
      String mapperId =
          fixtures.realm().clients().get(uuid).getProtocolMappers().getMappers().stream()
              .filter(m -> m.getName().equals("app roles"))
              .map(m -> m.getId())
              .findFirst()
              .orElse(null);
      if (mapperId != null) {
        fixtures.realm().clients().get(uuid).getProtocolMappers().delete(mapperId);
      }
      admin(
          "POST",
          "clients/" + uuid + "/protocol-mappers/models",
          Map.of(
              "name",
              "app roles",
              "protocol",
              "openid-connect",
              "protocolMapper",
              "oidc-usermodel-client-role-mapper",
              "config",
              Map.of(
                  "usermodel.clientRoleMapping.clientId",
                  clientId,
                  "claim.name",
                  claim,
                  "multivalued",
                  "true",
                  "access.token.claim",
                  "true")),
          201);
      if (claim.contains("${client_id}")) {
        assertThat(listUsers(helpdeskToken(uuid, "openid"))).as(claim).hasStatus(403);
        assertThat(secret(uuid)).as(claim).hasStatus(200);
      } else {
        // the power is real: the same login now lists users
        assertThat(listUsers(helpdeskToken(uuid, "openid"))).as(claim).hasStatus(200);
        assertPrivileged(uuid);
      }
    }
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
