package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.Fixtures.STICKY_DENY;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code POST config/clients/{id}/evaluate}, the dry run: it answers what a real token request of
 * the client gets (compared with one), names the covering entry or why none covers, the sticky
 * denies, and obeys the API's security rules; it issues no token and writes nothing.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class EvaluateIT extends OnSharedKeycloak {

  private static String configAdminUuid;

  @BeforeAll
  static void setUp() {
    configAdminUuid = fixtures.internalId("config-admin");
  }

  private static Reply evaluate(String token, String clientUuid, Object body) {
    return api.post(token, "config/clients/" + clientUuid + "/evaluate", body);
  }

  private static JsonNode evaluated(String token, String clientUuid, String scope) {
    Reply reply = evaluate(token, clientUuid, Map.of("scope", scope));
    assertThat(reply).hasStatus(200);
    return reply.json();
  }

  /** The explanation of one scope in an evaluation. */
  private static JsonNode scope(JsonNode evaluation, String scope) {
    for (JsonNode s : evaluation.path("scopes")) {
      if (s.path("scope").asText().equals(scope)) {
        return s;
      }
    }
    throw new AssertionError("no " + scope + " in " + evaluation);
  }

  /** The {@code scope} of a real token response, "" when absent. */
  private static String realScope(String clientId, String secret, String scope) {
    Reply reply = http.clientCredentials(clientId, secret, scope);
    assertThat(reply).hasStatus(200);
    return reply.json().path("scope").asText("");
  }

  @Test
  void allowedScopesNameTheirEntryAndPolicyAndMatchARealToken() {
    Fixtures.Bound bound =
        fixtures.handedOver("eval-allowed", List.of(".:config/**", "profile", "email"));
    JsonNode e = evaluated(fixtures.configReader(), bound.uuid(), ".:config/clients profile");

    assertThat(e.path("clientId").asText()).isEqualTo(bound.clientId());
    assertThat(e.path("grantType").asText()).isEqualTo("client_credentials");
    assertThat(e.path("bound").asBoolean()).isTrue();
    assertThat(e.path("outcome").asText()).isEqualTo("granted_all");
    JsonNode clients = scope(e, ".:config/clients");
    assertThat(clients.path("granted").asBoolean()).isTrue();
    assertThat(clients.path("source").asText()).isEqualTo("requested");
    assertThat(clients.path("entry").asText()).isEqualTo(".:config/**");
    assertThat(clients.path("policies").get(0).path("id").asText()).isEqualTo(bound.policyId());
    // email is a default client scope of the client: Keycloak adds it, the policy allows it
    assertThat(scope(e, "email").path("source").asText()).isEqualTo("default");
    assertThat(scope(e, "email").path("granted").asBoolean()).isTrue();
    assertThat(e.path("stickyDenies").size()).isZero();

    String real = realScope(bound.clientId(), Fixtures.SECRET, ".:config/clients profile");
    assertThat(List.of(e.path("scope").asText().split(" ")))
        .containsExactlyInAnyOrderElementsOf(List.of(real.split(" ")));
  }

  @Test
  void droppedScopesSayWhyAndTheRealTokenLacksThem() {
    String reader = fixtures.internalId("config-reader");
    String asked = "*:config/tokenPolicies XXXXX .:config/clients *:a//b";
    JsonNode e = evaluated(fixtures.configReader(), reader, asked);

    assertThat(e.path("outcome").asText()).isEqualTo("dropped_some");
    assertThat(scope(e, "*:config/tokenPolicies").path("granted").asBoolean()).isFalse();
    assertThat(scope(e, "*:config/tokenPolicies").path("reason").asText())
        .isEqualTo("only read access: .:** covers the path, not write");
    assertThat(scope(e, "XXXXX").path("reason").asText()).isEqualTo("no allowed entry is XXXXX");
    assertThat(scope(e, "*:a//b").path("reason").asText()).startsWith("malformed config scope");
    assertThat(scope(e, ".:config/clients").path("entry").asText()).isEqualTo(".:**");
    // Keycloak's default scopes of config-reader, dropped by its read-only policy
    assertThat(scope(e, "profile").path("granted").asBoolean()).isFalse();
    assertThat(scope(e, "profile").path("source").asText()).isEqualTo("default");
    assertThat(e.path("scope").asText())
        .isEqualTo(realScope("config-reader", "config-reader-secret", asked))
        .isEqualTo(".:config/clients");
  }

  @Test
  void stickyDeniesAreListedWithTheirPolicyAndMatchARealToken() {
    // the README's example: config-reader asks what config-admin would get
    JsonNode e = evaluated(fixtures.configReader(), configAdminUuid, "*:config/clients/** XXXXX");
    System.out.println("evaluate config-admin: " + e.toPrettyString());

    assertThat(e.path("stickyDenies").size()).isEqualTo(1);
    JsonNode deny = e.path("stickyDenies").get(0);
    assertThat(deny.path("scope").asText()).isEqualTo(STICKY_DENY);
    assertThat(deny.path("policies").get(0).path("id").asText()).isEqualTo(CONFIG_POLICY_ID);
    assertThat(deny.path("policies").get(0).path("title").asText())
        .isEqualTo("Configuration token policy");
    assertThat(e.path("scope").asText())
        .isEqualTo(realScope("config-admin", "config-admin-secret", "*:config/clients/** XXXXX"))
        .isEqualTo("*:config/clients/** " + STICKY_DENY);
    assertThat(scope(e, "XXXXX").path("granted").asBoolean()).isFalse();
    // nothing asked: no config grant, so no sticky deny
    assertThat(
            evaluated(fixtures.configReader(), configAdminUuid, "openid")
                .path("stickyDenies")
                .size())
        .isZero();
  }

  @Test
  void rejectModeIsARejectionAsARealRequestIs() {
    Fixtures.Bound strict = fixtures.boundClient("eval-strict", List.of(".:config/**"));
    fixtures.editPolicy(strict.policyId(), List.of(".:config/**"), null, "reject");
    fixtures.handOver(strict.uuid());
    JsonNode e = evaluated(fixtures.configReader(), strict.uuid(), "*:config/x");
    assertThat(e.path("outcome").asText()).isEqualTo("rejected");
    assertThat(e.path("error").asText()).isEqualTo("invalid_scope");
    assertThat(e.has("scope")).isFalse();
    assertThat(e.path("disallowedScopes").asText()).isEqualTo("reject");

    Reply real = http.clientCredentials(strict.clientId(), Fixtures.SECRET, "*:config/x");
    assertThat(real).hasStatus(400).hasError("invalid_scope");
  }

  @Test
  void moreDeniesThanARequestMayAddAreARejectionAsARealRequestIs() {
    // ignore mode: the limit holds whatever the policy says (issue 20, bounded memory)
    Fixtures.Bound bound = fixtures.handedOver("eval-denies", List.of("openid", ".:config/**"));
    StringBuilder denies = new StringBuilder("openid");
    for (int i = 0; i < 17; i++) {
      denies.append(" -:config/clients/deny-").append(i);
    }
    JsonNode e = evaluated(fixtures.configReader(), bound.uuid(), denies.toString());
    assertThat(e.path("outcome").asText()).isEqualTo("rejected");
    assertThat(e.path("error").asText()).isEqualTo("invalid_scope");
    assertThat(e.path("errorDescription").asText()).contains("16");
    assertThat(e.has("scope")).isFalse();
    Reply real = http.clientCredentials(bound.clientId(), Fixtures.SECRET, denies.toString());
    assertThat(real).hasStatus(400).hasError("invalid_scope");
    assertThat(real.json().path("error_description").asText())
        .isEqualTo(e.path("errorDescription").asText());

    // sixteen are fine, in the dry run and for real
    String sixteen = denies.substring(0, denies.lastIndexOf(" -:"));
    JsonNode fine = evaluated(fixtures.configReader(), bound.uuid(), sixteen);
    assertThat(fine.path("outcome").asText()).isNotEqualTo("rejected");
    assertThat(fine.path("scope").asText()).contains("deny-15");
    assertThat(realScope(bound.clientId(), Fixtures.SECRET, sixteen)).contains("deny-15");
  }

  @Test
  void aDeniedClientIsThe403OfItsGet() {
    Fixtures.Bound denied =
        fixtures.handedOver(
            "eval-denied", List.of(".:config/clients/**", "-:config/clients/" + configAdminUuid));
    String token = denied.token(".:config/clients/**");

    Reply get = api.get(token, "config/clients/" + configAdminUuid);
    Reply post = evaluate(token, configAdminUuid, Map.of("scope", "openid"));
    assertThat(get).isInsufficientScope("GET", "config/clients/" + configAdminUuid);
    assertThat(post).hasStatus(403);
    assertThat(post.body()).isEqualTo(get.body());
    assertThat(post).hasHeader("WWW-Authenticate", get.header("WWW-Authenticate"));

    // a token that may not read clients at all: the same, too
    String policiesOnly = fixtures.configAdmin("*:config/tokenPolicies");
    assertThat(evaluate(policiesOnly, configAdminUuid, Map.of()).body())
        .isEqualTo(api.get(policiesOnly, "config/clients/" + configAdminUuid).body());
  }

  @Test
  void aDenyOfTheDryRunItselfWinsOverReadingItsClient() {
    Fixtures.Bound target = fixtures.handedOver("eval-target", List.of("openid"));
    String evaluatePath = "config/clients/" + target.uuid() + "/evaluate";
    Fixtures.Bound caller =
        fixtures.handedOver("eval-nodry", List.of(".:config/**", "-:" + evaluatePath));
    String token = caller.token(".:config/**");
    assertThat(api.get(token, "config/clients/" + target.uuid())).hasStatus(200);

    Reply post = evaluate(token, target.uuid(), Map.of("scope", "openid"));
    assertThat(post).hasStatus(403).hasError("insufficient_scope");
  }

  @Test
  void anUnknownOrUnmanagedClientIsThe404OfItsGet() {
    String reader = fixtures.configReader();
    Reply unknown = evaluate(reader, "no-such-client", Map.of("scope", "openid"));
    assertThat(unknown).hasStatus(404).hasError("not_found");

    // a bound client nobody handed over does not exist for the API
    Fixtures.Bound notHanded = fixtures.boundClient("eval-unmanaged", List.of(".:**"));
    assertThat(api.get(reader, "config/clients/" + notHanded.uuid())).hasStatus(404);
    Reply unmanaged = evaluate(reader, notHanded.uuid(), Map.of("scope", "openid"));
    assertThat(unmanaged).hasStatus(404);
    assertThat(unmanaged.body()).doesNotContain(notHanded.clientId());
  }

  @Test
  void aPolicyTheCallerCannotReadIsNeitherEvaluatedNorNamed() {
    // config-admin's token carries the sticky deny on its own policy: it reads the client, not
    // the policy that governs it
    String admin = fixtures.allPowerToken();
    assertThat(api.get(admin, "config/clients/" + configAdminUuid)).hasStatus(200);
    Reply reply = evaluate(admin, configAdminUuid, Map.of("scope", "*:**"));
    assertThat(reply).hasStatus(403).hasError("insufficient_scope");
    assertThat(reply.body()).doesNotContain(CONFIG_POLICY_ID).doesNotContain("Configuration");
  }

  @Test
  void anUnboundClientIsLeftToKeycloak() {
    String uuid = fixtures.createClient(Fixtures.unique("eval-unbound"), "s3cret-x");
    fixtures.handOver(uuid);
    JsonNode e = evaluated(fixtures.configReader(), uuid, "XXXXX");
    assertThat(e.path("bound").asBoolean()).isFalse();
    assertThat(e.has("outcome")).isFalse();
    assertThat(e.path("notes").get(0).asText()).contains("no token policy");
  }

  @Test
  void theBodyIsValidatedLikeTheRestOfTheApi() {
    String reader = fixtures.configReader();
    String path = "config/clients/" + configAdminUuid + "/evaluate";

    assertThat(
            api.send("POST", path, reader, "{\"scope\":\"openid\"}", "Content-Type", "text/plain"))
        .hasStatus(415);
    Reply unknownField = evaluate(reader, configAdminUuid, Map.of("scopes", "openid"));
    assertThat(unknownField).isInvalidRequest();
    assertThat(unknownField).hasJson("/field", "scopes");
    Reply grant = evaluate(reader, configAdminUuid, Map.of("grantType", "implicit"));
    assertThat(grant).isInvalidRequest();
    assertThat(grant).hasJson("/field", "grantType");
    Reply notText = evaluate(reader, configAdminUuid, Map.of("scope", List.of("a")));
    assertThat(notText).hasJson("/field", "scope");
    Reply tooLong = evaluate(reader, configAdminUuid, Map.of("scope", "a".repeat(4001)));
    assertThat(tooLong).isInvalidRequest();
    assertThat(tooLong).hasJson("/field", "scope");
    assertThat(api.send("POST", path, reader, "[1]")).hasStatus(400);
    // password: the same decision, and Keycloak's own switch is mentioned when it is off
    JsonNode password =
        evaluate(reader, configAdminUuid, Map.of("scope", ".:**", "grantType", "password")).json();
    assertThat(password.path("grantType").asText()).isEqualTo("password");
    assertThat(password.path("notes").toString()).contains("direct access grants are off");
  }

  @Test
  void itIssuesNoTokenAndWritesNothing() {
    Fixtures.Bound fresh =
        fixtures.handedOver("eval-nothing", List.of("*:config/**", "-:config/x"));
    List<Integer> statuses = new ArrayList<>();
    for (String scope : List.of("*:config/clients", "XXXXX", "")) {
      statuses.add(
          evaluate(fixtures.configReader(), fresh.uuid(), Map.of("scope", scope)).status());
    }
    assertThat(statuses).containsOnly(200);
    // no token request ever happened for this client, and nothing was written
    assertThat(fixtures.events("CLIENT_LOGIN", fresh.clientId())).isEmpty();
    assertThat(fixtures.adminEvents("config/clients/" + fresh.uuid())).isEmpty();
    // the client can still get exactly what the evaluation said
    assertThat(realScope(fresh.clientId(), Fixtures.SECRET, "*:config/clients"))
        .contains("*:config/clients")
        .contains("-:config/x");
    assertThat(fixtures.events("CLIENT_LOGIN", fresh.clientId())).hasSize(1);
  }
}
