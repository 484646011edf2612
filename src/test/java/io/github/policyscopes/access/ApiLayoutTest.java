package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.scope.Access;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiLayoutTest {

  @Test
  void pathsOfTheLayout() {
    assertThat(ApiLayout.tokenPolicyPath("p1")).isEqualTo("config/tokenPolicies/p1");
    assertThat(ApiLayout.clientPath("c1")).isEqualTo("config/clients/c1");
    assertThat(ApiLayout.secretPath("c1")).isEqualTo("config/clients/c1/secret");
    assertThat(ApiLayout.evaluatePath("c1")).isEqualTo("config/clients/c1/evaluate");
    assertThat(ApiLayout.memberPath(ApiLayout.CLIENTS, "x")).isEqualTo("config/clients/x");
    assertThat(ApiLayout.collectionPaths())
        .containsExactlyInAnyOrder("config", "config/tokenPolicies", "config/clients");
    assertThat(ApiLayout.COLLECTIONS).containsExactly("tokenPolicies", "clients");
  }

  @ParameterizedTest(name = "{0} is a secret path: {1}")
  @CsvSource({
    "config/clients/abc/secret, true",
    "config/clients/abc/secret/x, true",
    "config/clients/abc/secrets, false",
    "config/clients/abc, false",
    "config/clients//secret, false",
    "config/tokenPolicies/abc/secret, false",
    "config/clients/secret, false",
  })
  void secretPaths(String path, boolean secret) {
    assertThat(Routes.isWriteOnly(path)).isEqualTo(secret);
    assertThat(RequestAccess.required("GET", path)).isEqualTo(secret ? Access.WRITE : Access.READ);
  }
}
