package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outside review of issue 24's changes (every grant through one decision, parameterized scopes,
 * the DCR token policy ceiling): one test per finding, each failing while the finding stands.
 *
 * <p>One realm of its own, with a token policy ceiling for authenticated registrations (an initial
 * access token, Keycloak's own representation at {@code /clients-registrations/default}) that
 * allows {@code phone} only, and a user with an email address.
 */
class RegistrationCeilingAttacksIT extends OnSharedKeycloak {

  private static final String CEILING = "attack-ceiling";
  private static final String USER = "attack-user";
  private static final String PASSWORD = "attack-pass";
  private static final String EMAIL = "attack-user@example.invalid";
  private static final String REDIRECT = "http://localhost:1/cb";

  private static String realm;
  private static String ceilingId;
  private static Fixtures admin;

  @BeforeAll
  static void realmWithACeiling(TestClient client) {
    realm = Fixtures.createRealm(client, "attack24", Map.of());
    admin = new Fixtures(client, realm);
    admin.createUser(Fixtures.user(USER, PASSWORD, EMAIL, "Attack", "User"));
    ceilingId = admin.createPolicy(CEILING, List.of("phone"), null, null);
    assertThat(admin.addCeiling("authenticated", CEILING)).hasStatus(201);
  }

  /**
   * Finding 1: the ceiling decides the client scopes a registrant names, but not the protocol
   * mappers it brings on the client itself. Keycloak's default "Allowed Protocol Mapper Types"
   * policy lets a registrant add a user property or attribute mapper; a client's own mappers are
   * "infrastructure" at issuance, so their claims reach the token whatever the ceiling allows.
   */
  @Test
  void aRegistrantsOwnProtocolMapperBringsClaimsTheCeilingDoesNotAllow() {
    Map<String, Object> mapper = new LinkedHashMap<>();
    mapper.put("name", "mail");
    mapper.put("protocol", "openid-connect");
    mapper.put("protocolMapper", "oidc-usermodel-property-mapper");
    mapper.put(
        "config",
        Map.of(
            "user.attribute", "email",
            "claim.name", "email",
            "jsonType.label", "String",
            "access.token.claim", "true",
            "id.token.claim", "true",
            "userinfo.token.claim", "true",
            "introspection.token.claim", "true"));
    String clientId = Fixtures.unique("mapper-agent");
    Reply registered =
        register(
            registrant(
                clientId, "directAccessGrantsEnabled", true, "protocolMappers", List.of(mapper)));
    assertRefused(
        registered,
        clientId,
        "a registrant's own protocol mapper would carry claims past the ceiling: refused",
        "brings no protocol mapper of its own");

    // a pairwise subject (changes sub only) is still welcome
    Map<String, Object> pairwise = new LinkedHashMap<>();
    pairwise.put("name", "pairwise subject");
    pairwise.put("protocol", "openid-connect");
    pairwise.put("protocolMapper", "oidc-sha256-pairwise-sub-mapper");
    pairwise.put("config", Map.of("sectorIdentifierUri", "", "pairwiseSubAlgorithmSalt", "salt"));
    String pairwiseId = Fixtures.unique("pairwise-agent");
    assertThat(
            register(
                registrant(
                    pairwiseId,
                    "directAccessGrantsEnabled",
                    true,
                    "redirectUris",
                    List.of(REDIRECT),
                    "protocolMappers",
                    List.of(pairwise))))
        .hasStatus(201);
    assertThat(boundScopes(pairwiseId)).contains(CEILING);
  }

  /**
   * Finding 2: a registered client that lost its ceiling is refused only by the grant wrappers; the
   * implicit flow (which a registrant may enable) issues its access token at the authorization
   * endpoint, where no wrapper runs and no policy mapper is left to refuse: a stock token.
   */
  @Test
  void aClientThatLostItsCeilingStillGetsStockTokensThroughTheImplicitFlow() throws Exception {
    String clientId = Fixtures.unique("implicit-agent");
    Reply registered =
        register(
            registrant(
                clientId,
                "standardFlowEnabled",
                true,
                "implicitFlowEnabled",
                true,
                "directAccessGrantsEnabled",
                true,
                "redirectUris",
                List.of(REDIRECT)));
    assertThat(registered).hasStatus(201);
    String uuid = admin.internalId(clientId);
    assertThat(boundScopes(clientId)).contains(CEILING);

    admin.unbind(uuid, ceilingId); // the console's "remove" of the default client scope
    // the token endpoint refuses it, as ADR 0029 says
    assertThat(password(clientId, "email")).hasStatus(400).hasError("unauthorized_client");

    URI auth =
        URI.create(
            http.realmUrl(realm)
                + "/protocol/openid-connect/auth?response_type=token"
                + "&client_id="
                + enc(clientId)
                + "&redirect_uri="
                + enc(REDIRECT)
                + "&scope="
                + enc("openid email profile")
                + "&state=s1&nonce=n1");
    URI back = new BrowserLogin(http).signIn(auth, USER, PASSWORD);

    Map<String, String> fragment = params(back.getRawFragment());
    assertThat(fragment.get("error")).as(back.toString()).isEqualTo("unauthorized_client");
    assertThat(fragment.get("access_token"))
        .as(
            "a client that lost its registration ceiling got a stock access token through the"
                + " implicit flow (scope %s)",
            fragment.containsKey("access_token")
                ? TestClient.claims(fragment.get("access_token")).path("scope").asText()
                : "-")
        .isNull();
  }

  /**
   * Finding 3: a registrant that asks for another protocol ({@code saml}) is not bound: Keycloak
   * adds a client scope to a client of the same protocol only, so the ceiling's OIDC policy is
   * silently left out, while the registration succeeds and the client gets SAML assertions (every
   * user attribute its own saml-user-attribute mappers, allowed by default, ask for).
   */
  @Test
  void aSamlRegistrationIsNotBoundToTheCeiling() {
    String clientId = "urn:" + Fixtures.unique("saml-agent");
    Reply registered =
        register(
            Map.of(
                "clientId",
                clientId,
                "protocol",
                "saml",
                "redirectUris",
                List.of(REDIRECT),
                "attributes",
                Map.of("saml_assertion_consumer_url_post", REDIRECT)));
    assertRefused(
        registered,
        clientId,
        "a SAML client cannot be bound to an OpenID Connect policy: refused",
        "only OpenID Connect clients");
  }

  /**
   * A registrant cannot set this extension's client attributes: not the hand-over to the config API
   * ({@code pbs.managed}), not the ceiling mark (reviewer's finding on this session's change).
   */
  @Test
  void aRegistrantCannotSetTheExtensionsAttributes() {
    for (String attribute : List.of("pbs.managed", "pbs.registration.ceiling")) {
      String clientId = Fixtures.unique("marker-agent");
      Reply registered = register(registrant(clientId, "attributes", Map.of(attribute, "true")));
      assertRefused(registered, clientId, attribute, "cannot set the attribute " + attribute);
    }
  }

  // ---- helpers ----

  /** The ceiling refused the registration ({@code why}) saying {@code said}: no client was made. */
  private static void assertRefused(Reply registered, String clientId, String why, String said) {
    assertThat(registered).as(why).hasStatus(403).hasError("insufficient_scope");
    assertThat(registered.json().path("error_description").asText()).as(why).contains(said);
    assertThat(admin.keycloakHasClient(clientId)).as(why).isFalse();
  }

  /** A registrant's representation: its clientId, its secret and {@code more} (name, value, …). */
  private static Map<String, Object> registrant(String clientId, Object... more) {
    Map<String, Object> rep = new LinkedHashMap<>();
    rep.put("clientId", clientId);
    rep.put("secret", "s3cret");
    return Fixtures.with(rep, more);
  }

  /** An authenticated registration (an initial access token) of Keycloak's own representation. */
  private static Reply register(Map<String, Object> rep) {
    return http.send(
        HttpRequest.newBuilder(URI.create(http.realmUrl(realm) + "/clients-registrations/default"))
            .header("Authorization", "Bearer " + admin.initialAccessToken())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(TestClient.toJson(rep))));
  }

  /** The password grant of the attack user through {@code clientId} (secret {@code s3cret}). */
  private static Reply password(String clientId, String scope) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type", "password",
            "client_id", clientId,
            "client_secret", "s3cret",
            "username", USER,
            "password", PASSWORD,
            "scope", scope));
  }

  private static List<String> boundScopes(String clientId) {
    Reply reply =
        http.admin(
            "GET",
            "realms/" + realm + "/clients/" + admin.internalId(clientId) + "/default-client-scopes",
            null);
    assertThat(reply).hasStatus(200);
    List<String> names = new ArrayList<>();
    reply.json().forEach(s -> names.add(s.get("name").asText()));
    return names;
  }

  private static Map<String, String> params(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      String[] kv = pair.split("=", 2);
      out.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return out;
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
