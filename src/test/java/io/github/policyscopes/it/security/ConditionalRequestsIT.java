package io.github.policyscopes.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.RealmAdmin;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ApiFixtures;
import io.github.policyscopes.it.api.ConfigApi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 9110 §13 on members of the config API: {@code If-None-Match} on GET/HEAD answers 304 when a
 * tag matches, {@code If-None-Match: *} (or a matching tag) on PUT/DELETE of an existing resource
 * answers 412 and changes nothing.
 */
@ExtendWith(KeycloakServerExtension.class)
class ConditionalRequestsIT {

  private static ApiFixtures fixtures;
  private static ConfigApi api;
  private static String token;

  @BeforeAll
  static void setUp(TestClient client) {
    fixtures = new ApiFixtures(client);
    api = fixtures.api();
    token = fixtures.allPowerToken();
  }

  private static String newPolicy() {
    return api.createPolicy(token, RealmAdmin.unique("Conditional"), "openid").get("id").asText();
  }

  @Test
  void getAndHeadWithAMatchingIfNoneMatchAre304() {
    String path = "config/tokenPolicies/" + newPolicy();
    ConfigApi.Reply first = api.get(token, path);
    String etag = first.header("ETag");
    assertThat(etag).isNotNull();

    for (String ifNoneMatch :
        new String[] {etag, "\"other\", " + etag, "W/" + etag, "*", " " + etag + " "}) {
      for (String method : new String[] {"GET", "HEAD"}) {
        ConfigApi.Reply reply = api.send(method, path, token, null, "If-None-Match", ifNoneMatch);
        assertThat(reply.status()).as(method + " If-None-Match " + ifNoneMatch).isEqualTo(304);
        assertThat(reply.header("ETag")).isEqualTo(etag);
        assertThat(reply.body()).isEmpty();
      }
    }

    ConfigApi.Reply stale = api.send("GET", path, token, null, "If-None-Match", "\"stale\"");
    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.json().path("id").asText()).isNotEmpty();
  }

  @Test
  void aConditionalGetOfAnUnreadableMemberIsStill403() {
    ConfigApi.Reply reply =
        api.send(
            "GET",
            "config/tokenPolicies/" + ApiFixtures.CONFIG_POLICY_ID,
            token,
            null,
            "If-None-Match",
            "*");
    assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
  }

  @Test
  void putWithIfNoneMatchStarOnAnExistingResourceIs412AndChangesNothing() {
    String id = newPolicy();
    String path = "config/tokenPolicies/" + id;
    JsonNode before = api.get(token, path).json();
    String etag = api.get(token, path).header("ETag");
    ObjectNode changed = ConfigApi.policyBody(RealmAdmin.unique("Changed"), "openid", "email");

    for (String ifNoneMatch : new String[] {"*", etag, "\"x\", " + etag}) {
      ConfigApi.Reply reply = api.send("PUT", path, token, changed, "If-None-Match", ifNoneMatch);
      assertThat(reply.status()).as(ifNoneMatch + ": " + reply).isEqualTo(412);
      assertThat(reply.json().path("error").asText()).isEqualTo("precondition_failed");
    }
    assertThat(api.get(token, path).json()).isEqualTo(before);

    ConfigApi.Reply delete = api.send("DELETE", path, token, null, "If-None-Match", "*");
    assertThat(delete.status()).as(delete.toString()).isEqualTo(412);
    assertThat(api.get(token, path).status()).isEqualTo(200);

    // a tag that does not match is no obstacle
    ConfigApi.Reply put = api.send("PUT", path, token, changed, "If-None-Match", "\"other\"");
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
  }

  @Test
  void clientsAnswerConditionalRequestsToo() {
    String id = api.createClient(token, RealmAdmin.unique("conditional")).get("id").asText();
    String path = "config/clients/" + id;
    String etag = api.get(token, path).header("ETag");
    assertThat(api.send("GET", path, token, null, "If-None-Match", etag).status()).isEqualTo(304);
    ConfigApi.Reply put =
        api.send(
            "PUT",
            path,
            token,
            ConfigApi.clientBody(RealmAdmin.unique("renamed")),
            "If-None-Match",
            "*");
    assertThat(put.status()).as(put.toString()).isEqualTo(412);
    assertThat(api.get(token, path).header("ETag")).isEqualTo(etag);
  }
}
