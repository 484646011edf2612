package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CORS of the config API (docs/contract.md §4, issue 13.7): a preflight is answered on every path
 * under {@code config/}; an actual response carries {@code Access-Control-Allow-Origin} only for an
 * origin the caller's client allows, never on a 401 (no client is known) and never for a foreign
 * origin; the OpenAPI description may be read from anywhere, but without credentials.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class CorsIT extends OnSharedKeycloak {

  private static final String ORIGIN = "http://localhost:3000";
  private static final String EVIL = "http://evil.example";

  private static String browserToken;

  @BeforeAll
  static void setUp() {
    browserToken = fixtures.browserClient("cors-it", ORIGIN).token(".:**");
  }

  private static Reply from(String origin, String method, String path, String token) {
    return api.send(method, path, token, null, "Origin", origin);
  }

  private static void assertNoCors(Reply reply) {
    assertThat(reply).doesNotHaveHeader("Access-Control-Allow-Origin");
    assertThat(reply.header("Access-Control-Allow-Credentials"))
        .as(reply.toString())
        .isNotEqualTo("true");
  }

  private static void assertCors(Reply reply, String origin) {
    assertThat(reply).hasHeader("Access-Control-Allow-Origin", origin);
  }

  /**
   * The browser app's request from {@code origin}, answered {@code status}: CORS headers for its
   * own origin only, whatever the answer.
   */
  private static Reply browser(String origin, String method, String path, int status) {
    Reply reply = from(origin, method, path, browserToken);
    assertThat(reply).as(origin + " " + method + " " + path).hasStatus(status);
    if (origin.equals(ORIGIN)) {
      assertCors(reply, ORIGIN);
    } else {
      assertNoCors(reply);
    }
    return reply;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "config/tokenPolicies",
        "config/tokenPolicies/" + CONFIG_POLICY_ID,
        "config/tokenPolicies/x/y",
        "config/clients",
        "config/clients/x",
        "config/clients/x/secret",
        "config/clients/x/secret/y",
        "config/whoami",
        "config/openapi.json",
        "config/no/such/thing",
        "config"
      })
  void aPreflightIsAnsweredOnEveryPath(String path) {
    Reply preflight = api.preflight(path, ORIGIN, "PUT", "authorization, content-type");
    assertThat(preflight).as(path).hasStatus(200);
    assertThat(preflight.header("Access-Control-Allow-Methods"))
        .as(path + ": " + preflight)
        .contains("PUT")
        .contains("DELETE");
    assertThat(preflight.header("Access-Control-Allow-Headers"))
        .as(path + ": " + preflight)
        .containsIgnoringCase("Authorization");
    assertCors(preflight, ORIGIN);
  }

  @ParameterizedTest
  @ValueSource(strings = {ORIGIN, EVIL})
  void a401NamesNoOrigin(String origin) {
    for (String path : List.of("config/tokenPolicies", "config/whoami", "config/nope")) {
      Reply noToken = from(origin, "GET", path, null);
      assertThat(noToken).hasStatus(401);
      assertNoCors(noToken);
      Reply badToken = from(origin, "GET", path, "garbage");
      assertThat(badToken).hasStatus(401);
      assertNoCors(badToken);
    }
  }

  @Test
  void whoamiReflectsOnlyTheClientsOrigins() {
    Reply allowed = browser(ORIGIN, "GET", "config/whoami", 200);
    assertThat(allowed).hasHeader("Access-Control-Allow-Credentials", "true");

    assertThat(browser(EVIL, "GET", "config/whoami", 403)).hasError("invalid_origin");

    // config-reader has no web origins at all
    Reply reader = from(ORIGIN, "GET", "config/whoami", fixtures.configReader());
    assertThat(reader).hasStatus(403);
    assertNoCors(reader);
  }

  @Test
  void unknownPathsReflectOnlyTheClientsOrigins() {
    browser(ORIGIN, "GET", "config/no/such/thing", 404);

    assertThat(browser(ORIGIN, "GET", "config/tokenPolicies/a/b", 404)).hasError("not_found");

    // below a client: the routes the client's sub-resource adds do not swallow their neighbours
    for (String[] request :
        List.of(
            new String[] {"GET", "config/clients/x/secret/y"},
            new String[] {"GET", "config/clients/x/secretive"},
            new String[] {"GET", "config/clients/x/evaluate"},
            new String[] {"PUT", "config/clients/x/secret"},
            new String[] {"DELETE", "config/clients/x/evaluate/y"})) {
      assertThat(browser(ORIGIN, request[0], request[1], 404)).hasError("not_found");
    }

    for (String path : List.of("config/no/such/thing", "config/tokenPolicies/a/b")) {
      browser(EVIL, "GET", path, 403);
    }
  }

  @Test
  void refusalsForAnAllowedOriginAreReadableByTheBrowserApp() {
    assertThat(browser(ORIGIN, "DELETE", "config/tokenPolicies/" + CONFIG_POLICY_ID, 403))
        .hasError("insufficient_scope");

    Reply ok = browser(ORIGIN, "GET", "config/tokenPolicies", 200);
    assertThat(ok.header("Access-Control-Expose-Headers")).contains("ETag");
  }

  @Test
  void noOriginIsNoCorsRequest() {
    Reply reply = api.get(fixtures.configReader(), "config/tokenPolicies");
    assertThat(reply).hasStatus(200);
    assertNoCors(reply);
  }

  @Test
  void theOpenApiDescriptionIsReadableFromAnywhereWithoutCredentials() {
    Reply reply = from(EVIL, "GET", "config/openapi.json", null);
    assertThat(reply).hasStatus(200);
    assertThat(reply.header("Access-Control-Allow-Origin")).isIn(EVIL, "*");
    assertThat(reply.header("Access-Control-Allow-Credentials")).isNotEqualTo("true");
  }
}
