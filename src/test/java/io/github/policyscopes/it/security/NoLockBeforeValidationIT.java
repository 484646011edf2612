package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.api.ConfigApi;
import org.junit.jupiter.api.Test;

/**
 * docs/contract.md, no lock before validation (issue 20, class 3; docs/adr/0025): a config API
 * write validates its input (shape, counts, lengths, the token policies it names) before it takes
 * the realm's write lock or claims any revision row, so that no lock is held for time an input can
 * grow. A write the API refuses for its input took no lock.
 *
 * <p>What makes the ordering observable without timing: a revision claim of an id longer than the
 * revision row's key holds fails in the database ({@code Revisions.Busy}, a 503 "busy"). A write
 * that claims before it checks answers such an input 503; one that checks first answers it as the
 * input deserves (400 naming the field, 404 for a member that cannot exist), and never 503.
 */
class NoLockBeforeValidationIT extends OnSharedKeycloak {

  /** What the API accepts in {@code tokenPolicies} of one client. */
  private static final int MAX_TOKEN_POLICIES = 64;

  /** Longer than the key of a revision row (128) can hold with the realm id and kind before it. */
  private static final String LONG_ID = "x".repeat(200);

  private static ObjectNode clientWithPolicies(String clientId, int count) {
    ObjectNode body = ConfigApi.clientBody(clientId);
    ArrayNode ids = body.putArray("tokenPolicies");
    for (int i = 0; i < count; i++) {
      ids.add(String.valueOf(i)); // short made-up ids: 8,400 of them fit in a body
    }
    return body;
  }

  /** A create of a managed client by a token that may do anything. */
  private static Reply createClient(Object body) {
    return api.post(fixtures.allPowerToken(), "config/clients", body);
  }

  /** Refused for its first token policy id, as an unknown (or impossible) one. */
  private static void assertFirstPolicyRefused(Reply reply) {
    assertThat(reply).hasStatus(400).hasJson("/field", "tokenPolicies[0]");
  }

  private static void assertLimitNamed(Reply reply) {
    assertThat(reply).hasStatus(400).hasError("invalid_request").hasJson("/field", "tokenPolicies");
    assertThat(reply.json().path("error_description").asText())
        .as(reply.toString())
        .contains("at most " + MAX_TOKEN_POLICIES);
  }

  @Test
  void aCreateNamingMoreTokenPoliciesThanTheLimitIs400NamingTheLimit() {
    String clientId = Fixtures.unique("too-many-policies");
    Reply created = createClient(clientWithPolicies(clientId, MAX_TOKEN_POLICIES + 1));
    assertLimitNamed(created);
    assertThat(fixtures.keycloakHasClient(clientId)).isFalse();
  }

  @Test
  void anUpdateNamingMoreTokenPoliciesThanTheLimitIs400NamingTheLimit() {
    String token = fixtures.allPowerToken();
    String clientId = Fixtures.unique("too-many-on-update");
    String id = api.createClient(token, clientId).get("id").asText();
    Reply updated = api.put(token, "config/clients/" + id, clientWithPolicies(clientId, 8_400));
    assertLimitNamed(updated);
  }

  @Test
  void theLimitItselfIsAnsweredAsUnknownPoliciesNotAsTheLimit() {
    // exactly the limit passes the count and is checked id by id: the first unknown one is named
    // (ids "0".."63": on main too, an answer of 400 for it; the limit does not change it)
    Reply created =
        createClient(clientWithPolicies(Fixtures.unique("at-the-limit"), MAX_TOKEN_POLICIES));
    assertFirstPolicyRefused(created);
  }

  @Test
  void aTokenPolicyIdNoKeycloakIdCanBeIsRefusedBeforeAnyClaim() {
    Reply created = createClient(ConfigApi.clientBody(Fixtures.unique("long-policy-id"), LONG_ID));
    assertFirstPolicyRefused(created);
    assertThat(created.body()).doesNotContain(LONG_ID);

    String token = fixtures.allPowerToken();
    String clientId = Fixtures.unique("long-policy-id-update");
    String id = api.createClient(token, clientId).get("id").asText();
    Reply updated = api.put(token, "config/clients/" + id, ConfigApi.clientBody(clientId, LONG_ID));
    assertFirstPolicyRefused(updated);
  }

  @Test
  void everyWriteToAMemberNoKeycloakIdCanNameIs404WithoutAClaim() {
    String token = fixtures.allPowerToken();
    String policy = "config/tokenPolicies/" + LONG_ID;
    String client = "config/clients/" + LONG_ID;
    assertThat(api.put(token, policy, ConfigApi.policyBody(Fixtures.unique("Long"), "openid")))
        .hasStatus(404);
    assertThat(api.delete(token, policy)).hasStatus(404);
    assertThat(api.put(token, client, ConfigApi.clientBody(Fixtures.unique("long-member"))))
        .hasStatus(404);
    assertThat(api.delete(token, client)).hasStatus(404);
    assertThat(api.post(token, client + "/secret", null)).hasStatus(404);
  }
}
