package io.github.policyscopes.keycloak.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeycloakVersionTest {

  @ParameterizedTest
  @CsvSource({
    "26.4.0, true",
    "26.4.7, true",
    "26.4.7.redhat-00001, true",
    "26.5.6, true",
    "26.6.4, true",
    "26.7.3, true",
    "26.7.99, true",
    "26.7.0-SNAPSHOT, true",
    "26.3.5, false",
    "25.0.6, false",
    "26.8.0, false",
    "27.0.0, false",
    "999.0.0-SNAPSHOT, false",
  })
  void supportsEvery26xFrom264Through267(String text, boolean supported) {
    assertThat(KeycloakVersion.parse(text))
        .hasValueSatisfying(v -> assertThat(v.supported()).isEqualTo(supported));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "unknown", "26", "v26.4.7", "99999999999.1.1"})
  void anythingElseIsNoVersionAndSoUnsupported(String text) {
    assertThat(KeycloakVersion.parse(text)).isEmpty();
  }
}
