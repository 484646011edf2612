package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.Revisions;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No lock before validation (docs/adr/0025, issue 20 class 3): the realm's write lock and the
 * revision claims are taken only for input that passed the lock-free checks, and those checks bound
 * what the work under the lock can grow with.
 *
 * <p>Why a structural test: the order is a property of the code, not of timing. {@link
 * Writes#inTransaction} takes only {@link Checked} input, which only the lock-free checks make, and
 * every claim goes through {@link Writes#claim}, which only code under that lock calls. The ITs
 * (it/security/NoLockBeforeValidationIT) show the same from outside.
 */
class CheckBeforeLockTest {

  @Test
  void theWriteLockIsTakenOnlyForCheckedInput() {
    List<Method> entries =
        Arrays.stream(Writes.class.getDeclaredMethods())
            .filter(m -> m.getName().equals("inTransaction"))
            .toList();
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).getParameterTypes())
        .containsExactly(
            org.keycloak.models.KeycloakSession.class, Checked.class, Writes.Work.class);
  }

  @Test
  void onlyTheLockFreeChecksMakeCheckedInput() {
    List<String> callers = KeycloakGlue.callersOf(Checked.class, "body");
    assertThat(callers).containsExactly("ManagedClientService.check", "TokenPolicyService.check");
  }

  @Test
  void everyClaimGoesThroughWrites() {
    List<String> callers = KeycloakGlue.callersOf(Revisions.class, "claim");
    assertThat(callers).containsExactly("Writes.claim");
  }

  private static ObjectNode client(int policies, int redirects, String policyId) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("clientId", "c");
    ArrayNode ids = body.putArray("tokenPolicies");
    for (int i = 0; i < policies; i++) {
      ids.add(policyId + i);
    }
    ArrayNode uris = body.putArray("redirectUris");
    for (int i = 0; i < redirects; i++) {
      uris.add("https://app.example/" + i);
    }
    return body;
  }

  private static ApiError refused(ObjectNode body) {
    return catchThrowableOfType(ApiError.class, () -> ClientInput.Body.parse(body));
  }

  private static String json(ApiError error) {
    try (var response = error.toResponse().build()) {
      return String.valueOf(response.getEntity());
    }
  }

  @Test
  void aClientBodyBoundsItsTokenPoliciesAndRedirectUris() {
    assertThat(ClientInput.Body.parse(client(64, 100, "p")).tokenPolicies()).hasSize(64);

    ApiError tooMany = refused(client(65, 0, "p"));
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(json(tooMany))
        .contains("\"field\":\"tokenPolicies\"")
        .contains("at most " + ClientInput.MAX_TOKEN_POLICIES);

    ApiError longId = refused(client(1, 0, "x".repeat(Checked.MAX_ID)));
    assertThat(json(longId)).contains("\"field\":\"tokenPolicies[0]\"").doesNotContain("xxxxx");

    ApiError uris = refused(client(0, 101, "p"));
    assertThat(json(uris))
        .contains("\"field\":\"redirectUris\"")
        .contains("at most " + ClientInput.MAX_REDIRECT_URIS);
  }

  @Test
  void aMemberIdNoKeycloakIdCanBeIsNotFound() {
    assertThat(Checked.id("a".repeat(Checked.MAX_ID), "none", Writes.Keys.NONE).value())
        .hasSize(Checked.MAX_ID);
    for (String id : List.of("", "a".repeat(Checked.MAX_ID + 1))) {
      ApiError error =
          catchThrowableOfType(ApiError.class, () -> Checked.id(id, "none", Writes.Keys.NONE));
      assertThat(error.status()).as(id).isEqualTo(404);
    }
  }
}
