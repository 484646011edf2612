package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.Fixtures.STICKY_DENY;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Why can this token do that: {@code config/whoami} with and without a decision, the OpenAPI
 * description without a token, and CORS for browser callers.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class ConfigApiWhoamiIT extends OnSharedKeycloak {

  private static final String ORIGIN = "http://localhost:3000";

  private static JsonNode whoami(String token, String query) {
    Reply reply = api.get(token, "config/whoami" + query);
    assertThat(reply).hasStatus(200);
    return reply.json();
  }

  private static String query(String method, String path) {
    return "?"
        + (method == null ? "" : "method=" + method + "&")
        + "path="
        + URLEncoder.encode(path, StandardCharsets.UTF_8);
  }

  @Test
  void whoamiSplitsTheScopesAndStatesTheExpiry() {
    String token = fixtures.configAdmin("openid *:**");
    JsonNode me = whoami(token, "");
    assertThat(me.get("clientId").asText()).isEqualTo("config-admin");
    assertThat(me.get("subject").asText()).isEqualTo(TestClient.claims(token).get("sub").asText());
    assertThat(ConfigApi.strings(me.get("scopes"), "grants")).containsExactly("*:**");
    assertThat(ConfigApi.strings(me.get("scopes"), "denies")).containsExactly(STICKY_DENY);
    assertThat(ConfigApi.strings(me.get("scopes"), "plain")).containsExactly("openid");
    assertThat(me.get("expiresAt").asLong())
        .isEqualTo(TestClient.claims(token).get("exp").asLong());
    assertThat(me.get("expiresIn").asLong()).isBetween(1L, 300L);
    assertThat(me.has("decision")).isFalse();
  }

  @Test
  void whoamiNamesTheUserOfAUserToken() {
    Fixtures.Bound bound = fixtures.boundClient("whoami-user", List.of(".:**"));
    Reply login = api.client().password(bound.clientId(), Fixtures.SECRET, "demo", "demo", ".:**");
    assertThat(login).hasStatus(200);
    JsonNode me = whoami(login.json().get("access_token").asText(), "");
    assertThat(me.get("clientId").asText()).isEqualTo(bound.clientId());
    assertThat(me.path("username").asText()).isEqualTo("demo");
    assertThat(ConfigApi.strings(me.get("scopes"), "grants")).containsExactly(".:**");

    // a service account is no user: no username
    assertThat(whoami(bound.token(".:**"), "").has("username")).isFalse();
  }

  @Test
  void whoamiOfATokenWithoutScope() {
    JsonNode me = whoami(fixtures.configAdmin("XXXXX"), "");
    assertThat(me.get("clientId").asText()).isEqualTo("config-admin");
    assertThat(me.get("scopes").path("grants")).isEmpty();
    assertThat(me.get("scopes").path("denies")).isEmpty();
    assertThat(me.get("scopes").path("plain")).isEmpty();
  }

  @Test
  void theDecisionExplainsADeny() {
    String path = "config/tokenPolicies/" + CONFIG_POLICY_ID;
    JsonNode decision = whoami(fixtures.allPowerToken(), query("GET", path)).get("decision");
    assertThat(decision.get("method").asText()).isEqualTo("GET");
    assertThat(decision.get("path").asText()).isEqualTo(path);
    assertThat(decision.get("allowed").asBoolean()).isFalse();
    assertThat(decision.get("requiredScope").asText()).isEqualTo(".:" + path);
    assertThat(decision.get("reason").asText()).contains(STICKY_DENY);
  }

  @Test
  void theDecisionExplainsAGrantAndAMissingScope() {
    JsonNode allowed =
        whoami(fixtures.allPowerToken(), query("PUT", "config/clients/abc")).get("decision");
    assertThat(allowed.get("allowed").asBoolean()).isTrue();
    assertThat(allowed.get("requiredScope").asText()).isEqualTo("*:config/clients/abc");
    assertThat(allowed.get("reason").asText()).contains("*:**");

    // method defaults to GET; a secret needs write
    JsonNode secret =
        whoami(fixtures.configReader(), query(null, "config/clients/abc/secret")).get("decision");
    assertThat(secret.get("method").asText()).isEqualTo("GET");
    assertThat(secret.get("allowed").asBoolean()).isFalse();
    assertThat(secret.get("requiredScope").asText()).isEqualTo("*:config/clients/abc/secret");
    assertThat(secret.get("reason").asText()).isNotBlank();

    JsonNode collection =
        whoami(
                fixtures.configAdmin("*:config/tokenPolicies"),
                query("GET", "config/tokenPolicies/x"))
            .get("decision");
    assertThat(collection.get("allowed").asBoolean()).isFalse();
    assertThat(collection.get("requiredScope").asText()).isEqualTo(".:config/tokenPolicies/x");
  }

  @Test
  void theDecisionAgreesWithTheRealRequest() {
    String policy =
        api.createPolicy(fixtures.allPowerToken(), Fixtures.unique("Agree"), "openid")
            .get("id")
            .asText();
    List<String[]> requests =
        List.of(
            new String[] {"GET", "config/tokenPolicies"},
            new String[] {"GET", "config/tokenPolicies/" + policy},
            new String[] {"GET", "config/tokenPolicies/" + CONFIG_POLICY_ID},
            new String[] {"DELETE", "config/tokenPolicies/" + CONFIG_POLICY_ID},
            new String[] {"GET", "config/clients"},
            new String[] {"POST", "config/tokenPolicies"});
    for (String scope :
        List.of(".:config/clients/*", "*:config/tokenPolicies", "*:config/tokenPolicies/**")) {
      String token = fixtures.configAdmin(scope);
      for (String[] r : requests) {
        boolean allowed =
            whoami(token, query(r[0], r[1])).get("decision").get("allowed").asBoolean();
        Reply real =
            "POST".equals(r[0])
                ? api.post(token, r[1], ConfigApi.policyBody(Fixtures.unique("Agree new"), "x"))
                : api.send(r[0], r[1], token, null, "If-Match", "\"never-matches\"");
        assertThat(real.status() != 403)
            .as(scope + " " + r[0] + " " + r[1] + " -> " + real)
            .isEqualTo(allowed);
      }
    }
  }

  /**
   * The dry run is decided as its route is (a read of its client, a deny of its own path still
   * refusing), and whoami explains that decision, not the one for a write on the evaluate path.
   */
  @Test
  void theDecisionOfTheDryRunIsItsRoutes() {
    Fixtures.Bound bound = fixtures.handedOver("agree-eval", List.of("openid"));
    String path = "config/clients/" + bound.uuid() + "/evaluate";
    String reader = fixtures.configAdmin(".:config/**");
    JsonNode allowed = whoami(reader, query("POST", path)).get("decision");
    Reply real = api.post(reader, path, ConfigApi.map("scope", "openid"));
    assertThat(real).hasStatus(200);
    assertThat(allowed.get("allowed").asBoolean()).as(allowed.toString()).isTrue();
    assertThat(allowed.get("requiredScope").asText()).isEqualTo(".:config/clients/" + bound.uuid());

    String denied = fixtures.configAdmin(".:config/** -:" + path);
    JsonNode refused = whoami(denied, query("POST", path)).get("decision");
    assertThat(api.post(denied, path, ConfigApi.map("scope", "openid"))).hasStatus(403);
    assertThat(refused.get("allowed").asBoolean()).as(refused.toString()).isFalse();
    assertThat(refused.get("reason").asText()).contains("-:" + path);
  }

  @Test
  void aNonCanonicalPathInTheQueryIs400() {
    assertThat(api.get(fixtures.configReader(), "config/whoami" + query("GET", "config//clients")))
        .isInvalidRequest();
    assertThat(api.get(fixtures.configReader(), "config/whoami" + query("GET", "config/../config")))
        .isInvalidRequest();
  }

  @Test
  void theOpenApiDescriptionNeedsNoToken() {
    Reply reply = api.get(null, "config/openapi.json");
    assertThat(reply).hasStatus(200);
    assertThat(reply.header("Content-Type")).startsWith("application/json");
    JsonNode doc = reply.json();
    assertThat(doc.get("openapi").asText()).startsWith("3.0");
    List<String> paths = new ArrayList<>();
    doc.get("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths)
        .anyMatch(p -> p.contains("tokenPolicies"))
        .anyMatch(p -> p.contains("clients"))
        .anyMatch(p -> p.contains("secret"))
        .anyMatch(p -> p.contains("whoami"));
  }

  // ---- CORS ----

  /** An own confidential client with web origin {@value #ORIGIN}, bound to {@code .:**}. */
  private static Fixtures.Bound browserClient() {
    return fixtures.browserClient("cors", ORIGIN);
  }

  @Test
  void anAllowedOriginGetsAccessControlAllowOrigin() {
    Fixtures.Bound bound = browserClient();
    String token = bound.token(".:**");
    Reply reply = api.send("GET", "config/tokenPolicies", token, null, "Origin", ORIGIN);
    assertThat(reply).hasStatus(200).hasHeader("Access-Control-Allow-Origin", ORIGIN);

    Reply whoami = api.send("GET", "config/whoami", token, null, "Origin", ORIGIN);
    assertThat(whoami).hasHeader("Access-Control-Allow-Origin", ORIGIN);

    // an error the browser app must be able to read
    Reply denied =
        api.send(
            "DELETE", "config/tokenPolicies/" + CONFIG_POLICY_ID, token, null, "Origin", ORIGIN);
    assertThat(denied).hasStatus(403).hasHeader("Access-Control-Allow-Origin", ORIGIN);
  }

  @Test
  void anotherOriginGetsNoAccessControlAllowOrigin() {
    Fixtures.Bound bound = browserClient();
    Reply reply =
        api.send(
            "GET",
            "config/tokenPolicies",
            bound.token(".:**"),
            null,
            "Origin",
            "http://evil.example");
    // as Keycloak's own endpoints do (Cors.checkAllowedOrigins): 403 for an origin the client
    // does not allow, with no Access-Control-Allow-Origin
    assertThat(reply).hasStatus(403).hasError("invalid_origin");
    assertThat(reply.header("Access-Control-Allow-Origin"))
        .as(reply.toString())
        .isNotIn("http://evil.example", "*");
    // the demo reader has no web origins at all
    Reply reader =
        api.send("GET", "config/tokenPolicies", fixtures.configReader(), null, "Origin", ORIGIN);
    assertThat(reader).hasStatus(403);
    assertThat(reader.header("Access-Control-Allow-Origin")).isNotIn(ORIGIN, "*");
    // and no Origin at all (a server-side caller) is not a CORS request
    assertThat(api.get(fixtures.configReader(), "config/tokenPolicies")).hasStatus(200);
  }

  @Test
  void aPreflightNeedsNoTokenAndAnswers200() {
    for (String path :
        List.of(
            "config/tokenPolicies",
            "config/tokenPolicies/" + CONFIG_POLICY_ID,
            "config/clients/x/secret")) {
      Reply preflight = api.preflight(path, ORIGIN, "PUT", "authorization, content-type, if-match");
      assertThat(preflight).as(path).hasStatus(200);
    }
  }
}
