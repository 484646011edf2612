package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.access.ApiLayout;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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
    assertThat(
            PolicyLinter.lint(List.of("-:config/clients/a/secret", "-:config/clients/a", "*:**")))
        .containsExactly(
            "`-:config/clients/a/secret` is redundant: `-:config/clients/a` already covers it.");
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

  // ---- near misses of config scopes (issue 23)

  @ParameterizedTest(name = "{0} → did you mean {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "write:config/**           | `*:config/**`",
        "r:config/**               | `.:config/**`",
        "RW:Config/Clients/**      | `*:config/clients/**`",
        "readonly:config/clients/* | `.:config/clients/*`",
        "deny:config/clients/abc   | `-:config/clients/abc`",
        "foo:config/**             | `*:config/**` or `.:config/**`",
      })
  void anAccessWordIsNoAccessSymbol(String entry, String suggestions) {
    String word = entry.substring(0, entry.indexOf(':'));
    assertThat(PolicyLinter.lint(List.of(entry)))
        .containsExactly(
            "`"
                + entry
                + "` is a plain scope: `"
                + word
                + "` is no access symbol (`*` read and write, `.` read only, `-` deny) — did you"
                + " mean "
                + suggestions
                + "?");
  }

  @ParameterizedTest(name = "{0} → did you mean {1}")
  @CsvSource({
    ".:Config/**, .:config/**",
    "*:config/tokenpolicies/**, *:config/tokenPolicies/**",
    "-:config/CLIENTS/abc, -:config/clients/abc",
    "-:config/clients/abc/Secret, -:config/clients/abc/secret",
    "*:CONFIG/tokenpolicies/*, *:config/tokenPolicies/*",
  })
  void resourceNamesAreCaseSensitive(String entry, String suggestion) {
    assertThat(PolicyLinter.lint(List.of(entry)))
        .containsExactly(
            "`"
                + entry
                + "` never matches: paths are case-sensitive — did you mean `"
                + suggestion
                + "`?");
  }

  @Test
  void unknownResourceNamesListTheKnownOnes() {
    assertThat(PolicyLinter.lint(List.of("*:config/foo/**")))
        .containsExactly(
            "`*:config/foo/**` never matches: the config API has no `foo` under `config/` (it has"
                + " tokenPolicies, clients) — did you mean `*:config/tokenPolicies/**` or"
                + " `*:config/clients/**`?");
    assertThat(PolicyLinter.lint(List.of("-:config/clients/*/secrets")))
        .containsExactly(
            "`-:config/clients/*/secrets` never matches: the config API has no `secrets` under"
                + " `config/clients/{id}/` (it has secret, evaluate) — did you mean"
                + " `-:config/clients/*/secret` or `-:config/clients/*/evaluate`?");
    assertThat(PolicyLinter.lint(List.of(".:orders/**")))
        .containsExactly(
            "`.:orders/**` never matches: every path of the config API starts with `config/`"
                + " (config/tokenPolicies, config/clients) — did you mean `.:config/**`?");
  }

  @ParameterizedTest(name = "{0} is no near miss")
  @ValueSource(
      strings = {
        "orders:read",
        "orders:*",
        "admin:config",
        "urn:example:config",
        "https://example.com/config/x",
        "*:**",
        "*:*/clients/**",
        "*:**/secret",
        "*:config/*/abc",
        "*:config/clients/**/Secret",
        "*:config/**/Clients",
        ".:config/tokenPolicies/AbC",
        "-:config/clients/Secret"
      })
  void noWarningForWhatIsNoNearMiss(String entry) {
    assertThat(PolicyLinter.lint(List.of(entry))).isEmpty();
  }

  /** Every path the API has, as grants and denies, with wildcards: no warning. */
  @Property(tries = 500)
  void validEntriesOfTheLayoutHaveNoWarning(@ForAll("layoutEntries") String entry) {
    assertThat(PolicyLinter.lint(List.of(entry))).as(entry).isEmpty();
  }

  @Provide
  Arbitrary<String> layoutEntries() {
    List<String> paths = new ArrayList<>();
    paths.add(ApiLayout.ROOT + "/**");
    for (String collection : ApiLayout.COLLECTIONS) {
      String c = ApiLayout.collectionPath(collection);
      paths.add(c + "/**");
      paths.add(c + "/*");
      paths.add(c + "/*/**");
      paths.add(c + "/3f0c-ab");
      paths.add(c + "/3f0c-ab/**");
    }
    for (String below : ApiLayout.CLIENT_RESOURCES) {
      paths.add(ApiLayout.clientPath("*") + "/" + below);
      paths.add(ApiLayout.clientPath("ab12") + "/" + below + "/**");
      paths.add(ApiLayout.clientPath("a*") + "/" + below);
    }
    paths.add("**");
    paths.add("*/**");
    paths.add("config/*/**");
    return Combinators.combine(Arbitraries.of("*:", ".:", "-:"), Arbitraries.of(paths))
        .as(String::concat);
  }
}
