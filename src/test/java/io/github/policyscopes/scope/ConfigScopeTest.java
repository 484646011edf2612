package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigScopeTest {

  @ParameterizedTest(name = "{0} is a config scope")
  @ValueSource(strings = {"*:**", ".:config/clients/*", "-:config/tokenPolicies/abc", "*:a"})
  void configScopes(String s) {
    assertThat(Scope.isConfigScopeSyntax(s)).isTrue();
    assertThat(Scope.parse(s)).isInstanceOf(ConfigScope.class).extracting(Scope::text).isEqualTo(s);
  }

  @ParameterizedTest(name = "{0} is a plain scope")
  @ValueSource(
      strings = {
        "openid",
        "email",
        "XXXXX",
        "*.**",
        ".*",
        "*;**",
        "-.x",
        "*config/**",
        ":*:a",
        "*",
        "",
        "+:a",
        "**:a",
        " *:a"
      })
  void plainScopes(String s) {
    assertThat(Scope.isConfigScopeSyntax(s)).isFalse();
    assertThat(Scope.parse(s)).isEqualTo(new PlainScope(s));
  }

  @ParameterizedTest(name = "\"{0}\" fails with {1} at {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          *:         | EMPTY_PATH        | 2
          .:         | EMPTY_PATH        | 2
          *:a//b     | EMPTY_SEGMENT     | 4
          *:/a       | EMPTY_SEGMENT     | 2
          *:a/       | EMPTY_SEGMENT     | 4
          *:a/***    | INVALID_WILDCARD  | 4
          *:***      | INVALID_WILDCARD  | 2
          *:a**      | INVALID_WILDCARD  | 3
          -:a:b      | INVALID_CHARACTER | 3
          *:a b      | INVALID_CHARACTER | 3
          *:é        | NON_ASCII_CHARACTER | 2
          """)
  void malformed(String s, Reason reason, int position) {
    ParseFailures.assertRefused(() -> Scope.parse(s), s, reason, position);
  }

  @Test
  void messageNamesInputReasonAndPosition() {
    assertThatThrownBy(() -> ConfigScope.parse("*:a//b"))
        .hasMessage("\"*:a//b\": empty path segment at position 4");
    assertThatThrownBy(() -> ConfigScope.parse("*:a\u0000b"))
        .hasMessage("\"*:a\\u0000b\": control character at position 3");
    assertThatThrownBy(() -> ConfigScope.parse("openid"))
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ACCESS));
    assertThatThrownBy(() -> ConfigScope.parse("*:" + "a".repeat(1100)))
        .isInstanceOfSatisfying(
            ScopeParseException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LONG));
  }

  @Test
  void parts() {
    ConfigScope deny = ConfigScope.parse("-:config/tokenPolicies/abc");
    assertThat(deny.access()).isEqualTo(Access.DENY);
    assertThat(deny.isDeny()).isTrue();
    assertThat(deny.isGrant()).isFalse();
    assertThat(deny.pattern()).hasToString("config/tokenPolicies/abc");
    ConfigScope read = ConfigScope.parse(".:config/**/**");
    assertThat(read.access()).isEqualTo(Access.READ);
    assertThat(read.text()).isEqualTo(".:config/**");
    assertThat(read).isEqualTo(ConfigScope.parse(".:config/**")).hasToString(".:config/**");
    assertThat(read.hashCode()).isEqualTo(ConfigScope.parse(".:config/**").hashCode());
  }

  // ConfigScope.covers: the whole table, attacks and controls, is EscalationCheckTest's

  @ParameterizedTest(name = "{0} overlaps {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          -:config/clients/abc      | *:config/clients/abc/secret  | true
          -:config/clients/abc      | *:config/clients/*           | true
          -:config/clients/abc      | *:config/clients             | false
          -:config/clients/abc      | *:config/tokenPolicies/**    | false
          -:config                  | *:**                         | true
          *:config/clients/abc      | *:config/clients/abc/secret  | false
          *:config/clients/*        | *:config/clients/abc/secret  | false
          -:config/a                | -:config/a/b                 | true
          -:config/a                | -:config/b                   | false
          """)
  void overlaps(String a, String b, boolean expected) {
    ConfigScope x = ConfigScope.parse(a);
    ConfigScope y = ConfigScope.parse(b);
    assertThat(x.overlaps(y)).isEqualTo(expected);
    assertThat(y.overlaps(x)).isEqualTo(expected);
  }

  @Test
  void appliesTo() {
    assertThat(ConfigScope.parse("-:config/clients/abc").appliesTo("config/clients/abc/secret"))
        .isTrue();
    assertThat(ConfigScope.parse("*:config/clients/abc").appliesTo("config/clients/abc/secret"))
        .isFalse();
  }

  @Test
  void access() {
    assertThat(Access.WRITE.includes(Access.READ)).isTrue();
    assertThat(Access.WRITE.includes(Access.WRITE)).isTrue();
    assertThat(Access.WRITE.includes(Access.DENY)).isFalse();
    assertThat(Access.READ.includes(Access.READ)).isTrue();
    assertThat(Access.READ.includes(Access.WRITE)).isFalse();
    assertThat(Access.DENY.includes(Access.READ)).isFalse();
    assertThat(Access.DENY.includes(Access.DENY)).isFalse();
    for (Access a : Access.values()) {
      assertThat(Access.ofSymbol(a.symbol())).isEqualTo(a);
    }
    assertThatThrownBy(() -> Access.ofSymbol('+')).isInstanceOf(IllegalArgumentException.class);
  }
}
