package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one rule "is client scope X granted" (issue 20, class 5; docs/adr/0023). */
class ClientScopeGrantTest {

  private static List<String> split(String s) {
    return s == null || s.isBlank() ? List.of() : List.of(s.trim().split(" +"));
  }

  @ParameterizedTest(name = "granted [{0}], parameterized [{1}]: {2} granted = {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NONE",
      value = {
        // the name itself
        "openid orders        | NONE         | orders       | true",
        "openid               | NONE         | orders       | false",
        "openid orders        | orders       | orders       | true",
        // a prefix is no parameter of a scope Keycloak does not parameterize (the attack)
        "openid orders:read   | NONE         | orders       | false",
        "orders:read          | order        | orders       | false",
        "organization:acme    | NONE         | organization | false",
        // a parameterized scope is granted by one of its parameters
        "openid orders:read   | orders       | orders       | true",
        "organization:acme    | organization | organization | true",
        "organization:*       | organization | organization | true",
        "a:b:c                | a:b          | a:b          | true",
        "a:b:c                | a            | a            | true",
        // ... but not by an empty one, nor by a different name that shares the start
        "organization:        | organization | organization | false",
        "organizations:acme   | organization | organization | false",
        "organization         | organization | organization:acme | false",
        "orders:read          | orders       | order        | false",
        // a config scope is never a parameter, even of a scope named like its access symbol
        "*:config/**          | *            | *            | false",
        ".:config/clients     | .            | .            | false",
        "-:config/x           | -            | -            | false",
        // a decorated scope (organization:acme) is granted by its exact name only
        "organization:acme    | organization:acme | organization:acme | true",
        "organization:other   | organization | organization:acme | false",
        "NONE                 | orders       | orders       | false",
      })
  void grants(String granted, String parameterized, String clientScope, boolean expected) {
    ClientScopeGrant rule = new ClientScopeGrant(split(granted), split(parameterized));
    assertThat(rule.grants(clientScope)).isEqualTo(expected);
  }
}
