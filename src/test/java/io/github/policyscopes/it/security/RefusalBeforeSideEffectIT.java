package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import org.junit.jupiter.api.Test;

/**
 * invariant I11 of docs/contract.md, a refusal means nothing happened: a write sent with an {@code
 * Origin} the caller's client does not allow is refused with 403 {@code invalid_origin} before it
 * runs. For each kind of write (create a policy, update a client, delete a policy, rotate a secret)
 * the resource is unchanged afterwards and no admin event was recorded.
 */
class RefusalBeforeSideEffectIT extends OnSharedKeycloak {

  /** config-admin has no web origins: any foreign origin is refused for it. */
  private static final String EVIL = "http://evil.example";

  private static TestClient client;

  private static void assertOriginRefused(Reply reply) {
    assertThat(reply)
        .hasStatus(403)
        .hasError("invalid_origin")
        .doesNotHaveHeader("Access-Control-Allow-Origin");
  }

  private static int events(String resourcePath) {
    return fixtures.adminEvents(resourcePath).size();
  }

  @Test
  void aCreateWithADisallowedOriginCreatesNothing() {
    String token = fixtures.allPowerToken();
    String title = Fixtures.unique("Evil origin");
    assertOriginRefused(
        api.send(
            "POST",
            "config/tokenPolicies",
            token,
            ConfigApi.policyBody(title, "openid"),
            "Origin",
            EVIL));
    assertThat(fixtures.clientScopes())
        .noneMatch(scope -> scope.path("description").asText().contains(title));
    Reply list = api.get(token, "config/tokenPolicies?max=1000");
    assertThat(list.body()).doesNotContain(title);

    String clientId = Fixtures.unique("evil-origin-client");
    assertOriginRefused(
        api.send("POST", "config/clients", token, ConfigApi.clientBody(clientId), "Origin", EVIL));
    assertThat(fixtures.keycloakHasClient(clientId)).isFalse();
  }

  @Test
  void anUpdateWithADisallowedOriginChangesNothing() {
    String token = fixtures.allPowerToken();
    String clientId = Fixtures.unique("origin-update");
    String id = api.createClient(token, clientId).get("id").asText();
    String path = "config/clients/" + id;
    JsonNode before = api.get(token, path).json();
    int eventsBefore = events(path);

    // a change the same token may make: only the origin is wrong
    ObjectNode changed = before.deepCopy();
    changed.put("name", "renamed by a foreign origin");
    changed.put("enabled", false);
    assertOriginRefused(api.send("PUT", path, token, changed, "Origin", EVIL));

    assertThat(api.get(token, path).json()).isEqualTo(before);
    assertThat(events(path)).isEqualTo(eventsBefore);

    Reply sameWithoutOrigin = api.put(token, path, changed);
    assertThat(sameWithoutOrigin).hasStatus(200).hasJson("/enabled", false);
  }

  @Test
  void aDeleteWithADisallowedOriginDeletesNothing() {
    String token = fixtures.allPowerToken();
    String id =
        api.createPolicy(token, Fixtures.unique("Origin delete"), "openid").get("id").asText();
    String path = "config/tokenPolicies/" + id;
    int eventsBefore = events(path);

    assertOriginRefused(api.send("DELETE", path, token, null, "Origin", EVIL));

    assertThat(api.get(token, path)).hasStatus(200);
    assertThat(events(path)).isEqualTo(eventsBefore);

    // the same policy deleted by the same token without the foreign origin: it was only the origin
    assertThat(api.delete(token, path)).hasStatus(204);
  }

  @Test
  void aSecretRotationWithADisallowedOriginKeepsTheOldSecret() {
    String token = fixtures.allPowerToken();
    String clientId = Fixtures.unique("origin-rotate");
    JsonNode created = api.createClient(token, clientId);
    String id = created.get("id").asText();
    String secret = created.get("secret").asText();
    String path = "config/clients/" + id + "/secret";
    int eventsBefore = events("config/clients/" + id + "*");

    assertOriginRefused(api.send("POST", path, token, null, "Origin", EVIL));
    // reading the secret is a write-level request too
    assertOriginRefused(api.send("GET", path, token, null, "Origin", EVIL));

    assertThat(client.clientCredentials(clientId, secret, null))
        .as("the old secret still works")
        .hasStatus(200);
    assertThat(api.get(token, path).json().path("secret").asText()).isEqualTo(secret);
    assertThat(events("config/clients/" + id + "*")).isEqualTo(eventsBefore);
  }

  /**
   * Every other kind of refusal against the two writes with the worst side effects (a secret
   * rotation, a client update): token, path, scope, escalation, validation, precondition. After
   * each, the secret, the client and the admin events are as before.
   */
  @Test
  void everyKindOfRefusalLeavesTheSecretTheClientAndTheEventsAsTheyWere() {
    String token = fixtures.allPowerToken();
    String policy =
        api.createPolicy(token, Fixtures.unique("Refusals"), "*:config/clients/**", "*:config/x/**")
            .get("id")
            .asText();
    String clientId = Fixtures.unique("refusals");
    JsonNode created = api.createClient(token, clientId, policy);
    String id = created.get("id").asText();
    String path = "config/clients/" + id;
    String secretBefore = fixtures.keycloakSecret(id);
    JsonNode clientBefore = fixtures.keycloakClient(id);
    assertThat(clientBefore.path("secret").asText()).isNotEmpty();
    int eventsBefore = events(path + "*");
    // a token that may write clients, but not one whose policy grants more than it has
    Fixtures.Bound narrow =
        fixtures.boundClient("narrow", java.util.List.of("*:config/clients/**", ".:config/**"));
    String narrowToken = narrow.token("*:config/clients/** .:config/**");
    ObjectNode renamed = api.get(token, path).json().deepCopy();
    renamed.put("name", "renamed by a refused request");

    java.util.Map<String, Reply> refusals = new java.util.LinkedHashMap<>();
    refusals.put("no token", api.send("POST", path + "/secret", null, null));
    refusals.put("bad token", api.send("POST", path + "/secret", "garbage", null));
    refusals.put("path", api.raw("POST", "config/clients/x/../" + id + "/secret", token));
    refusals.put("scope", api.post(fixtures.configReader(), path + "/secret", null));
    refusals.put("escalation", api.post(narrowToken, path + "/secret", null));
    refusals.put("escalation (update)", api.put(narrowToken, path, renamed));
    refusals.put("validation", api.put(token, path, renamed.deepCopy().put("type", "sometimes")));
    refusals.put(
        "precondition", api.send("POST", path + "/secret", token, null, "If-Match", "\"stale\""));
    refusals.put(
        "precondition (update)", api.send("PUT", path, token, renamed, "If-Match", "\"stale\""));

    refusals.forEach((kind, reply) -> assertThat(reply).as(kind).hasStatusBetween(400, 499));
    assertThat(fixtures.keycloakSecret(id)).isEqualTo(secretBefore);
    assertThat(unordered(fixtures.keycloakClient(id))).isEqualTo(unordered(clientBefore));
    assertThat(events(path + "*")).isEqualTo(eventsBefore);
  }

  /** A client representation with its client-scope lists sorted: Keycloak keeps them as sets. */
  private static JsonNode unordered(JsonNode client) {
    ObjectNode copy = client.deepCopy();
    for (String field : java.util.List.of("defaultClientScopes", "optionalClientScopes")) {
      java.util.List<String> names = new java.util.ArrayList<>();
      client.path(field).forEach(name -> names.add(name.asText()));
      java.util.Collections.sort(names);
      com.fasterxml.jackson.databind.node.ArrayNode sorted = copy.putArray(field);
      names.forEach(sorted::add);
    }
    return copy;
  }

  @Test
  void theOriginIsRefusedBeforeTheBodyIsEvenRead() {
    // a body that would be a 400 or 415: the origin refusal comes first, like every other check
    assertOriginRefused(
        api.send(
            "POST",
            "config/tokenPolicies",
            fixtures.allPowerToken(),
            "not json",
            "Origin",
            EVIL,
            "Content-Type",
            "text/plain"));
  }
}
