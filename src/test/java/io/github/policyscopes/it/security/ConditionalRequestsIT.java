package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.api.ConfigApi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9110 §13 on members of the config API: {@code If-None-Match} on GET/HEAD answers 304 when a
 * tag matches, {@code If-None-Match: *} (or a matching tag) on PUT/DELETE of an existing resource
 * answers 412 and changes nothing.
 */
class ConditionalRequestsIT extends OnSharedKeycloak {

  private static String token;

  @BeforeAll
  static void setUp() {
    token = fixtures.allPowerToken();
  }

  private static String newPolicy() {
    return api.createPolicy(token, Fixtures.unique("Conditional"), "openid").get("id").asText();
  }

  @Test
  void getAndHeadWithAMatchingIfNoneMatchAre304() {
    String path = "config/tokenPolicies/" + newPolicy();
    Reply first = api.get(token, path);
    String etag = first.header("ETag");
    assertThat(etag).isNotNull();

    for (String ifNoneMatch :
        new String[] {etag, "\"other\", " + etag, "W/" + etag, "*", " " + etag + " "}) {
      for (String method : new String[] {"GET", "HEAD"}) {
        Reply reply = api.send(method, path, token, null, "If-None-Match", ifNoneMatch);
        assertThat(reply)
            .as(method + " If-None-Match " + ifNoneMatch)
            .hasStatus(304)
            .hasHeader("ETag", etag);
        assertThat(reply.body()).isEmpty();
      }
    }

    Reply stale = api.send("GET", path, token, null, "If-None-Match", "\"stale\"");
    assertThat(stale).hasStatus(200);
    assertThat(stale.json().path("id").asText()).isNotEmpty();
  }

  @Test
  void aConditionalGetOfAnUnreadableMemberIsStill403() {
    Reply reply =
        api.send(
            "GET",
            "config/tokenPolicies/" + Fixtures.CONFIG_POLICY_ID,
            token,
            null,
            "If-None-Match",
            "*");
    assertThat(reply).hasStatus(403);
  }

  @Test
  void putWithIfNoneMatchStarOnAnExistingResourceIs412AndChangesNothing() {
    String id = newPolicy();
    String path = "config/tokenPolicies/" + id;
    JsonNode before = api.get(token, path).json();
    String etag = api.get(token, path).header("ETag");
    ObjectNode changed = ConfigApi.policyBody(Fixtures.unique("Changed"), "openid", "email");

    for (String ifNoneMatch : new String[] {"*", etag, "\"x\", " + etag}) {
      Reply reply = api.send("PUT", path, token, changed, "If-None-Match", ifNoneMatch);
      assertThat(reply).as(ifNoneMatch).hasStatus(412).hasError("precondition_failed");
    }
    assertThat(api.get(token, path).json()).isEqualTo(before);

    Reply delete = api.send("DELETE", path, token, null, "If-None-Match", "*");
    assertThat(delete).hasStatus(412);
    assertThat(api.get(token, path)).hasStatus(200);

    // a tag that does not match is no obstacle
    Reply put = api.send("PUT", path, token, changed, "If-None-Match", "\"other\"");
    assertThat(put).hasStatus(200);
  }

  @Test
  void clientsAnswerConditionalRequestsToo() {
    String id = api.createClient(token, Fixtures.unique("conditional")).get("id").asText();
    String path = "config/clients/" + id;
    String etag = api.get(token, path).header("ETag");
    assertThat(api.send("GET", path, token, null, "If-None-Match", etag)).hasStatus(304);
    Reply put =
        api.send(
            "PUT",
            path,
            token,
            ConfigApi.clientBody(Fixtures.unique("renamed")),
            "If-None-Match",
            "*");
    assertThat(put).hasStatus(412);
    assertThat(api.get(token, path).header("ETag")).isEqualTo(etag);
  }
}
