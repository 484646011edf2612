package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The console counts a policy's allowed scopes from one (issue 23, item 9). */
class ConsoleFieldTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "allowedScopes[0]   | Allowed scopes, entry 1",
        "allowedScopes[41]  | Allowed scopes, entry 42",
        "allowedScopes      | allowedScopes",
        "accessTokenLifetime | accessTokenLifetime",
        "allowedScopes[x]   | allowedScopes[x]",
        "allowedScopes[1]x  | allowedScopes[1]x",
      })
  void entriesCountFromOne(String field, String shown) {
    assertThat(ConsoleErrors.consoleField(field)).isEqualTo(shown);
  }
}
