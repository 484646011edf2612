package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One decision for every grant (contract I19, docs/adr/0028-every-grant.md): for a client bound to
 * a policy, every grant type the server offers answers with the scope its token carries, the same
 * that introspection shows and the request's event records; reject mode refuses with {@code
 * invalid_scope} where the grant asks for its scopes (the token endpoint, the authorization
 * endpoint, the device authorization endpoint, the backchannel authentication endpoint); CIBA asks
 * the user's device only for what the policy grants.
 *
 * <p>The client asks for {@code openid email phone}; its policy allows {@code openid email}: {@code
 * phone} is a scope Keycloak would grant, and its default client scopes ({@code profile}, {@code
 * roles}, …) are not allowed either.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class EveryGrantIT extends OnSharedKeycloak {

  private static final String USER = "grant-user";
  private static final String PASSWORD = "grant-user-password";
  private static final String CALLBACK = "http://localhost:3000/callback";
  private static final String ASKED = "openid email phone";
  private static final List<String> ALLOWED = List.of("openid", "email");

  /**
   * Every event that issues a token: Keycloak saves some ({@code REFRESH_TOKEN} among them) only
   * when the realm names them.
   */
  private static final List<String> EVENTS =
      List.of(
          "CLIENT_LOGIN",
          "LOGIN",
          "CODE_TO_TOKEN",
          "REFRESH_TOKEN",
          "TOKEN_EXCHANGE",
          "OAUTH2_DEVICE_CODE_TO_TOKEN",
          "AUTHREQID_TO_TOKEN");

  private static String realm;
  private static Flows.Client ignoring;
  private static Flows.Client rejecting;

  /** The JWT authorization grant's identity provider, where the server offers the grant. */
  private static JwtGrant jwtGrant;

  private static final String JWT_SUBJECT = "grant-user-at-the-idp";

  @BeforeAll
  static void setUp() {
    // every event that issues a token (Keycloak saves some, REFRESH_TOKEN among them, only when
    // named); the JWT grant's where the server offers it (see jwtAuthorizationGrant)
    realm =
        Fixtures.createRealm(
            http,
            "pbs-grants",
            Map.of(
                "eventsEnabled",
                true,
                "enabledEventTypes",
                EVENTS,
                "attributes",
                Fixtures.CIBA_POLL));
    Fixtures fixtures = new Fixtures(http, realm);
    String userId =
        fixtures.createUser(
            Fixtures.user(USER, PASSWORD, USER + "@example.invalid", "Grant", "User"));
    ignoring = boundClient(fixtures, "grants-ignore", null);
    rejecting = boundClient(fixtures, "grants-reject", "reject");
    if (JwtGrant.offered(http, realm)) {
      jwtGrant = JwtGrant.setUp(http, realm);
      jwtGrant.allow(fixtures.internalId(ignoring.clientId()));
      jwtGrant.allow(fixtures.internalId(rejecting.clientId()));
      jwtGrant.link(userId, JWT_SUBJECT);
      List<String> events = new ArrayList<>(EVENTS);
      events.add("JWT_AUTHORIZATION_GRANT");
      assertThat(
              http.admin(
                  "PUT", "realms/" + realm, Map.of("realm", realm, "enabledEventTypes", events)))
          .hasStatus(204);
    }
  }

  @AfterAll
  static void tearDown() {
    http.admin("DELETE", "realms/" + realm, null);
  }

  /**
   * A confidential client that may use every grant, bound to a policy allowing {@link #ALLOWED}.
   */
  private static Flows.Client boundClient(Fixtures fixtures, String prefix, String mode) {
    String clientId = Fixtures.unique(prefix);
    Map<String, Object> rep =
        Fixtures.signInClient(
            clientId,
            Fixtures.SECRET,
            CALLBACK,
            "fullScopeAllowed",
            false,
            "attributes",
            Map.of(
                "oauth2.device.authorization.grant.enabled",
                "true",
                "oidc.ciba.grant.enabled",
                "true",
                "ciba.backchannel.token.delivery.mode",
                "poll",
                "standard.token.exchange.enabled",
                "true"));
    String uuid = fixtures.createClientRepresentation(rep);
    fixtures.bind(uuid, fixtures.createPolicy(Fixtures.unique(prefix), ALLOWED, null, mode));
    return new Flows.Client(realm, clientId, Fixtures.SECRET);
  }

  // ---- response = token = introspection = event ----

  @Test
  void clientCredentials() {
    assertAgrees(
        ignoring,
        "client_credentials",
        token(ignoring, "grant_type", "client_credentials", "scope", ASKED));
  }

  @Test
  void password() {
    assertAgrees(ignoring, "password", password(ignoring, ASKED));
  }

  @Test
  void authorizationCode() throws Exception {
    assertAgrees(ignoring, "authorization_code", code(ignoring, ASKED));
  }

  @Test
  void refreshToken() {
    Reply first = password(ignoring, ASKED);
    assertAgrees(ignoring, "password", first);
    assertAgrees(
        ignoring,
        "refresh_token",
        token(
            ignoring,
            "grant_type",
            "refresh_token",
            "refresh_token",
            first.json().get("refresh_token").asText()));
  }

  @Test
  void tokenExchange() {
    Reply subject = password(ignoring, ASKED);
    assertAgrees(
        ignoring,
        "token exchange",
        token(
            ignoring,
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token",
            subject.json().get("access_token").asText(),
            "subject_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
            "scope",
            ASKED));
  }

  @Test
  void deviceGrant() throws Exception {
    assertAgrees(
        ignoring, "device_code", Flows.device(http, ignoring, USER, PASSWORD, ASKED).last());
  }

  @Test
  void ciba() throws Exception {
    Flows.Ciba ciba = Flows.ciba(http, ignoring, USER, ASKED);
    assertThat(ciba.deviceSaw()).as(ciba.authentication().body()).isNotNull();
    assertThat(set(ciba.deviceSaw().scope()))
        .as("the user's device is asked to approve only what the policy grants")
        .containsExactlyInAnyOrderElementsOf(ALLOWED);
    assertAgrees(ignoring, "ciba", ciba.last());
  }

  @Test
  void jwtAuthorizationGrant() {
    assumeTrue(jwtGrant != null, "this Keycloak offers no JWT authorization grant");
    assertAgrees(
        ignoring,
        "JWT authorization grant",
        jwtGrant.token(ignoring.clientId(), ignoring.secret(), JWT_SUBJECT, ASKED));
    assertRejected(
        new ArrayList<>(),
        "JWT authorization grant, reject mode",
        jwtGrant.token(rejecting.clientId(), rejecting.secret(), JWT_SUBJECT, ASKED));
    assertAgrees(
        rejecting,
        "JWT authorization grant, reject mode, allowed scopes",
        jwtGrant.token(rejecting.clientId(), rejecting.secret(), JWT_SUBJECT, "openid email"));
  }

  // ---- reject mode: invalid_scope where the grant asks for its scopes ----

  @Test
  void rejectModeRefusesEveryGrantWhereItAsksForScopes() throws Exception {
    List<String> refused = new ArrayList<>();
    assertRejected(
        refused,
        "client_credentials",
        token(rejecting, "grant_type", "client_credentials", "scope", ASKED));
    assertRejected(refused, "password", password(rejecting, ASKED));
    assertRejected(
        refused,
        "device authorization endpoint",
        Flows.device(http, rejecting, USER, PASSWORD, ASKED).authorization());
    assertRejected(
        refused,
        "backchannel authentication endpoint",
        Flows.ciba(http, rejecting, USER, ASKED).authentication());
    BrowserLogin.Redirect redirect =
        new BrowserLogin(http)
            .authorize(realm, rejecting.clientId(), CALLBACK, ASKED, USER, PASSWORD);
    assertThat(redirect.param("error"))
        .as(redirect.location().toString())
        .isEqualTo("invalid_scope");
    assertThat(redirect.param("error_description")).endsWith(": phone");
    assertThat(redirect.param("code")).isNull();
    System.out.println("Reject mode refused " + refused + " and the authorization endpoint");

    // what the policy allows is issued in reject mode too, in every grant
    assertAgrees(
        rejecting,
        "device_code",
        Flows.device(http, rejecting, USER, PASSWORD, "openid email").last());
    assertAgrees(rejecting, "ciba", Flows.ciba(http, rejecting, USER, "openid email").last());
    assertAgrees(rejecting, "authorization_code", code(rejecting, "openid email"));
  }

  private static void assertRejected(List<String> refused, String where, Reply reply) {
    assertThat(reply).as(where).hasStatus(400).hasError("invalid_scope");
    assertThat(reply.json().path("error_description").asText())
        .as(where)
        .isEqualTo("Scopes not allowed by the client's token policy: phone");
    assertThat(reply.body()).as(where).doesNotContain("access_token");
    refused.add(where);
  }

  // ---- the grants ----

  private static Reply password(Flows.Client client, String scope) {
    return token(
        client, "grant_type", "password", "username", USER, "password", PASSWORD, "scope", scope);
  }

  /** A token request of the client, authenticated with its secret. */
  private static Reply token(Flows.Client client, String... form) {
    List<String> all = new ArrayList<>(List.of("client_id", client.clientId()));
    all.addAll(List.of("client_secret", client.secret()));
    all.addAll(List.of(form));
    return http.token(realm, TestClient.form(all.toArray(String[]::new)));
  }

  private static Reply code(Flows.Client client, String scope) throws Exception {
    BrowserLogin browser = new BrowserLogin(http);
    BrowserLogin.Redirect redirect =
        browser.authorize(realm, client.clientId(), CALLBACK, scope, USER, PASSWORD);
    assertThat(redirect.param("code")).as(redirect.location().toString()).isNotNull();
    return browser.exchange(realm, client.clientId(), CALLBACK, redirect, client.secret());
  }

  /**
   * The answer is a token whose scope is what the policy allows, and the response's {@code scope},
   * the token's, introspection's and the request's event ({@code granted_scopes}) say the same.
   */
  private static void assertAgrees(Flows.Client client, String grant, Reply reply) {
    assertThat(reply).as(grant).hasStatus(200);
    String token = reply.json().get("access_token").asText();
    JsonNode claims = TestClient.claims(token);
    String claim = claims.path("scope").asText();
    assertThat(set(claim))
        .as(grant + ": the token's scope")
        .containsExactlyInAnyOrderElementsOf(ALLOWED);
    assertThat(reply.json().path("scope").asText())
        .as(grant + ": the response's scope")
        .isEqualTo(claim);
    Reply introspected = http.introspect(realm, client.clientId(), client.secret(), token);
    assertThat(introspected.json().path("active").asBoolean())
        .as(grant + ": active: " + introspected.body())
        .isTrue();
    assertThat(introspected.json().path("scope").asText())
        .as(grant + ": introspection's scope")
        .isEqualTo(claim);
    JsonNode event = eventOf(claims.path("jti").asText());
    assertThat(event).as(grant + ": an event names the token " + claims.path("jti")).isNotNull();
    assertThat(set(event.path("details").path("granted_scopes").asText()))
        .as(grant + ": the event's granted_scopes (" + event.path("type").asText() + ")")
        .isEqualTo(set(claim));
  }

  /** The realm's event that issued the token with this id ({@code token_id}), or null. */
  private static JsonNode eventOf(String tokenId) {
    Reply events = http.admin("GET", "realms/" + realm + "/events?max=200", null);
    assertThat(events).hasStatus(200);
    for (JsonNode event : events.json()) {
      if (tokenId.equals(event.path("details").path("token_id").asText())) {
        return event;
      }
    }
    return null;
  }

  private static TreeSet<String> set(String scopes) {
    return new TreeSet<>(Arrays.asList(scopes.trim().split(" +")));
  }
}
