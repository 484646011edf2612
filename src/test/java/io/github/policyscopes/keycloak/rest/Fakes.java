package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.store.PolicyStore;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;

/** Keycloak model interfaces answering only what a unit test names (no mocking library here). */
final class Fakes {

  /** A value computed at each call. */
  interface Answer {
    Object get();
  }

  private Fakes() {}

  /** A model interface answering the named methods, and null (or false, or 0) to the others. */
  @SuppressWarnings("unchecked")
  static <T> T fake(Class<T> type, Map<String, Object> answers) {
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

  /** The permissions of a caller whose effective scopes are {@code scopes}. */
  static Permissions permissions(RealmModel realm, String scopes) {
    return new Permissions(
        new Caller(
            new AccessToken(),
            fake(ClientModel.class, Map.of()),
            null,
            ScopeSet.parse(scopes),
            ScopeSet.parse(scopes)),
        realm);
  }

  /** A policy mapper whose policy allows {@code entries}. */
  static ProtocolMapperModel policyMapper(String... entries) {
    String allowed = String.join("##", entries); // PolicyConfig's separator
    ProtocolMapperModel mapper = new ProtocolMapperModel();
    mapper.setName("token policy");
    mapper.setProtocolMapper(PolicyStore.MAPPER_PROVIDER_ID);
    mapper.setConfig(allowed.isEmpty() ? Map.of() : Map.of("allowedScopes", allowed));
    return mapper;
  }
}
