package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.PolicyValidator.FieldError;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

  @Test
  void validPolicy() {
    assertThat(
            PolicyValidator.validate(
                "Configuration token policy",
                List.of("openid", "*:**", "*:config/tokenPolicies", "-:config/tokenPolicies/x"),
                3600,
                "reject"))
        .isEmpty();
    assertThat(PolicyValidator.validate("t", List.of(), null, null)).isEmpty();
    assertThat(PolicyValidator.validate("t", null, 60, "ignore")).isEmpty();
    assertThat(PolicyValidator.validate("t", List.of(".:**"), 86400, "reject")).isEmpty();
    // case-sensitive, like every value of the API: what is stored is what was sent
    assertThat(PolicyValidator.validate("t", null, 60, "IGNORE"))
        .extracting(FieldError::field)
        .containsExactly("disallowedScopes");
    assertThat(PolicyValidator.validate("t", null, 60, " reject"))
        .extracting(FieldError::field)
        .containsExactly("disallowedScopes");
  }

  @Test
  void namesTheFieldOfEachProblem() {
    List<FieldError> errors =
        PolicyValidator.validate(
            " ", Arrays.asList("openid", "", "*:a//b", null, "a\"b", "é"), 59, "maybe");
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "title",
            "allowedScopes[1]",
            "allowedScopes[2]",
            "allowedScopes[3]",
            "allowedScopes[4]",
            "allowedScopes[5]",
            "accessTokenLifetime",
            "disallowedScopes");
    assertThat(errors.get(2).message()).isEqualTo("\"*:a//b\": empty path segment at position 4");
    assertThat(errors.get(1).message()).isEqualTo("must not be blank");
    assertThat(errors.get(4).message()).contains("RFC 6749");
    assertThat(errors.get(6).message()).isEqualTo("must be between 60 and 86400 seconds");
    assertThat(errors.get(7).message()).isEqualTo("must be ignore or reject");
  }

  @Test
  void boundedNumberOfEntries() {
    int max = PolicyValidator.MAX_ALLOWED_SCOPES;
    List<String> many = java.util.Collections.nCopies(max + 1, "openid");
    assertThat(PolicyValidator.validate("t", many, null, null))
        .containsExactly(new FieldError("allowedScopes", "must have at most " + max + " entries"));
    assertThat(PolicyValidator.validate("t", many.subList(0, max), null, null)).isEmpty();
  }

  @Test
  void titleWithControlCharacters() {
    for (String title :
        List.of("a\nb", "a\rb", "a\u001b[31mb", "a\u2028b", "a\u0000b", "a\u200eb")) {
      assertThat(PolicyValidator.validate(title, List.of(), null, null))
          .as(title)
          .containsExactly(new FieldError("title", "must not contain control characters"));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 59, 86401, Integer.MAX_VALUE, Integer.MIN_VALUE})
  void lifetimeOutOfRange(int lifetime) {
    assertThat(PolicyValidator.validate("t", List.of(), lifetime, null))
        .extracting(FieldError::field)
        .containsExactly("accessTokenLifetime");
  }

  @Test
  void title() {
    assertThat(PolicyValidator.validate(null, List.of(), null, null))
        .extracting(FieldError::field)
        .containsExactly("title");
    assertThat(PolicyValidator.validate("x".repeat(255), List.of(), null, null)).isEmpty();
    assertThat(PolicyValidator.validate("x".repeat(256), List.of(), null, null))
        .extracting(FieldError::message)
        .containsExactly("must be at most 255 characters long");
  }

  @ParameterizedTest(name = "{0} is an OAuth scope token: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          openid         | true
          *.**           | true
          a!#[]~         | true
          a b            | false
          a"b            | false
          a\\b           | false
          ''             | false
          é              | false
          """)
  void oauthScopeToken(String s, boolean expected) {
    assertThat(PolicyValidator.isOAuthScopeToken(s)).isEqualTo(expected);
  }

  @Test
  void modes() {
    assertThat(DisallowedScopesMode.parse("ignore")).isEqualTo(DisallowedScopesMode.IGNORE);
    assertThat(DisallowedScopesMode.parse("reject")).isEqualTo(DisallowedScopesMode.REJECT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DisallowedScopesMode.parse("REJECT"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DisallowedScopesMode.parse(null)).isEqualTo(DisallowedScopesMode.IGNORE);
    assertThat(DisallowedScopesMode.REJECT.value()).isEqualTo("reject");
    assertThat(DisallowedScopesMode.IGNORE.value()).isEqualTo("ignore");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DisallowedScopesMode.parse("drop"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
