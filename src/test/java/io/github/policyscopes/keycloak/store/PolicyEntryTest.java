package io.github.policyscopes.keycloak.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ProtocolMapperModel;

/**
 * A cached policy entry is read from the client scope once per version: a scope that is no (longer
 * a) policy gives none (the caller answers 404, never dereferences a missing config), several
 * mappers merge, and the estimate grows with the bindings it holds.
 */
class PolicyEntryTest {

  private static final PolicyIndex.Bindings NONE =
      new PolicyIndex.Bindings(List.of(), 0, List.of(), 0);

  @Test
  void aScopeWithoutThePolicyMapperHasNoEntry() {
    assertThat(PolicyEntry.of(scope("s1", "plain", null), NONE)).isNull();
  }

  @Test
  void aPolicyScopeHasItsTitleConfigAndMapperCount() {
    PolicyEntry entry =
        PolicyEntry.of(scope("s2", "token-policy-x", "Readers", mapper("a##b"), mapper("c")), NONE);
    assertThat(entry).isNotNull();
    assertThat(entry.title()).isEqualTo("Readers");
    assertThat(entry.mapperCount()).isEqualTo(2);
    assertThat(entry.config().allowedScopes()).containsExactlyInAnyOrder("a", "b", "c");
    PolicyEntry untitled = PolicyEntry.of(scope("s3", "token-policy-y", " ", mapper("a")), NONE);
    assertThat(untitled.title()).as("a blank description: the name").isEqualTo("token-policy-y");
  }

  @Test
  void theEstimateCountsTheBindings() {
    PolicyEntry bare = PolicyEntry.of(scope("s4", "n", "t", mapper("a")), NONE);
    List<PolicyIndex.BoundClient> clients =
        Stream.iterate(0, i -> i + 1)
            .limit(PolicyIndex.MAX_BOUND)
            .map(i -> new PolicyIndex.BoundClient("id-" + i, "client-" + i))
            .toList();
    PolicyEntry bound =
        PolicyEntry.of(
            scope("s4", "n", "t", mapper("a")),
            new PolicyIndex.Bindings(clients, 5000, List.of(), 0));
    assertThat(bound.bindings().boundTruncated()).isTrue();
    assertThat(bound.estimatedBytes() - bare.estimatedBytes())
        .isGreaterThan(PolicyIndex.MAX_BOUND * 2L * 40);
  }

  private static ProtocolMapperModel mapper(String allowed) {
    ProtocolMapperModel m = new ProtocolMapperModel();
    m.setProtocolMapper(PolicyStore.MAPPER_PROVIDER_ID);
    m.setConfig(Map.of("allowedScopes", allowed));
    return m;
  }

  private static ClientScopeModel scope(
      String id, String name, String description, ProtocolMapperModel... mappers) {
    return (ClientScopeModel)
        Proxy.newProxyInstance(
            PolicyEntryTest.class.getClassLoader(),
            new Class<?>[] {ClientScopeModel.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getId" -> id;
                  case "getName" -> name;
                  case "getDescription" -> description;
                  case "getProtocolMappersStream" -> Stream.of(mappers);
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  case "toString" -> "scope " + id;
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
