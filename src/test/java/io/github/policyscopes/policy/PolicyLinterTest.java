package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyLinterTest {

  @ParameterizedTest(name = "{0} → did you mean {1}")
  @CsvSource({"*.**, *:**", ".*, .:*", "*;**, *:**", "-.x, -:x", "*config/**, *:config/**"})
  void mistypedConfigScopes(String plain, String suggestion) {
    assertThat(PolicyLinter.lint(List.of(plain)))
        .containsExactly("`" + plain + "` is a plain scope — did you mean `" + suggestion + "`?");
  }

  @ParameterizedTest(name = "{0} is fine")
  @ValueSource(strings = {"openid", "email", "profile", ".well-known", "-", "*", "offline_access"})
  void ordinaryPlainScopes(String plain) {
    assertThat(PolicyLinter.lint(List.of(plain))).isEmpty();
  }

  @ParameterizedTest(name = "{0} grants the collection only")
  @CsvSource({
    "*:config/tokenPolicies, *:config/tokenPolicies/**",
    ".:config/clients, .:config/clients/**"
  })
  void collectionOnly(String grant, String suggestion) {
    assertThat(PolicyLinter.lint(List.of(grant)))
        .containsExactly(
            "`" + grant + "` grants the collection only — did you mean `" + suggestion + "`?");
  }

  @Test
  void redundantEntries() {
    assertThat(PolicyLinter.lint(List.of(".:config/clients/*", "*:**")))
        .containsExactly("`.:config/clients/*` is redundant: `*:**` already covers it.");
    assertThat(PolicyLinter.lint(List.of("*:*/**", "*:**/*")))
        .containsExactly("`*:**/*` is redundant: `*:*/**` already covers it.");
    assertThat(PolicyLinter.lint(List.of("-:config/a/b", "-:config/a", "*:**")))
        .containsExactly("`-:config/a/b` is redundant: `-:config/a` already covers it.");
    assertThat(PolicyLinter.lint(List.of("openid", "openid")))
        .containsExactly("`openid` is listed more than once.");
  }

  @Test
  void grantCancelledByDeny() {
    assertThat(PolicyLinter.lint(List.of("*:config/clients/abc/secret", "-:config/clients/abc")))
        .containsExactly(
            "`*:config/clients/abc/secret` has no effect: `-:config/clients/abc` denies every"
                + " path it grants.");
    assertThat(PolicyLinter.lint(List.of("*:config/clients/*", "-:config/clients/abc"))).isEmpty();
  }

  @Test
  void demoPolicies() {
    assertThat(
            PolicyLinter.lint(
                List.of("openid", "*:**", "*:config/tokenPolicies", "-:config/tokenPolicies/x")))
        .containsExactly(
            "`*:config/tokenPolicies` grants the collection only — did you mean"
                + " `*:config/tokenPolicies/**`?",
            "`*:config/tokenPolicies` is redundant: `*:**` already covers it.");
    assertThat(PolicyLinter.lint(List.of(".:**"))).isEmpty();
    assertThat(PolicyLinter.lint(List.of("openid", "profile", "email"))).isEmpty();
    assertThat(PolicyLinter.lint(List.of("*:a//b", "", " "))).isEmpty();
    assertThat(PolicyLinter.lint(null)).isEmpty();
  }
}
