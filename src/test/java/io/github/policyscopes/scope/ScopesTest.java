package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScopesTest {

  @Test
  void tryParseGivesAValueForEveryString() {
    assertThat(Scopes.tryParse("openid")).isEqualTo(new Scopes.Valid(new PlainScope("openid")));
    assertThat(Scopes.tryParse("*:config/**"))
        .isEqualTo(new Scopes.Valid(ConfigScope.parse("*:config/**")));
    Scopes.Parsed bad = Scopes.tryParse("*:a//b");
    assertThat(bad).isInstanceOf(Scopes.Malformed.class);
    Scopes.Malformed m = (Scopes.Malformed) bad;
    assertThat(m.error().reason()).isEqualTo(ScopeParseException.Reason.EMPTY_SEGMENT);
    assertThat(m.message()).isEqualTo("\"*:a//b\": empty path segment at position 4");
  }

  @Test
  void parseOrNullAndConfigOrNull() {
    assertThat(Scopes.parseOrNull(null)).isNull();
    assertThat(Scopes.parseOrNull("*:")).isNull();
    assertThat(Scopes.parseOrNull("email")).isEqualTo(new PlainScope("email"));
    assertThat(Scopes.configOrNull("email")).isNull();
    assertThat(Scopes.configOrNull(null)).isNull();
    assertThat(Scopes.configOrNull("-:x/**/**")).hasToString("-:x/**");
    assertThat(Scopes.isConfigScope(".:x")).isTrue();
    assertThat(Scopes.isConfigScope("*.**")).isFalse();
  }

  @Test
  void wellFormedSkipsNullBlankMalformedAndRepeats() {
    assertThat(Scopes.wellFormed(Arrays.asList("b", null, " ", "*:a//b", "-:x", "b", "-:x", "a")))
        .extracting(Scope::text)
        .containsExactly("b", "-:x", "a");
    assertThat(Scopes.wellFormed(null)).isEmpty();
  }

  @Test
  void split() {
    assertThat(Scopes.split(" a\tb  c ")).containsExactly("a", "b", "c");
    assertThat(Scopes.split(null)).isEmpty();
    assertThat(Scopes.split("   ")).isEmpty();
  }
}
