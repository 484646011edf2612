package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The caller's effective scopes: the token's grants as far as the current policy covers them. */
class CallerScopesTest {

  private static EffectivePolicy policy(String... entries) {
    return EffectivePolicy.of(List.of(entries), DisallowedScopesMode.IGNORE, null);
  }

  private static String effective(String token, EffectivePolicy policy) {
    return CallerScopes.within(ScopeSet.parse(token), policy).toString();
  }

  @Test
  void grantsCountOnlyAsFarAsThePolicyGivesThem() {
    // covered: as issued
    assertThat(effective(".:config/clients/x", policy("*:config/**")))
        .isEqualTo(".:config/clients/x");
    // narrowed to read: still reads
    assertThat(effective("*:config/clients/** openid", policy(".:config/clients/**")))
        .isEqualTo(".:config/clients/** openid");
    // narrowed to a part: only that part
    assertThat(effective("*:config/**", policy("*:config/clients/abc", ".:config/tokenPolicies")))
        .isEqualTo("*:config/clients/abc .:config/tokenPolicies");
    // merely overlapping: nothing (fail closed)
    assertThat(effective(".:config/*/abc", policy(".:config/clients/*"))).isEmpty();
    // no policy grant: nothing
    assertThat(effective("*:** .:**", policy("openid"))).isEmpty();
    assertThat(effective("*:** .:**", policy())).isEmpty();
  }

  @Test
  void tokenDeniesStayAndThePolicysDeniesComeWithAnyGrant() {
    EffectivePolicy withDeny = policy("*:**", "-:config/tokenPolicies/p");
    assertThat(effective("*:** -:config/clients", withDeny))
        .isEqualTo("*:** -:config/clients -:config/tokenPolicies/p");
    // no grant left: no sticky deny added, the token's own denies stay
    assertThat(effective("-:config/clients openid", policy("email")))
        .isEqualTo("-:config/clients openid");
  }

  @Test
  void theResultDecidesLikeTheNarrowedToken() {
    ScopeSet scopes =
        CallerScopes.within(
            ScopeSet.parse("*:config/clients/**"), policy(".:config/clients/**", "*:config/x"));
    assertThat(scopes.decide("GET", "config/clients").allowed()).isTrue();
    assertThat(scopes.decide("POST", "config/clients").allowed()).isFalse();
    assertThat(scopes.decide("PUT", "config/x").allowed()).isFalse();
  }

  @Test
  void aClaimSeenBeforeIsServedFromTheCacheAndAChangedPolicyIsANewAnswer() {
    String claim = "*:config/** -:config/clients/abc openid";
    EffectivePolicy v1 = policy("*:config/**", "openid");
    EffectivePolicy v2 = policy(".:config/clients/**", "openid");
    ScopeSet first = CallerScopes.effective(claim, v1);
    assertThat(CallerScopes.effective(claim, v1)).isSameAs(first);
    assertThat(first.toString()).isEqualTo(effective(claim, v1));
    // a new policy version is a new key: never the answer of the old one
    assertThat(CallerScopes.effective(claim, v2).toString())
        .isEqualTo(".:config/clients/** -:config/clients/abc openid");
    assertThat(CallerScopes.effective(claim, v1)).isSameAs(first);
    // no policy, or one without config grants: the token's grants count for nothing
    assertThat(CallerScopes.effective(claim, (EffectivePolicy) null).toString())
        .isEqualTo("-:config/clients/abc openid");
    assertThat(CallerScopes.effective(claim, policy("openid")).toString())
        .isEqualTo("-:config/clients/abc openid");
    assertThat(CallerScopes.token(claim)).isSameAs(CallerScopes.token(claim));
    assertThat(CallerScopes.token(null).isEmpty()).isTrue();
  }

  @Test
  void manyPolicyVersionsForOneClaimStayBoundedAndCorrect() {
    String claim = "*:config/**";
    for (int i = 0; i < 3 * CallerScopes.MAX_POLICIES_PER_CLAIM; i++) {
      EffectivePolicy version = policy("*:config/clients/c" + i);
      assertThat(CallerScopes.effective(claim, version).toString())
          .isEqualTo("*:config/clients/c" + i);
    }
  }

  /** A claim with the most denies a request may add, each as long as the scope parameter allows. */
  private static String worstClaim(int n) {
    StringBuilder claim = new StringBuilder("openid *:config/** .:config/clients/c" + n);
    for (int d = 0; d < IssuanceDecision.MAX_REQUESTED_DENIES; d++) {
      String head = " -:config/clients/" + n + "-" + d + "-";
      claim.append(head).append("x".repeat(240 - head.length()));
    }
    return claim.toString();
  }

  @Test
  void manyHugeDistinctClaimsStayWithinTheBudget() {
    CallerScopes.clear();
    EffectivePolicy current = policy("*:config/**", "-:config/tokenPolicies/p");
    EffectivePolicy narrowed = policy(".:config/clients/**");
    ScopeSet first = CallerScopes.effective(worstClaim(0), current);
    long one = CallerScopes.weightedSize();
    assertThat(one).as("one worst-case entry").isGreaterThan(30_000L);
    int claims = (int) (2 * CacheBudget.CALLER_SCOPES_BYTES / one) + 1;
    for (int n = 0; n < claims; n++) {
      CallerScopes.effective(worstClaim(n), current);
      CallerScopes.effective(worstClaim(n), narrowed); // a second remembered answer
      CallerScopes.token(worstClaim(n));
    }
    assertThat(CallerScopes.weightedSize()).isLessThanOrEqualTo(CacheBudget.CALLER_SCOPES_BYTES);
    assertThat(CallerScopes.size()).isLessThan(claims);
    // evicted or not, the answer is the same
    assertThat(CallerScopes.effective(worstClaim(0), current).toString())
        .isEqualTo(first.toString());
  }

  @Test
  void anEntryWeighsItsClaimItsSetsAndEveryRememberedAnswer() {
    CallerScopes.clear();
    String claim = worstClaim(1);
    ScopeSet token = ScopeSet.parse(claim);
    CallerScopes.effective(claim, (EffectivePolicy) null);
    long compiled = CallerScopes.weightedSize();
    assertThat(compiled)
        .isGreaterThanOrEqualTo(token.estimatedBytes() + 2L * claim.length())
        .isGreaterThan(CacheBudget.ENTRY_OVERHEAD);
    CallerScopes.effective(claim, policy("*:config/clients/**"));
    long withAnswer = CallerScopes.weightedSize();
    assertThat(withAnswer).isGreaterThan(compiled);
    CallerScopes.effective(claim, policy(".:config/**"));
    assertThat(CallerScopes.weightedSize()).isGreaterThan(withAnswer);
    assertThat(CallerScopes.size()).isEqualTo(1);
    // a deny-only answer is the compiled grant-free set itself: it adds nothing
    CallerScopes.clear();
    String denies = claim.substring(claim.indexOf(" -:") + 1);
    CallerScopes.effective(denies, (EffectivePolicy) null);
    long alone = CallerScopes.weightedSize();
    assertThat(CallerScopes.effective(denies, policy("*:config/x")))
        .isSameAs(CallerScopes.effective(denies, (EffectivePolicy) null));
    assertThat(CallerScopes.weightedSize()).isLessThan(alone + 200);
  }
}
