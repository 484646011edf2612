package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Authentication of the config API (docs/config-api.md, "Request processing" 1): no bearer token is
 * a 401 {@code invalid_request} with a bare {@code Bearer realm="demo"} challenge; any token
 * Keycloak would not accept as this realm's access token is a 401 {@code invalid_token}.
 */
class ConfigApiTokenIT extends OnSharedKeycloak {

  private static final String PATH = "config/tokenPolicies";

  private static TestClient client;

  /**
   * A 401 {@code invalid_token} whose {@code error_description}, in the challenge and in the body
   * alike, starts with {@code description}: each kind of bad token gets words an operator can act
   * on (docs/config-api.md, "Errors").
   */
  private static void assertInvalidToken(Reply reply, String description) {
    assertThat(reply).isInvalidToken();
    String said = reply.json().path("error_description").asText();
    assertThat(said).as(reply.toString()).startsWith(description);
    assertThat(reply.header("WWW-Authenticate"))
        .contains("error_description=\"" + said.replace("\"", "\\\"") + "\"");
  }

  static final String NOT_A_JWT = "The access token is not a JWT";
  static final String BAD_SIGNATURE =
      "The access token's signature does not verify with this realm's keys";
  static final String EXPIRED = "The access token has expired; get a new one";
  static final String OTHER_REALM = "The access token was issued by another realm or server";
  static final String REVOKED = "The access token was revoked or is no longer valid";
  static final String NOT_ACCESS = "The token is not an access token";

  private static void assertNoToken(Reply reply) {
    assertThat(reply)
        .hasStatus(401)
        .hasHeader("WWW-Authenticate", "Bearer realm=\"demo\"")
        .hasError("invalid_request");
    assertThat(reply.json().path("error_description").isTextual()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "config/tokenPolicies",
        "config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350",
        "config/clients",
        "config/whoami"
      })
  void noAuthorizationHeaderIs401WithABareBearerChallenge(String path) {
    assertNoToken(api.get(null, path));
  }

  @Test
  void aWriteWithoutTokenIs401AndWritesNothing() {
    String title = Fixtures.unique("No token");
    assertNoToken(api.post(null, PATH, ConfigApi.policyBody(title, "openid")));
    assertThat(fixtures.clientScopes())
        .noneMatch(scope -> title.equals(scope.path("description").asText()));
  }

  @Test
  void anotherAuthorizationSchemeCountsAsNoBearerToken() {
    assertNoToken(
        api.send(
            "GET",
            PATH,
            null,
            null,
            "Authorization",
            "Basic Y29uZmlnLWFkbWluOmNvbmZpZy1hZG1pbi1zZWNyZXQ="));
  }

  @Test
  void aTokenInTheQueryStringIsNotAccepted() {
    String token = fixtures.configReader();
    assertNoToken(api.get(null, PATH + "?access_token=" + token));
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "a.b.c", "eyJhbGciOiJub25lIn0", "e30.e30.e30.e30"})
  void garbageIs401NotAJwt(String token) {
    assertInvalidToken(api.get(token, PATH), NOT_A_JWT);
  }

  @Test
  void anUnsignedTokenIs401BadSignature() {
    // alg none, claiming *:** and no issuer: nothing this realm signed
    String unsigned = "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Iio6KioifQ.";
    assertInvalidToken(api.get(unsigned, PATH), BAD_SIGNATURE);
  }

  @Test
  void aGarbageTokenIsNeverEchoed() {
    String marker = "<zqmarker>" + "q".repeat(5000);
    Reply reply = api.get(marker, PATH);
    assertInvalidToken(reply, NOT_A_JWT);
    assertThat(reply.body()).doesNotContain("zqmarker").doesNotContain("qqqqqqqq");
    assertThat(reply.header("WWW-Authenticate")).doesNotContain("zqmarker");
  }

  @Test
  void aTamperedSignatureIs401InvalidToken() {
    String token = fixtures.configReader();
    // flip one bit of the decoded signature (changing the last base64url character may only touch
    // its padding bits and leave the signature as it was)
    int dot = token.lastIndexOf('.');
    byte[] signature = java.util.Base64.getUrlDecoder().decode(token.substring(dot + 1));
    signature[signature.length / 2] ^= 0x01;
    String tampered =
        token.substring(0, dot + 1)
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    assertThat(api.get(token, PATH)).hasStatus(200);
    assertInvalidToken(api.get(tampered, PATH), BAD_SIGNATURE);
  }

  @Test
  void aTamperedPayloadIs401InvalidToken() {
    // a read-only token whose payload claims *:** — the signature no longer matches
    String token = fixtures.configReader();
    String[] parts = token.split("\\.");
    String payload =
        new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
            .replace("\".:**\"", "\"*:**\"");
    String forged =
        parts[0]
            + "."
            + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes())
            + "."
            + parts[2];
    assertInvalidToken(
        api.post(forged, PATH, ConfigApi.policyBody(Fixtures.unique("Forged"), "openid")),
        BAD_SIGNATURE);
  }

  @Test
  void anExpiredTokenIs401InvalidToken() throws InterruptedException {
    // Keycloak's per-client access token lifespan (seconds): 1 s instead of waiting for 60
    String clientId = Fixtures.unique("short-lived");
    String uuid =
        fixtures.createConfidentialClient(
            clientId,
            "serviceAccountsEnabled",
            true,
            "standardFlowEnabled",
            false,
            "attributes",
            Map.of("access.token.lifespan", "1"));
    fixtures.addAudience(uuid, clientId); // a token meant for the API (docs/adr/0026)
    String token = api.token(clientId, Fixtures.SECRET, null);

    long exp = TestClient.claims(token).get("exp").asLong();
    long waitMillis = (exp + 1) * 1000 - System.currentTimeMillis();
    assertThat(waitMillis).as("lifespan honoured (exp - now)").isLessThanOrEqualTo(3_000);
    Thread.sleep(Math.max(0, waitMillis));

    // the description tells expiry from every other reason: nothing else is wrong with it
    assertInvalidToken(api.get(token, "config/whoami"), EXPIRED);
    assertInvalidToken(api.get(token, PATH), EXPIRED);
  }

  @Test
  void aRevokedTokenIs401InvalidToken() {
    Fixtures.Bound bound = fixtures.boundClient("revoked", List.of(".:**"));
    String token = bound.token(".:**");
    assertThat(api.get(token, PATH)).hasStatus(200);

    Reply revoked =
        client.postForm(
            client.realmUrl(TestClient.REALM) + "/protocol/openid-connect/revoke",
            TestClient.form(
                "client_id",
                bound.clientId(),
                "client_secret",
                Fixtures.SECRET,
                "token",
                token,
                "token_type_hint",
                "access_token"));
    assertThat(revoked).hasStatus(200);

    assertInvalidToken(api.get(token, PATH), REVOKED);
    assertInvalidToken(api.get(token, "config/whoami"), REVOKED);
  }

  @Test
  void aTokenOfALoggedOutSessionIs401Revoked() {
    String username = Fixtures.unique("logout").toLowerCase(java.util.Locale.ROOT);
    String userId =
        fixtures.createUser(
            Fixtures.user(username, "pw", username + "@example.invalid", "Log", "Out"));
    Fixtures.Bound bound = fixtures.boundClient("logout", List.of(".:**"));
    Reply login = client.password(bound.clientId(), Fixtures.SECRET, username, "pw", ".:**");
    assertThat(login).hasStatus(200);
    String token = login.json().path("access_token").asText();
    assertThat(api.get(token, PATH)).hasStatus(200);

    Reply logout =
        client.admin("POST", "realms/" + TestClient.REALM + "/users/" + userId + "/logout", null);
    assertThat(logout).hasStatus(204);

    assertInvalidToken(api.get(token, PATH), REVOKED);
  }

  @Test
  void aTokenIssuedBeforeTheClientsNotBeforeIs401InvalidToken() throws InterruptedException {
    Fixtures.Bound bound = fixtures.boundClient("not-before", List.of(".:**"));
    String token = bound.token(".:**");
    assertThat(api.get(token, PATH)).hasStatus(200);
    Thread.sleep(1100); // notBefore has a resolution of one second; iat < notBefore is stale

    // the console's Client → Advanced → Revocation → "Set to now"
    String clients = "realms/" + TestClient.REALM + "/clients/" + bound.uuid();
    JsonNode representation = client.admin("GET", clients, null).json();
    ((com.fasterxml.jackson.databind.node.ObjectNode) representation)
        .put("notBefore", System.currentTimeMillis() / 1000);
    ((com.fasterxml.jackson.databind.node.ObjectNode) representation).remove("secret");
    Reply revoked = client.admin("PUT", clients, representation.toString());
    assertThat(revoked).hasStatus(204);
    Thread.sleep(1100); // a new token must be issued after notBefore

    assertInvalidToken(api.get(token, PATH), REVOKED);
    assertThat(api.get(bound.token(".:**"), PATH)).as("a new token works").hasStatus(200);
  }

  @Test
  void aTokenOfADisabledClientIs401InvalidToken() {
    Fixtures.Bound bound = fixtures.boundClient("disabled", List.of(".:**"));
    String token = bound.token(".:**");
    assertThat(api.get(token, PATH)).hasStatus(200);

    String clients = "realms/" + TestClient.REALM + "/clients/" + bound.uuid();
    JsonNode representation = client.admin("GET", clients, null).json();
    ((com.fasterxml.jackson.databind.node.ObjectNode) representation).put("enabled", false);
    ((com.fasterxml.jackson.databind.node.ObjectNode) representation).remove("secret");
    Reply disabled = client.admin("PUT", clients, representation.toString());
    assertThat(disabled).hasStatus(204);

    assertInvalidToken(api.get(token, PATH), REVOKED);
  }

  @Test
  void aTokenOfAnotherRealmIs401InvalidToken() {
    // the master realm's admin: all-powerful there, nothing here
    Reply reply = api.get(client.adminToken(), PATH);
    assertInvalidToken(reply, OTHER_REALM);
    // names the realm whose token is needed, never the token's own (attacker-chosen) issuer
    assertThat(reply.json().path("error_description").asText())
        .contains("realm demo")
        .doesNotContain("/realms/master");
    assertInvalidToken(api.get(client.adminToken(), "config/whoami"), OTHER_REALM);
  }

  @Test
  void anIdTokenAndARefreshTokenAreNotAccessTokens() {
    Fixtures.Bound bound = fixtures.boundClient("id-token", List.of("openid", ".:**"));
    Reply login = client.password(bound.clientId(), Fixtures.SECRET, "demo", "demo", "openid .:**");
    assertThat(login).hasStatus(200);
    JsonNode tokens = login.json();
    assertThat(tokens.path("id_token").isTextual()).as("an ID token: " + login).isTrue();
    assertThat(tokens.path("refresh_token").isTextual()).as("a refresh token: " + login).isTrue();

    assertThat(api.get(tokens.get("access_token").asText(), PATH))
        .as("the access token of the same response works")
        .hasStatus(200);
    assertInvalidToken(api.get(tokens.get("id_token").asText(), PATH), NOT_ACCESS);
    assertInvalidToken(api.get(tokens.get("id_token").asText(), "config/whoami"), NOT_ACCESS);
    assertInvalidToken(api.get(tokens.get("refresh_token").asText(), PATH), NOT_ACCESS);
    assertInvalidToken(api.get(tokens.get("refresh_token").asText(), "config/whoami"), NOT_ACCESS);
  }

  @Test
  void aValidTokenOfAnUnboundClientIsNotForTheApi() {
    // no policy put the client into aud: the token was not minted for the API (docs/adr/0026)
    String clientId = Fixtures.unique("unbound");
    fixtures.createClient(clientId, Fixtures.SECRET);
    String token = api.token(clientId, Fixtures.SECRET, null);

    Reply whoami = api.get(token, "config/whoami");
    assertThat(whoami).isInvalidToken();
    assertThat(whoami.header("WWW-Authenticate")).contains("audience");
    assertThat(api.get(token, PATH)).isInvalidToken();
  }

  @Test
  void aTokenOfAnUnboundClientNamingItselfIsAuthenticatedButHasNoPower() {
    String clientId = Fixtures.unique("unbound-aud");
    String uuid = fixtures.createClient(clientId, Fixtures.SECRET);
    fixtures.addAudience(uuid, clientId);
    String token = api.token(clientId, Fixtures.SECRET, null);

    Reply whoami = api.get(token, "config/whoami");
    assertThat(whoami).hasStatus(200).hasJson("/clientId", clientId);
    assertThat(api.get(token, PATH)).isInsufficientScope("GET", PATH);
  }

  @Test
  void theBearerSchemeIsCaseInsensitive() {
    // RFC 7235 §2.1: the auth-scheme is case-insensitive
    String token = fixtures.configReader();
    Reply reply =
        api.send(
            HttpRequest.newBuilder(URI.create(api.url(PATH)))
                .header("Authorization", "bearer " + token)
                .GET()
                .build());
    assertThat(reply).hasStatus(200);
  }
}
