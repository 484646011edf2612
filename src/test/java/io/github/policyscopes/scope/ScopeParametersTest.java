package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading {@code name:value} and the pattern {@code name:*} (docs/adr/0030). */
class ScopeParametersTest {

  private static ScopeParameters names(String s) {
    return ScopeParameters.of(s == null ? List.of() : List.of(s.trim().split(" +")));
  }

  @ParameterizedTest(name = "parameterized [{0}]: {1} reads as {2} / {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NONE",
      value = {
        "organization tenant | organization:acme   | organization | acme",
        "organization tenant | organization:*      | organization | *",
        "organization tenant | tenant:42           | tenant       | 42",
        "organization tenant | tenant:a:b          | tenant       | a:b",
        // no parameter: the plain name, an empty value, another name, a longer name
        "organization tenant | organization        | NONE         | NONE",
        "organization tenant | organization:       | NONE         | NONE",
        "organization tenant | orders:read         | NONE         | NONE",
        "organization tenant | organizations:acme  | NONE         | NONE",
        "NONE                | organization:acme   | NONE         | NONE",
        // a config scope is never a parameter, even of a client scope named like its access
        "* . -               | *:config/**         | NONE         | NONE",
        "* . -               | .:config            | NONE         | NONE",
        "* . -               | -:config            | NONE         | NONE",
        // two names start it: Keycloak's reading is not defined, so none (fail closed)
        "a a:b               | a:b:c               | NONE         | NONE",
        "a a:b               | a:x                 | a            | x",
        "a:b                 | a:b:c               | a:b          | c",
      })
  void reads(String parameterized, String scope, String name, String value) {
    ScopeParameters.Parameter read = names(parameterized).read(scope);
    if (name == null) {
      assertThat(read).isNull();
    } else {
      assertThat(read).isEqualTo(new ScopeParameters.Parameter(name, value));
    }
  }

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "organization:*    | organization:acme   | true",
        "organization:*    | organization:*      | true",
        "organization:*    | organization        | false",
        "organization:acme | organization:acme   | true",
        "organization:acme | organization:globex | false",
        "organization:acme | organization:*      | false",
        "organization      | organization:acme   | false",
        "tenant:*          | tenant:42           | true",
        "tenant:*          | tenant:              | false",
        "tenant:4*         | tenant:42           | false",
        "tenant:*          | organization:acme   | false",
        "orders:*          | orders:read         | false",
        "orders:*          | orders:*            | true",
      })
  void covers(String entry, String requested, boolean expected) {
    assertThat(names("organization tenant").covers(entry, requested)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "no parameterized scope: {0} covers {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "organization:*    | organization:acme | false",
        "organization:*    | organization:*    | true",
      })
  void withoutParametersEveryEntryIsLiteral(String entry, String requested, boolean expected) {
    assertThat(ScopeParameters.NONE.covers(entry, requested)).isEqualTo(expected);
  }
}
