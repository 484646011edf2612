package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.api.ApiFixtures.CONFIG_POLICY_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.RealmAdmin;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ApiFixtures;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CORS of the config API (SPEC §4, issue 13.7): a preflight is answered on every path under {@code
 * config/}; an actual response carries {@code Access-Control-Allow-Origin} only for an origin the
 * caller's client allows, never on a 401 (no client is known) and never for a foreign origin; the
 * OpenAPI description may be read from anywhere, but without credentials.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
@ExtendWith(KeycloakServerExtension.class)
class CorsIT {

  private static final String ORIGIN = "http://localhost:3000";
  private static final String EVIL = "http://evil.example";

  private static ApiFixtures fixtures;
  private static ConfigApi api;
  private static String browserToken;

  @BeforeAll
  static void setUp(TestClient client) {
    fixtures = new ApiFixtures(client);
    api = fixtures.api();
    String clientId = RealmAdmin.unique("cors-it");
    String uuid =
        fixtures.createClientRepresentation(
            Map.of(
                "clientId", clientId,
                "enabled", true,
                "publicClient", false,
                "secret", ApiFixtures.SECRET,
                "serviceAccountsEnabled", true,
                "standardFlowEnabled", false,
                "webOrigins", List.of(ORIGIN)));
    String policy =
        fixtures
            .admin()
            .createPolicy(RealmAdmin.unique("cors-it"), List.of(".:**", "web-origins"), null, null);
    fixtures.admin().bind(uuid, policy);
    browserToken = api.token(clientId, ApiFixtures.SECRET, ".:**");
  }

  private static ConfigApi.Reply from(String origin, String method, String path, String token) {
    return api.send(method, path, token, null, "Origin", origin);
  }

  private static void assertNoCors(ConfigApi.Reply reply) {
    assertThat(reply.header("Access-Control-Allow-Origin")).as(reply.toString()).isNull();
    assertThat(reply.header("Access-Control-Allow-Credentials"))
        .as(reply.toString())
        .isNotEqualTo("true");
  }

  private static void assertCors(ConfigApi.Reply reply, String origin) {
    assertThat(reply.header("Access-Control-Allow-Origin")).as(reply.toString()).isEqualTo(origin);
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
    ConfigApi.Reply preflight =
        api.send(
            "OPTIONS",
            path,
            null,
            null,
            "Origin",
            ORIGIN,
            "Access-Control-Request-Method",
            "PUT",
            "Access-Control-Request-Headers",
            "authorization, content-type");
    assertThat(preflight.status()).as(path + ": " + preflight).isEqualTo(200);
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
      ConfigApi.Reply noToken = from(origin, "GET", path, null);
      assertThat(noToken.status()).as(noToken.toString()).isEqualTo(401);
      assertNoCors(noToken);
      ConfigApi.Reply badToken = from(origin, "GET", path, "garbage");
      assertThat(badToken.status()).as(badToken.toString()).isEqualTo(401);
      assertNoCors(badToken);
    }
  }

  @Test
  void whoamiReflectsOnlyTheClientsOrigins() {
    ConfigApi.Reply allowed = from(ORIGIN, "GET", "config/whoami", browserToken);
    assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
    assertCors(allowed, ORIGIN);
    assertThat(allowed.header("Access-Control-Allow-Credentials")).isEqualTo("true");

    ConfigApi.Reply foreign = from(EVIL, "GET", "config/whoami", browserToken);
    assertThat(foreign.status()).as(foreign.toString()).isEqualTo(403);
    assertThat(foreign.json().path("error").asText()).isEqualTo("invalid_origin");
    assertNoCors(foreign);

    // config-reader has no web origins at all
    ConfigApi.Reply reader = from(ORIGIN, "GET", "config/whoami", fixtures.configReader());
    assertThat(reader.status()).as(reader.toString()).isEqualTo(403);
    assertNoCors(reader);
  }

  @Test
  void unknownPathsReflectOnlyTheClientsOrigins() {
    ConfigApi.Reply allowed = from(ORIGIN, "GET", "config/no/such/thing", browserToken);
    assertThat(allowed.status()).as(allowed.toString()).isEqualTo(404);
    assertCors(allowed, ORIGIN);

    ConfigApi.Reply deep = from(ORIGIN, "GET", "config/tokenPolicies/a/b", browserToken);
    assertThat(deep.status()).as(deep.toString()).isEqualTo(404);
    assertThat(deep.json().path("error").asText()).isEqualTo("not_found");
    assertCors(deep, ORIGIN);

    // below a client: the routes the client's sub-resource adds do not swallow their neighbours
    for (String[] request :
        List.of(
            new String[] {"GET", "config/clients/x/secret/y"},
            new String[] {"GET", "config/clients/x/secretive"},
            new String[] {"GET", "config/clients/x/evaluate"},
            new String[] {"PUT", "config/clients/x/secret"},
            new String[] {"DELETE", "config/clients/x/evaluate/y"})) {
      ConfigApi.Reply below = from(ORIGIN, request[0], request[1], browserToken);
      assertThat(below.status()).as(below.toString()).isEqualTo(404);
      assertThat(below.json().path("error").asText()).as(below.toString()).isEqualTo("not_found");
      assertCors(below, ORIGIN);
    }

    for (String path : List.of("config/no/such/thing", "config/tokenPolicies/a/b")) {
      ConfigApi.Reply foreign = from(EVIL, "GET", path, browserToken);
      assertThat(foreign.status()).as(foreign.toString()).isEqualTo(403);
      assertNoCors(foreign);
    }
  }

  @Test
  void refusalsForAnAllowedOriginAreReadableByTheBrowserApp() {
    ConfigApi.Reply denied =
        from(ORIGIN, "DELETE", "config/tokenPolicies/" + CONFIG_POLICY_ID, browserToken);
    assertThat(denied.status()).as(denied.toString()).isEqualTo(403);
    assertThat(denied.json().path("error").asText()).isEqualTo("insufficient_scope");
    assertCors(denied, ORIGIN);

    ConfigApi.Reply ok = from(ORIGIN, "GET", "config/tokenPolicies", browserToken);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    assertCors(ok, ORIGIN);
    assertThat(ok.header("Access-Control-Expose-Headers")).contains("ETag");
  }

  @Test
  void noOriginIsNoCorsRequest() {
    ConfigApi.Reply reply = api.get(fixtures.configReader(), "config/tokenPolicies");
    assertThat(reply.status()).isEqualTo(200);
    assertNoCors(reply);
  }

  @Test
  void theOpenApiDescriptionIsReadableFromAnywhereWithoutCredentials() {
    ConfigApi.Reply reply = from(EVIL, "GET", "config/openapi.json", null);
    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
    assertThat(reply.header("Access-Control-Allow-Origin")).isIn(EVIL, "*");
    assertThat(reply.header("Access-Control-Allow-Credentials")).isNotEqualTo("true");
  }
}
