package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static io.github.policyscopes.it.ReplyAssert.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * I4 Claims follow scopes: a client scope the policy drops (a default one like {@code profile} or
 * {@code email}, or a requested optional one like {@code microprofile-jwt}) contributes no claim to
 * the access token, the ID token, userinfo or introspection, in every grant and after refresh. The
 * positive controls show that the same claims do appear when the policy allows their scopes.
 */
class ClaimsFollowScopesIT extends OnSharedKeycloak {

  private static final String SECRET = "claims-secret";
  private static final String PASSWORD = "claims-pass";
  private static final String REDIRECT = "http://localhost:3000/callback";
  private static final String ASKED = "openid profile email microprofile-jwt";

  /** What profile (name, given/family name, username), email and microprofile-jwt (upn) add. */
  private static final List<String> PROFILE_CLAIMS =
      List.of("name", "given_name", "family_name", "preferred_username");

  private static final List<String> EMAIL_CLAIMS = List.of("email", "email_verified");
  private static final List<String> MICROPROFILE_CLAIMS = List.of("upn", "groups");

  private static List<String> all() {
    return concat(PROFILE_CLAIMS, EMAIL_CLAIMS, MICROPROFILE_CLAIMS);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }

  private record Fixture(String clientId, String uuid, String username, String policy) {}

  /** A user with names and an email, and a confidential client bound to a policy. */
  private static Fixture fixture(TestClient http, List<String> allowed) {
    Fixtures admin = new Fixtures(http);
    String username = Fixtures.unique("claims-user");
    admin.createUser(
        Fixtures.user(username, PASSWORD, username + "@example.com", "Claire", "Claims"));
    String clientId = Fixtures.unique("claims-client");
    String uuid =
        admin.createClientRepresentation(
            Fixtures.signInClient(
                clientId,
                SECRET,
                REDIRECT,
                "attributes",
                Map.of("standard.token.exchange.enabled", "true")));
    String policy = admin.createPolicy(Fixtures.unique("claims"), allowed, null, null);
    admin.bind(uuid, policy);
    return new Fixture(clientId, uuid, username, policy);
  }

  /**
   * A client scope of the operator's own, made a default scope of the client: a hardcoded claim (in
   * every token, userinfo, introspection and the token response) and an extra audience. Returns its
   * name.
   */
  private static String extraDefaultScope(TestClient http, Fixture f) {
    String realm = "realms/" + TestClient.REALM;
    String name = Fixtures.unique("claims-extra");
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("name", name);
    scope.put("protocol", "openid-connect");
    scope.put("attributes", Map.of("include.in.token.scope", "true"));
    String id = new Fixtures(http).createClientScope(scope);
    String models = realm + "/client-scopes/" + id + "/protocol-mappers/models";
    Map<String, String> claim = Fixtures.claimConfig("extra_claim");
    claim.put("claim.value", "extra");
    claim.put("access.tokenResponse.claim", "true");
    Reply hardcoded =
        http.admin(
            "POST",
            models,
            Map.of(
                "name", "extra claim",
                "protocol", "openid-connect",
                "protocolMapper", "oidc-hardcoded-claim-mapper",
                "config", claim));
    assertThat(hardcoded).hasStatus(201);
    Reply audience =
        http.admin(
            "POST",
            models,
            Map.of(
                "name", "extra audience",
                "protocol", "openid-connect",
                "protocolMapper", "oidc-audience-mapper",
                "config",
                    Map.of(
                        "included.custom.audience", "extra-api",
                        "access.token.claim", "true",
                        "introspection.token.claim", "true")));
    assertThat(audience).hasStatus(201);
    Reply bound =
        http.admin("PUT", realm + "/clients/" + f.uuid() + "/default-client-scopes/" + id, null);
    assertThat(bound).hasStatus(204);
    return name;
  }

  /**
   * A client scope of the operator's own with a hardcoded claim {@code claim} (in every token,
   * userinfo, introspection and the token response), attached to the client as a default or an
   * optional scope. Returns its name.
   */
  private static String ownScope(
      TestClient http,
      Fixture f,
      String prefix,
      String claim,
      Map<String, String> attributes,
      boolean optional) {
    String realm = "realms/" + TestClient.REALM;
    String name = Fixtures.unique(prefix);
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("name", name);
    scope.put("protocol", "openid-connect");
    scope.put("attributes", attributes);
    String id = new Fixtures(http).createClientScope(scope);
    Map<String, String> config = Fixtures.claimConfig(claim);
    config.put("claim.value", "present");
    config.put("access.tokenResponse.claim", "true");
    Reply hardcoded =
        http.admin(
            "POST",
            realm + "/client-scopes/" + id + "/protocol-mappers/models",
            Map.of(
                "name",
                claim,
                "protocol",
                "openid-connect",
                "protocolMapper",
                "oidc-hardcoded-claim-mapper",
                "config",
                config));
    assertThat(hardcoded).hasStatus(201);
    String kind = optional ? "/optional-client-scopes/" : "/default-client-scopes/";
    Reply bound = http.admin("PUT", realm + "/clients/" + f.uuid() + kind + id, null);
    assertThat(bound).hasStatus(204);
    return name;
  }

  private static Reply codeFlow(TestClient http, Fixture f, String scope) throws Exception {
    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(TestClient.REALM, f.clientId(), REDIRECT, scope, f.username(), PASSWORD);
    assertThat(redirect.param("code")).as(redirect.location().toString()).isNotNull();
    return ok(browser.exchange(TestClient.REALM, f.clientId(), REDIRECT, redirect, SECRET));
  }

  private static List<String> scopeClaim(Reply tokens) {
    return List.of(accessClaims(tokens).path("scope").asText().split(" "));
  }

  private static List<String> audience(JsonNode claims) {
    List<String> aud = new java.util.ArrayList<>();
    JsonNode node = claims.path("aud");
    if (node.isArray()) {
      node.forEach(a -> aud.add(a.asText()));
    } else if (node.isTextual()) {
      aud.add(node.asText());
    }
    return aud;
  }

  private static Reply password(TestClient http, Fixture f, String scope) {
    return ok(http.password(f.clientId(), SECRET, f.username(), PASSWORD, scope));
  }

  private static Reply refresh(TestClient http, Fixture f, Reply tokens) {
    return ok(http.refresh(f.clientId(), SECRET, tokens.refreshToken(), null));
  }

  private static Reply exchange(TestClient http, Fixture f, Reply tokens) {
    return ok(http.exchange(f.clientId(), SECRET, tokens.accessToken(), ASKED));
  }

  private static JsonNode accessClaims(Reply tokens) {
    return TestClient.claims(tokens.accessToken());
  }

  private static JsonNode idClaims(Reply tokens) {
    assertThat(tokens.json().has("id_token")).as(tokens.toString()).isTrue();
    return TestClient.claims(tokens.json().get("id_token").asText());
  }

  private static JsonNode userinfo(TestClient http, Reply tokens) {
    return ok(http.userinfo(TestClient.REALM, tokens.accessToken())).json();
  }

  private static JsonNode introspection(TestClient http, Fixture f, Reply tokens) {
    JsonNode json =
        ok(http.introspect(TestClient.REALM, f.clientId(), SECRET, tokens.accessToken())).json();
    assertThat(json.path("active").asBoolean()).as(json.toString()).isTrue();
    return json;
  }

  private static void assertLacks(String where, JsonNode claims, List<String> names) {
    for (String name : names) {
      assertThat(claims.has(name))
          .as(where + " must not carry '" + name + "': " + claims)
          .isFalse();
    }
  }

  private static void assertHas(String where, JsonNode claims, List<String> names) {
    for (String name : names) {
      assertThat(claims.has(name)).as(where + " must carry '" + name + "': " + claims).isTrue();
    }
  }

  /** Every place a claim can show up for one token response of a user, by name. */
  private static Map<String, JsonNode> places(TestClient http, Fixture f, Reply tokens) {
    Map<String, JsonNode> places = new LinkedHashMap<>();
    places.put("access token", accessClaims(tokens));
    places.put("ID token", idClaims(tokens));
    places.put("userinfo", userinfo(http, tokens));
    places.put("introspection", introspection(http, f, tokens));
    return places;
  }

  private static void assertNowhere(
      String grant, TestClient http, Fixture f, Reply tokens, List<String> names) {
    places(http, f, tokens)
        .forEach((where, claims) -> assertLacks(grant + " " + where, claims, names));
    assertLacks(grant + " token response", tokens.json(), names);
  }

  private static void assertEverywhere(
      String grant, TestClient http, Fixture f, Reply tokens, List<String> names) {
    places(http, f, tokens)
        .forEach((where, claims) -> assertHas(grant + " " + where, claims, names));
  }

  @Test
  void aPolicyOfOnlyOpenidGetsNoProfileEmailOrUpnClaimInThePasswordGrantRefreshAndExchange(
      TestClient http) {
    Fixture f = fixture(http, List.of("openid"));

    Reply tokens = password(http, f, ASKED);
    assertThat(accessClaims(tokens).path("scope").asText()).isEqualTo("openid");
    assertNowhere("password", http, f, tokens, all());

    Reply refreshed = refresh(http, f, tokens);
    assertNowhere("refresh", http, f, refreshed, all());

    Reply exchanged = exchange(http, f, tokens);
    assertLacks("exchange access token", accessClaims(exchanged), all());
  }

  @Test
  void aPolicyOfOnlyOpenidGetsNoProfileEmailOrUpnClaimInTheCodeFlow(TestClient http)
      throws Exception {
    Fixture f = fixture(http, List.of("openid"));
    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(TestClient.REALM, f.clientId(), REDIRECT, ASKED, f.username(), PASSWORD);
    assertThat(redirect.param("code")).as(redirect.location().toString()).isNotNull();

    Reply tokens = ok(browser.exchange(TestClient.REALM, f.clientId(), REDIRECT, redirect, SECRET));
    assertThat(accessClaims(tokens).path("scope").asText()).isEqualTo("openid");
    assertNowhere("code", http, f, tokens, all());

    Reply refreshed = refresh(http, f, tokens);
    assertNowhere("refresh after code", http, f, refreshed, all());
  }

  @Test
  void aServiceAccountTokenCarriesNoClaimOfADroppedScope(TestClient http) {
    Fixture f = fixture(http, List.of("openid"));

    Reply tokens = ok(http.clientCredentials(f.clientId(), SECRET, ASKED));
    assertLacks("client_credentials access token", accessClaims(tokens), all());
    assertLacks("client_credentials introspection", introspection(http, f, tokens), PROFILE_CLAIMS);
  }

  @Test
  void aScopeThePolicyAllowsKeepsItsClaimsWhileADroppedOneLosesThem(TestClient http) {
    Fixture f = fixture(http, List.of("openid", "email"));

    Reply tokens = password(http, f, ASKED);
    assertThat(accessClaims(tokens).path("scope").asText().split(" "))
        .containsExactlyInAnyOrder("openid", "email");
    assertEverywhere("password", http, f, tokens, EMAIL_CLAIMS);
    assertNowhere("password", http, f, tokens, concat(PROFILE_CLAIMS, MICROPROFILE_CLAIMS));
  }

  @Test
  void aDroppedScopeOfTheOperatorsOwnAddsNoClaimNoAudienceAndNothingToTheTokenResponse(
      TestClient http) {
    Fixture f = fixture(http, List.of("openid"));
    extraDefaultScope(http, f);

    Reply tokens = password(http, f, "openid");
    assertNowhere("password", http, f, tokens, List.of("extra_claim"));
    assertThat(audience(accessClaims(tokens)))
        .as("the dropped audience goes, the client's own stays")
        .contains(f.clientId())
        .doesNotContain("extra-api");
    assertThat(audience(introspection(http, f, tokens))).doesNotContain("extra-api");
  }

  @Test
  void aScopeOfTheOperatorsOwnThatThePolicyAllowsKeepsItsClaimsAudienceAndResponseClaim(
      TestClient http) {
    Fixture f = fixture(http, List.of("openid"));
    String extra = extraDefaultScope(http, f);
    Reply edited = new Fixtures(http).editPolicy(f.policy(), List.of("openid", extra), null, null);
    assertThat(edited).hasStatus(204);

    Reply tokens = password(http, f, "openid");
    assertEverywhere("password", http, f, tokens, List.of("extra_claim"));
    assertHas("password token response", tokens.json(), List.of("extra_claim"));
    assertThat(audience(accessClaims(tokens))).contains(f.clientId(), "extra-api");
  }

  @Test
  void anUnboundClientKeepsEveryClaimAsStockKeycloakIssuesIt(TestClient http) {
    Fixture bound = fixture(http, List.of("openid"));
    String clientId = Fixtures.unique("claims-unbound");
    String uuid = new Fixtures(http).createClient(clientId, SECRET);
    // stock Keycloak's default: full scope, so that the role-based claims (groups) are there too
    Reply fullScope =
        http.admin(
            "PUT",
            "realms/" + TestClient.REALM + "/clients/" + uuid,
            java.util.Map.of("id", uuid, "clientId", clientId, "fullScopeAllowed", true));
    assertThat(fullScope).hasStatus(204);
    Fixture unbound = new Fixture(clientId, null, bound.username(), null);

    Reply tokens = password(http, unbound, ASKED);
    assertHas("unbound access token", accessClaims(tokens), all());
    assertHas("unbound ID token", idClaims(tokens), all());
    assertHas("unbound userinfo", userinfo(http, tokens), concat(PROFILE_CLAIMS, EMAIL_CLAIMS));
  }

  @Test
  void positiveControlAPolicyAllowingTheScopesGetsTheirClaims(TestClient http) throws Exception {
    Fixture f = fixture(http, List.of("openid", "profile", "email", "microprofile-jwt"));

    Reply tokens = password(http, f, ASKED);
    assertEverywhere("password", http, f, tokens, concat(PROFILE_CLAIMS, EMAIL_CLAIMS));
    assertHas("password access token", accessClaims(tokens), MICROPROFILE_CLAIMS);
    assertHas("password ID token", idClaims(tokens), MICROPROFILE_CLAIMS);
    assertEverywhere("refresh", http, f, refresh(http, f, tokens), PROFILE_CLAIMS);

    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(TestClient.REALM, f.clientId(), REDIRECT, ASKED, f.username(), PASSWORD);
    Reply code = ok(browser.exchange(TestClient.REALM, f.clientId(), REDIRECT, redirect, SECRET));
    assertEverywhere("code", http, f, code, concat(PROFILE_CLAIMS, EMAIL_CLAIMS));
    assertHas("code access token", accessClaims(code), MICROPROFILE_CLAIMS);
  }

  /**
   * I4, issue 20 class 4: an optional client scope with "include in token scope" off never shows up
   * in {@code scope}, yet its mappers ran whenever it was asked for. Not allowed by the policy, it
   * contributes nothing: in the code flow, after refresh, in the password grant, in userinfo and
   * introspection.
   */
  @Test
  void anOptionalScopeWithoutAScopeEntryThatThePolicyDoesNotAllowAddsNoClaim(TestClient http)
      throws Exception {
    Fixture f = fixture(http, List.of("openid"));
    String hidden = hiddenScope(http, f);
    Map<String, Reply> grants = everyUserGrant(http, f, "openid " + hidden);
    assertThat(scopeClaim(grants.get("code"))).containsExactly("openid");
    grants.forEach((grant, tokens) -> assertNowhere(grant, http, f, tokens, HIDDEN_CLAIM));
  }

  private static final List<String> HIDDEN_CLAIM = List.of("hidden_claim");

  /** An optional scope of the client, not in {@code scope}, adding {@code hidden_claim}. */
  private static String hiddenScope(TestClient http, Fixture f) {
    return ownScope(
        http, f, "claims-hidden", "hidden_claim", Map.of("include.in.token.scope", "false"), true);
  }

  /** The code flow and the password grant asking for {@code scope}, and a refresh after each. */
  private static Map<String, Reply> everyUserGrant(TestClient http, Fixture f, String scope)
      throws Exception {
    Map<String, Reply> grants = new LinkedHashMap<>();
    Reply code = codeFlow(http, f, scope);
    grants.put("code", code);
    grants.put("refresh after code", refresh(http, f, code));
    Reply password = password(http, f, scope);
    grants.put("password", password);
    grants.put("refresh after password", refresh(http, f, password));
    return grants;
  }

  /**
   * The positive control of class 4: allowed by the policy, the same kind of scope keeps its claim
   * in every grant and token kind, after refresh too; being granted, it is named in {@code scope}.
   */
  @Test
  void anOptionalScopeWithoutAScopeEntryThatThePolicyAllowsKeepsItsClaim(TestClient http)
      throws Exception {
    Fixture f = fixture(http, List.of("openid"));
    String hidden = hiddenScope(http, f);
    Reply edited = new Fixtures(http).editPolicy(f.policy(), List.of("openid", hidden), null, null);
    assertThat(edited).hasStatus(204);
    Map<String, Reply> grants = everyUserGrant(http, f, "openid " + hidden);
    assertThat(scopeClaim(grants.get("code"))).containsExactlyInAnyOrder("openid", hidden);
    grants.forEach((grant, tokens) -> assertEverywhere(grant, http, f, tokens, HIDDEN_CLAIM));

    Reply plain = password(http, f, "openid");
    assertNowhere("password without asking for it", http, f, plain, HIDDEN_CLAIM);
  }

  /**
   * Issue 20 class 5: {@code orders:read} is a plain scope, not a parameter of the client scope
   * {@code orders} (Keycloak parameterizes only the Organizations scope and client scopes marked
   * parameterized, and only while their feature is on): a policy allowing only the former drops the
   * latter's claims, in the token request and after refresh. Allowed by name, they come back.
   */
  @Test
  void aGrantedScopeThatStartsWithAClientScopesNameDoesNotGrantThatClientScope(TestClient http)
      throws Exception {
    Fixture f = fixture(http, List.of("openid"));
    String orders =
        ownScope(
            http,
            f,
            "claims-orders",
            "orders_claim",
            Map.of("include.in.token.scope", "true"),
            false);
    Reply edited =
        new Fixtures(http).editPolicy(f.policy(), List.of("openid", orders + ":read"), null, null);
    assertThat(edited).hasStatus(204);
    List<String> claim = List.of("orders_claim");

    Reply password = password(http, f, "openid " + orders + ":read");
    assertThat(scopeClaim(password)).containsExactlyInAnyOrder("openid", orders + ":read");
    assertNowhere("password", http, f, password, claim);
    assertNowhere("refresh", http, f, refresh(http, f, password), claim);
    assertNowhere("code", http, f, codeFlow(http, f, "openid"), claim);

    Reply allowed =
        new Fixtures(http).editPolicy(f.policy(), List.of("openid", orders), null, null);
    assertThat(allowed).hasStatus(204);
    assertEverywhere("password, allowed by name", http, f, password(http, f, "openid"), claim);
  }
}
