package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.store.PolicyStore;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;

/**
 * A client body's token policies are looked up once (issue 22 item 5, NullAway on {@code
 * TokenPolicyService.policy}): a client scope that is a policy when checked and no longer one when
 * read again (its mapper removed by another admin or node, a cache invalidated in between) is
 * answered with the API's error or accepted as it was seen, never with a {@link
 * NullPointerException} (a 500).
 */
class ClientPolicyLookupTest {

  @Test
  void aPolicyThatVanishesBetweenTwoReadsIsNoNullPointer() {
    AtomicInteger reads = new AtomicInteger();
    ClientScopeModel scope =
        fake(
            ClientScopeModel.class,
            Map.of(
                "getId", "p1",
                "getName", "token-policy-p1",
                "getProtocolMappersStream",
                    (Answer)
                        () -> reads.getAndIncrement() == 0 ? Stream.of(mapper()) : Stream.empty()));
    RealmModel realm =
        fake(RealmModel.class, Map.of("getName", "r", "getClientScopeById", (Answer) () -> scope));
    Permissions permissions =
        new Permissions(
            new Caller(
                new AccessToken(),
                fake(ClientModel.class, Map.of()),
                null,
                ScopeSet.parse("*:**"),
                ScopeSet.parse("*:**")),
            realm);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putArray("tokenPolicies").add("p1");

    Throwable thrown =
        catchThrowable(
            () ->
                ManagedClientService.INSTANCE.check(
                    fake(KeycloakSession.class, Map.of()), realm, permissions, body));

    assertThat(thrown)
        .as("the API's error or none, never a NullPointerException")
        .satisfiesAnyOf(
            t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(ApiError.class));
  }

  private static ProtocolMapperModel mapper() {
    ProtocolMapperModel mapper = new ProtocolMapperModel();
    mapper.setName("token policy");
    mapper.setProtocolMapper(PolicyStore.MAPPER_PROVIDER_ID);
    mapper.setConfig(Map.of());
    return mapper;
  }

  /** A value computed at each call. */
  private interface Answer {
    Object get();
  }

  /** A model interface answering the named methods, and null (or false, or 0) to the others. */
  @SuppressWarnings("unchecked")
  private static <T> T fake(Class<T> type, Map<String, Object> answers) {
    return (T)
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              Object answer = answers.get(method.getName());
              if (answer instanceof Answer computed) {
                return computed.get();
              }
              if (answer != null) {
                return answer;
              }
              if (method.getName().equals("equals")) {
                return proxy == args[0];
              }
              if (method.getName().equals("hashCode")) {
                return System.identityHashCode(proxy);
              }
              Class<?> r = method.getReturnType();
              return r == boolean.class ? false : r == int.class || r == long.class ? 0 : null;
            });
  }
}
