package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The realm of the parameterized-scope ITs ({@link ParameterizedScopesIT} on the shared server,
 * {@link ParameterizedScopesFeatureIT} on a server with {@code parameterized-scopes}), and the
 * requests and token readings they share. Organizations on: organizations {@code acme} and {@code
 * globex}, a user who is a member of both, and a client scope {@code tenant} marked parameterized
 * with type {@code integer} whose parameter Keycloak's own mapper puts into the claim {@code
 * tenant} (the mark means something only while the feature is on).
 */
final class ParameterRealm {

  static final String PASSWORD = "orgs-pass";
  static final String REDIRECT = "http://localhost:3000/callback";

  final TestClient http;
  final String realm;
  final String username;
  private final String tenantScopeId;

  private ParameterRealm(TestClient http, String realm, String username, String tenantScopeId) {
    this.http = http;
    this.realm = realm;
    this.username = username;
    this.tenantScopeId = tenantScopeId;
  }

  /** A new realm as described above, its organization scope as Keycloak creates it. */
  static ParameterRealm create(TestClient http) {
    String realm = Fixtures.createRealm(http, "orgs", Map.of("organizationsEnabled", true));
    Fixtures admin = new Fixtures(http, realm);
    String username = Fixtures.unique("member");
    String user =
        admin.createUser(
            Fixtures.user(username, PASSWORD, username + "@acme.example", "Olga", "Orgs"));
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
      String id = org.createdId();
      assertThat(http.admin("POST", "realms/" + realm + "/organizations/" + id + "/members", user))
          .hasStatus(201);
    }
    Map<String, String> claim = Fixtures.claimConfig("tenant");
    String tenantScopeId =
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
    return new ParameterRealm(http, realm, username, tenantScopeId);
  }

  /**
   * Marks the realm's Organizations scope parameterized (type {@code string}): what Keycloak 26.7.5
   * needs while {@code parameterized-scopes} is on, whose parser validates every scope parameter
   * and knows the Organizations scope only when it is marked itself; unmarked, Keycloak refuses
   * {@code organization:acme} for every client ({@code Invalid scopes: organization:acme}). Marked,
   * it reads {@code organization:acme} and {@code organization:*} as before, and its mapper maps
   * them. Without the feature the mark is ignored (by Keycloak, and by the extension). ADR 0030.
   */
  void markOrganizationScopeParameterized() {
    String scopes = "realms/" + realm + "/client-scopes";
    JsonNode organization = null;
    for (JsonNode scope : http.admin("GET", scopes, null).json()) {
      if ("organization".equals(scope.path("name").asText())) {
        organization = scope;
      }
    }
    assertThat(organization).as("the realm's organization client scope").isNotNull();
    @SuppressWarnings("unchecked")
    Map<String, Object> rep = new ObjectMapper().convertValue(organization, Map.class);
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
   * A confidential client of the realm (every grant, the tenant scope optional); bound to a new
   * policy of {@code allowed} and {@code mode} unless {@code allowed} is null.
   */
  String client(List<String> allowed, String mode) {
    Fixtures admin = new Fixtures(http, realm);
    String clientId = Fixtures.unique("orgs-client");
    String uuid =
        admin.createClientRepresentation(
            Fixtures.signInClient(clientId, Fixtures.SECRET, REDIRECT, "fullScopeAllowed", false));
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

  String bound(String... allowed) {
    return client(List.of(allowed), null);
  }

  String unbound() {
    return client(null, null);
  }

  Reply password(String clientId, String scope) {
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

  Reply clientCredentials(String clientId, String scope) {
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

  Reply refresh(String clientId, Reply tokens, String scope) {
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

  Reply codeFlow(String clientId, String scope) throws Exception {
    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(realm, clientId, REDIRECT, scope, username, PASSWORD);
    assertThat(redirect.param("code")).as(redirect.location().toString()).isNotNull();
    return browser.exchange(realm, clientId, REDIRECT, redirect, Fixtures.SECRET);
  }

  static Reply ok(Reply reply) {
    assertThat(reply).hasStatus(200);
    return reply;
  }

  static JsonNode access(Reply tokens) {
    return TestClient.claims(tokens.json().get("access_token").asText());
  }

  static List<String> words(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split(" +"));
  }

  /** The token response's {@code scope}, the access token's and introspection's: one set. */
  List<String> grantedScope(String clientId, Reply tokens) {
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
  static List<String> tenants(Reply tokens) {
    return claimValues(access(tokens).path("tenant"));
  }

  /** The organizations the access token's {@code organization} claim names (empty: no claim). */
  static List<String> organizations(Reply tokens) {
    return claimValues(access(tokens).path("organization"));
  }

  /** A claim's values: an array's texts, an object's names, else the one value (none if absent). */
  private static List<String> claimValues(JsonNode claim) {
    List<String> out = new ArrayList<>();
    if (claim.isArray()) {
      claim.forEach(v -> out.add(v.asText()));
    } else if (claim.isObject()) {
      claim.fieldNames().forEachRemaining(out::add);
    } else if (!claim.isMissingNode()) {
      out.add(claim.asText());
    }
    return out;
  }

  void assertAcmeOnly(String where, String clientId, Reply tokens) {
    assertThat(grantedScope(clientId, tokens))
        .as(where + " scope")
        .containsExactlyInAnyOrder("openid", "organization:acme");
    assertThat(organizations(tokens))
        .as(where + " organization claim: " + access(tokens))
        .containsExactly("acme");
  }
}
