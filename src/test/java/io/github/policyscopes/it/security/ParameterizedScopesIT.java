package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Parameterized scopes in the policy grammar (issue 24 item 2, docs/adr/0030): Keycloak
 * Organizations ({@code organization:acme}, {@code organization:*}) and 26.7's typed parameterized
 * client scopes ({@code tenant:42}, feature {@code parameterized-scopes}, on for the test server).
 * A policy entry {@code X:*} covers any one {@code X:value}; the granted scope is always the value
 * asked for, handed to Keycloak so that its own type validation and its own mappers run: the claims
 * match the granted {@code scope} in every grant, and a value Keycloak refuses is refused as for an
 * unbound client.
 *
 * <p>A realm of its own with organizations on: organizations {@code acme} and {@code globex}, a
 * user who is a member of both, and a client scope {@code tenant} parameterized with type {@code
 * integer} whose parameter Keycloak's own mapper puts into the claim {@code tenant}.
 */
@ExtendWith(KeycloakServerExtension.class)
class ParameterizedScopesIT {

  private static final String PASSWORD = "orgs-pass";
  private static final String REDIRECT = "http://localhost:3000/callback";

  private static String realm;
  private static String username;
  private static String tenantScopeId;

  @BeforeAll
  static void realmWithOrganizations(TestClient http) {
    realm = Fixtures.unique("orgs");
    assertThat(
            http.admin(
                "POST",
                "realms",
                Map.of("realm", realm, "enabled", true, "organizationsEnabled", true)))
        .hasStatus(201);
    Fixtures admin = new Fixtures(http, realm);
    username = Fixtures.unique("member");
    String user =
        admin.createUser(
            Map.of(
                "username",
                username,
                "email",
                username + "@acme.example",
                "emailVerified",
                true,
                "firstName",
                "Olga",
                "lastName",
                "Orgs",
                "enabled",
                true,
                "credentials",
                List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false))));
    for (String alias : List.of("acme", "globex")) {
      Reply org =
          http.admin(
              "POST",
              "realms/" + realm + "/organizations",
              Map.of(
                  "name",
                  alias,
                  "alias",
                  alias,
                  "enabled",
                  true,
                  "domains",
                  List.of(Map.of("name", alias + ".example"))));
      assertThat(org).hasStatus(201);
      String location = org.header("Location");
      String id = location.substring(location.lastIndexOf('/') + 1);
      assertThat(http.admin("POST", "realms/" + realm + "/organizations/" + id + "/members", user))
          .hasStatus(201);
    }
    markOrganizationScopeParameterized(http);
    Map<String, String> claim = new LinkedHashMap<>();
    claim.put("claim.name", "tenant");
    claim.put("jsonType.label", "String");
    claim.put("access.token.claim", "true");
    claim.put("id.token.claim", "true");
    claim.put("introspection.token.claim", "true");
    claim.put("userinfo.token.claim", "true");
    tenantScopeId =
        admin.createClientScope(
            Map.of(
                "name",
                "tenant",
                "protocol",
                "openid-connect",
                "attributes",
                Map.of(
                    "is.parameterized.scope", "true",
                    "parameterized.scope.type", "integer",
                    "include.in.token.scope", "true",
                    "display.on.consent.screen", "false"),
                "protocolMappers",
                List.of(
                    Map.of(
                        "name",
                        "tenant",
                        "protocol",
                        "openid-connect",
                        "protocolMapper",
                        "oidc-parameterized-scope-mapper",
                        "config",
                        claim))));
  }

  /**
   * With {@code parameterized-scopes} on, Keycloak 26.7.5 validates every scope parameter with its
   * parameterized-scope parser, which knows the Organizations scope only when it is marked
   * parameterized itself: unmarked, stock Keycloak refuses {@code organization:acme} for every
   * client ({@code Invalid scopes: organization:acme}). Marked with type {@code string}, it reads
   * {@code organization:acme} and {@code organization:*} as before, and its mapper maps them.
   * Without the feature the mark is ignored (by Keycloak, and by the extension).
   */
  private static void markOrganizationScopeParameterized(TestClient http) {
    String scopes = "realms/" + realm + "/client-scopes";
    JsonNode organization = null;
    for (JsonNode scope : http.admin("GET", scopes, null).json()) {
      if ("organization".equals(scope.path("name").asText())) {
        organization = scope;
      }
    }
    assertThat(organization).as("the realm's organization client scope").isNotNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> rep =
        new com.fasterxml.jackson.databind.ObjectMapper().convertValue(organization, Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> attributes =
        new LinkedHashMap<>((Map<String, Object>) rep.getOrDefault("attributes", Map.of()));
    attributes.put("is.parameterized.scope", "true");
    attributes.put("parameterized.scope.type", "string");
    rep.put("attributes", attributes);
    assertThat(http.admin("PUT", scopes + "/" + organization.path("id").asText(), rep))
        .hasStatus(204);
  }

  /**
   * A confidential client of the realm (every grant, the tenant scope optional); bound if asked.
   */
  private static String client(TestClient http, List<String> allowed, String mode) {
    Fixtures admin = new Fixtures(http, realm);
    String clientId = Fixtures.unique("orgs-client");
    String uuid =
        admin.createClientRepresentation(
            Map.of(
                "clientId", clientId,
                "enabled", true,
                "publicClient", false,
                "secret", Fixtures.SECRET,
                "serviceAccountsEnabled", true,
                "directAccessGrantsEnabled", true,
                "standardFlowEnabled", true,
                "redirectUris", List.of(REDIRECT),
                "fullScopeAllowed", false));
    assertThat(
            http.admin(
                "PUT",
                "realms/" + realm + "/clients/" + uuid + "/optional-client-scopes/" + tenantScopeId,
                null))
        .hasStatus(204);
    if (allowed != null) {
      admin.bind(uuid, admin.createPolicy(Fixtures.unique("orgs-policy"), allowed, null, mode));
    }
    return clientId;
  }

  private static String bound(TestClient http, String... allowed) {
    return client(http, List.of(allowed), null);
  }

  private static Reply password(TestClient http, String clientId, String scope) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type", "password",
            "client_id", clientId,
            "client_secret", Fixtures.SECRET,
            "username", username,
            "password", PASSWORD,
            "scope", scope));
  }

  private static Reply clientCredentials(TestClient http, String clientId, String scope) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type",
            "client_credentials",
            "client_id",
            clientId,
            "client_secret",
            Fixtures.SECRET,
            "scope",
            scope));
  }

  private static Reply refresh(TestClient http, String clientId, Reply tokens, String scope) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type",
            "refresh_token",
            "client_id",
            clientId,
            "client_secret",
            Fixtures.SECRET,
            "refresh_token",
            tokens.json().get("refresh_token").asText(),
            "scope",
            scope));
  }

  private static Reply codeFlow(TestClient http, String clientId, String scope) throws Exception {
    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(realm, clientId, REDIRECT, scope, username, PASSWORD);
    assertThat(redirect.param("code")).as(redirect.location().toString()).isNotNull();
    return browser.exchange(realm, clientId, REDIRECT, redirect, Fixtures.SECRET);
  }

  private static Reply ok(Reply reply) {
    assertThat(reply).hasStatus(200);
    return reply;
  }

  private static JsonNode access(Reply tokens) {
    return TestClient.claims(tokens.json().get("access_token").asText());
  }

  private static List<String> words(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split(" +"));
  }

  /** The token response's {@code scope}, the access token's and introspection's: one set. */
  private static List<String> grantedScope(TestClient http, String clientId, Reply tokens) {
    List<String> response = words(tokens.json().path("scope").asText(null));
    List<String> token = words(access(tokens).path("scope").asText(null));
    JsonNode introspected =
        ok(http.introspect(
                realm, clientId, Fixtures.SECRET, tokens.json().get("access_token").asText()))
            .json();
    assertThat(introspected.path("active").asBoolean()).as(introspected.toString()).isTrue();
    assertThat(token)
        .as("access token scope vs response")
        .containsExactlyInAnyOrderElementsOf(response);
    assertThat(words(introspected.path("scope").asText(null)))
        .as("introspection scope vs response")
        .containsExactlyInAnyOrderElementsOf(response);
    return response;
  }

  /** The values of the access token's {@code tenant} claim (Keycloak's parameter mapper). */
  private static List<String> tenants(Reply tokens) {
    JsonNode claim = access(tokens).path("tenant");
    List<String> out = new java.util.ArrayList<>();
    if (claim.isArray()) {
      claim.forEach(t -> out.add(t.asText()));
    } else if (!claim.isMissingNode()) {
      out.add(claim.asText());
    }
    return out;
  }

  /** The organizations the access token's {@code organization} claim names (empty: no claim). */
  private static List<String> organizations(Reply tokens) {
    JsonNode claim = access(tokens).path("organization");
    List<String> out = new java.util.ArrayList<>();
    if (claim.isArray()) {
      claim.forEach(o -> out.add(o.asText()));
    } else if (claim.isObject()) {
      claim.fieldNames().forEachRemaining(out::add);
    }
    return out;
  }

  private static void assertAcmeOnly(String where, TestClient http, String clientId, Reply tokens) {
    assertThat(grantedScope(http, clientId, tokens))
        .as(where + " scope")
        .containsExactlyInAnyOrder("openid", "organization:acme");
    assertThat(organizations(tokens))
        .as(where + " organization claim: " + access(tokens))
        .containsExactly("acme");
  }

  // ---- Organizations ----

  @Test
  void organizationStarCoversOneOrganizationInThePasswordGrantAndItsRefresh(TestClient http) {
    String clientId = bound(http, "openid", "organization:*");

    Reply tokens = ok(password(http, clientId, "openid organization:acme"));
    assertAcmeOnly("password", http, clientId, tokens);

    assertAcmeOnly("refresh", http, clientId, ok(refresh(http, clientId, tokens, null)));
    assertAcmeOnly(
        "narrowing refresh",
        http,
        clientId,
        ok(refresh(http, clientId, tokens, "openid organization:acme")));

    Reply globex = ok(password(http, clientId, "openid organization:globex"));
    assertThat(grantedScope(http, clientId, globex))
        .containsExactlyInAnyOrder("openid", "organization:globex");
    assertThat(organizations(globex)).containsExactly("globex");
  }

  @Test
  void organizationStarCoversOneOrganizationInTheCodeFlowAndItsRefresh(TestClient http)
      throws Exception {
    String clientId = bound(http, "openid", "organization:*");

    Reply tokens = ok(codeFlow(http, clientId, "openid organization:acme"));
    assertAcmeOnly("code", http, clientId, tokens);
    assertAcmeOnly("refresh", http, clientId, ok(refresh(http, clientId, tokens, null)));
  }

  @Test
  void theClientCredentialsGrantGetsWhatAnUnboundClientGets(TestClient http) {
    String bound = bound(http, "openid", "organization:*");
    String unbound = client(http, null, null);

    Reply stock = ok(clientCredentials(http, unbound, "organization:acme"));
    Reply policed = ok(clientCredentials(http, bound, "organization:acme"));

    assertThat(grantedScope(http, bound, policed)).containsExactly("organization:acme");
    assertThat(words(access(stock).path("scope").asText())).contains("organization:acme");
    assertThat(access(policed).path("organization"))
        .as("the organization claim, as Keycloak gives it to an unbound client")
        .isEqualTo(access(stock).path("organization"));
  }

  @Test
  void aLiteralOrganizationCoversThatOneOnly(TestClient http) {
    String clientId = bound(http, "openid", "organization:acme");

    assertAcmeOnly(
        "password", http, clientId, ok(password(http, clientId, "openid organization:acme")));

    Reply other = ok(password(http, clientId, "openid organization:globex"));
    assertThat(grantedScope(http, clientId, other)).containsExactly("openid");
    assertThat(organizations(other)).isEmpty();

    // "all of the user's organizations" is not "acme"
    Reply all = ok(password(http, clientId, "openid organization:*"));
    assertThat(grantedScope(http, clientId, all)).containsExactly("openid");
    assertThat(organizations(all)).isEmpty();
  }

  @Test
  void allOfTheUsersOrganizationsNeedTheEntryOrganizationStar(TestClient http) {
    String clientId = bound(http, "openid", "organization:*");

    Reply all = ok(password(http, clientId, "openid organization:*"));
    assertThat(grantedScope(http, clientId, all))
        .containsExactlyInAnyOrder("openid", "organization:*");
    assertThat(organizations(all)).containsExactlyInAnyOrder("acme", "globex");
  }

  @Test
  void rejectModeRefusesAnOrganizationThePolicyDoesNotCover(TestClient http) {
    String clientId = client(http, List.of("openid", "organization:acme"), "reject");

    assertAcmeOnly(
        "password", http, clientId, ok(password(http, clientId, "openid organization:acme")));
    Reply refused = password(http, clientId, "openid organization:globex");
    assertThat(refused).hasStatus(400).hasError("invalid_scope");
    assertThat(refused.json().path("error_description").asText()).contains("organization:globex");
  }

  // ---- typed parameterized scopes ----

  @Test
  void tenantStarCoversAnyTenantInEveryGrantWithKeycloaksClaim(TestClient http) throws Exception {
    String clientId = bound(http, "openid", "tenant:*");

    Reply tokens = ok(password(http, clientId, "openid tenant:42"));
    assertThat(grantedScope(http, clientId, tokens))
        .containsExactlyInAnyOrder("openid", "tenant:42");
    assertThat(tenants(tokens)).as(access(tokens).toString()).containsExactly("42");

    Reply refreshed = ok(refresh(http, clientId, tokens, null));
    assertThat(grantedScope(http, clientId, refreshed))
        .containsExactlyInAnyOrder("openid", "tenant:42");
    assertThat(tenants(refreshed)).containsExactly("42");

    Reply service = ok(clientCredentials(http, clientId, "tenant:7"));
    assertThat(grantedScope(http, clientId, service)).containsExactly("tenant:7");
    assertThat(tenants(service)).containsExactly("7");

    Reply code = ok(codeFlow(http, clientId, "openid tenant:9"));
    assertThat(grantedScope(http, clientId, code)).containsExactlyInAnyOrder("openid", "tenant:9");
    assertThat(tenants(code)).containsExactly("9");
  }

  @Test
  void aTenantKeycloakRefusesIsRefusedAsForAnUnboundClient(TestClient http) {
    String bound = bound(http, "openid", "tenant:*");
    String unbound = client(http, null, null);

    for (String scope : List.of("openid tenant:abc", "openid tenant:*")) {
      Reply stock = password(http, unbound, scope);
      Reply policed = password(http, bound, scope);
      assertThat(stock).as("unbound, " + scope).hasStatus(400).hasError("invalid_scope");
      assertThat(policed).as("bound, " + scope).hasStatus(400).hasError("invalid_scope");
    }
  }

  @Test
  void aTenantThePolicyDoesNotCoverIsDroppedOrRejected(TestClient http) {
    String ignoring = bound(http, "openid", "tenant:42");
    Reply dropped = ok(password(http, ignoring, "openid tenant:43"));
    assertThat(grantedScope(http, ignoring, dropped)).containsExactly("openid");
    assertThat(access(dropped).has("tenant")).isFalse();

    // the plain name is no value of tenant:*: dropped, where Keycloak alone refuses it (400)
    String any = bound(http, "openid", "tenant:*");
    Reply plain = ok(password(http, any, "openid tenant"));
    assertThat(grantedScope(http, any, plain)).containsExactly("openid");
    assertThat(access(plain).has("tenant")).isFalse();

    String rejecting = client(http, List.of("openid", "tenant:42"), "reject");
    Reply ok = ok(password(http, rejecting, "openid tenant:42"));
    assertThat(tenants(ok)).containsExactly("42");
    Reply refused = password(http, rejecting, "openid tenant:43");
    assertThat(refused).hasStatus(400).hasError("invalid_scope");
    assertThat(refused.json().path("error_description").asText()).contains("tenant:43");
  }
}
