package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.ScopeParameters;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A policy's {@code name:*} entries with and without parameterized client scopes (ADR 0030). */
class ParameterPatternsTest {

  private static final ScopeParameters ORGS = ScopeParameters.of(List.of("organization"));

  private static EffectivePolicy policy(String... allowed) {
    return EffectivePolicy.of(List.of(allowed), null, null);
  }

  @Test
  void theGrantedScopeIsTheRequestedValueNeverThePattern() {
    GrantResult r =
        ScopeGrant.compute(
            List.of("organization:acme", "organization:globex"),
            policy("organization:*").withParameters(ORGS));
    assertThat(r.granted()).containsExactly("organization:acme", "organization:globex");
    assertThat(r.granted()).doesNotContain("organization:*");
  }

  @Test
  void withoutParameterizedScopesEveryEntryIsLiteral() {
    EffectivePolicy literal = policy("organization:*");
    assertThat(ScopeGrant.compute(List.of("organization:acme"), literal).dropped())
        .containsExactly("organization:acme");
    assertThat(
            ScopeGrant.compute(
                    List.of("organization:acme"),
                    literal.withParameters(ScopeParameters.of(List.of("tenant"))))
                .dropped())
        .containsExactly("organization:acme");
  }

  @Test
  void aRefreshCeilingIsReadLiterally() {
    EffectivePolicy policy = policy("openid", "organization:*").withParameters(ORGS);
    // all of the user's organizations never refresh into one of them, nor one into another
    assertThat(
            ScopeGrant.computeWithin(
                    List.of("organization:acme"), Ceiling.of(List.of("organization:*")), policy)
                .granted())
        .isEmpty();
    assertThat(
            ScopeGrant.computeWithin(
                    List.of("organization:globex"),
                    Ceiling.of(List.of("organization:acme")),
                    policy)
                .granted())
        .isEmpty();
    assertThat(
            ScopeGrant.computeWithin(
                    List.of("organization:acme"), Ceiling.of(List.of("organization:acme")), policy)
                .granted())
        .containsExactly("organization:acme");
  }

  @Test
  void onePolicyVersionStaysOneInstance() {
    EffectivePolicy plain = policy("openid", "email");
    assertThat(plain.mayHaveParameterPatterns()).isFalse();
    assertThat(plain.withParameters(ORGS)).isSameAs(plain);

    EffectivePolicy patterned = policy("openid", "organization:*");
    assertThat(patterned.mayHaveParameterPatterns()).isTrue();
    EffectivePolicy read = patterned.withParameters(ORGS);
    assertThat(read).isNotSameAs(patterned);
    assertThat(patterned.withParameters(ORGS)).isSameAs(read);
    assertThat(patterned.withParameters(ScopeParameters.NONE)).isSameAs(patterned);
    // a name:* entry whose name is not parameterized here reads as before
    assertThat(patterned.withParameters(ScopeParameters.of(List.of("tenant")))).isSameAs(patterned);
  }

  @Test
  void aPublicClientKeepsItsParameters() {
    EffectivePolicy read = policy("organization:*", "*:**").withParameters(ORGS);
    EffectivePolicy publicClient = read.withoutConfigGrants();
    assertThat(publicClient.grants()).isEmpty();
    assertThat(ScopeGrant.compute(List.of("organization:acme"), publicClient).granted())
        .containsExactly("organization:acme");
  }

  @Test
  void theDryRunNamesThePatternThatCoversAValue() {
    EffectivePolicy policy = policy("openid", "organization:*").withParameters(ORGS);
    List<String> asked = List.of("organization:acme", "organization");
    GrantResult result = IssuanceDecision.decide(asked, List.of(), Ceiling.NONE, policy);
    List<IssuanceDecision.Explained> why = IssuanceDecision.explain(asked, result, policy);
    assertThat(why.get(0).entry()).isEqualTo("organization:*");
    assertThat(why.get(0).granted()).isTrue();
    assertThat(why.get(1).granted()).isFalse();
    assertThat(why.get(1).reason()).isEqualTo("no allowed entry is organization");
  }

  @Test
  void rejectModeRejectsAValueNoEntryCovers() {
    EffectivePolicy policy =
        EffectivePolicy.of(List.of("organization:acme"), DisallowedScopesMode.REJECT, null)
            .withParameters(ORGS);
    GrantResult asked =
        IssuanceDecision.decide(List.of("organization:globex"), List.of(), Ceiling.NONE, policy);
    assertThat(IssuanceDecision.rejects(asked, policy)).isTrue();
    assertThat(asked.dropped()).containsExactly("organization:globex");
  }

  /**
   * Issuance decides a plain scope by its text ({@link EffectivePolicy#coversPlain}); the API and
   * the dry run by the parsed scope ({@link EffectivePolicy#covers}): the same answer, over
   * policies with and without parameterized client scopes and every kind of request text.
   */
  @Test
  void aPlainScopeIsCoveredByItsTextAsByItsParsedForm() {
    Random random = new Random(21);
    String[] parts = {"openid", "email", "organization", "tenant", "acme", "*", ":", "", "x"};
    int checked = 0;
    for (int i = 0; i < 5_000; i++) {
      List<String> allowed = new ArrayList<>();
      for (int n = random.nextInt(4); n > 0; n--) {
        allowed.add(text(random, parts));
      }
      EffectivePolicy policy = EffectivePolicy.of(allowed, null, null);
      if (random.nextBoolean()) {
        policy =
            policy.withParameters(
                random.nextBoolean() ? ORGS : ScopeParameters.of(List.of("tenant")));
      }
      String requested = text(random, parts);
      if (requested.isBlank() || Scope.isConfigScopeSyntax(requested)) {
        continue;
      }
      boolean parsed = policy.covers(Objects.requireNonNull(Scopes.parseOrNull(requested)));
      assertThat(policy.coversPlain(requested))
          .as("%s by %s", requested, allowed)
          .isEqualTo(parsed);
      checked++;
    }
    assertThat(checked).isGreaterThan(3_000);
  }

  private static String text(Random random, String[] parts) {
    StringBuilder text = new StringBuilder();
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      text.append(parts[random.nextInt(parts.length)]);
    }
    return text.toString();
  }
}
