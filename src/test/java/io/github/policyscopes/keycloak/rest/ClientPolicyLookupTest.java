package io.github.policyscopes.keycloak.rest;

import static io.github.policyscopes.keycloak.rest.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * A client body's token policies are looked up once (issue 22 item 5, NullAway on {@code
 * TokenPolicyService.policy}): a client scope that is a policy when checked and no longer one when
 * read again (its mapper removed by another admin or node, a cache invalidated in between) is
 * answered with the API's error or taken as it was seen, never with a {@link NullPointerException}
 * (a 500).
 */
class ClientPolicyLookupTest {

  @Test
  void aPolicyThatVanishesBetweenTwoReadsIsNoNullPointer() {
    ClientScopeModel scope = vanishingPolicy();
    RealmModel realm = fake(RealmModel.class, Map.of("getName", "r", "getClientScopeById", scope));
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putArray("tokenPolicies").add("p1");

    Throwable thrown =
        catchThrowable(
            () ->
                ManagedClientService.INSTANCE.check(
                    fake(KeycloakSession.class, Map.of()),
                    realm,
                    Fakes.permissions(realm, "*:**"),
                    body));

    assertThat(thrown)
        .as("the API's error or none, never a NullPointerException")
        .satisfiesAnyOf(
            t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(ApiError.class));
  }

  /** A policy scope whose policy mapper is gone from the second read on. */
  static ClientScopeModel vanishingPolicy(String... allowed) {
    AtomicInteger reads = new AtomicInteger();
    return fake(
        ClientScopeModel.class,
        Map.of(
            "getId", "p1",
            "getName", "token-policy-p1",
            "getProtocolMappersStream",
                (Fakes.Answer)
                    () ->
                        reads.getAndIncrement() == 0
                            ? Stream.of(Fakes.policyMapper(allowed))
                            : Stream.empty()));
  }
}
