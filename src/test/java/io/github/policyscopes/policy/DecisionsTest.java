package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.Decisions.Decided;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kept decisions of one policy: the decision itself, only made once, and bounded. */
class DecisionsTest {

  private static final EffectivePolicy POLICY =
      EffectivePolicy.of(
          List.of("openid", "email", "*:config/tokenPolicies", "-:config/tokenPolicies/x"),
          null,
          null);

  private static final String[] SCOPES = {
    "openid",
    "email",
    "profile",
    "*:config/tokenPolicies",
    ".:config/tokenPolicies/a",
    "*:config/clients",
    "-:config/tokenPolicies/x",
    "*:a//b",
    "XXXXX"
  };

  @Test
  void aKeptAnswerIsTheDecisionOfTheSameQuestion() {
    Random random = new Random(40);
    Decisions decisions = new Decisions(POLICY);
    for (int i = 0; i < 5_000; i++) {
      List<String> requested = pick(random);
      List<String> keycloak = pick(random);
      Ceiling ceiling = random.nextBoolean() ? Ceiling.NONE : Ceiling.of(pick(random));
      GrantResult expected = IssuanceDecision.decide(requested, keycloak, ceiling, POLICY);
      assertThat(decisions.decide(requested, keycloak, ceiling).result())
          .as("%s + %s within %s", requested, keycloak, ceiling.isSet() ? ceiling.scopes() : "-")
          .isEqualTo(expected);
    }
  }

  /**
   * A refresh token's ceiling (the original grant decided within itself by the policy as it is now)
   * asked of the kept decisions, as the issuance does, is what deciding it directly gives.
   */
  @Test
  void theGrantWithinACeilingIsTheKeptDecisionOfTheCeilingItself() {
    Random random = new Random(41);
    Decisions decisions = new Decisions(POLICY);
    for (int i = 0; i < 5_000; i++) {
      List<String> original = pick(random);
      if (random.nextInt(4) == 0) {
        original.addAll(original); // a grant naming a scope twice
      }
      Ceiling ceiling = Ceiling.of(original);
      assertThat(decisions.decide(ceiling.scopes(), List.of(), ceiling).result().granted())
          .as("%s", original)
          .isEqualTo(ScopeGrant.computeWithin(ceiling.scopes(), ceiling, POLICY).granted());
    }
  }

  @Test
  void aQuestionIsDecidedOnceAndItsAnswerKeptApartFromTheCallersLists() {
    Decisions decisions = new Decisions(POLICY);
    List<String> requested = new ArrayList<>(List.of("openid", "XXXXX"));
    Decided first = decisions.decide(requested, List.of("email"), Ceiling.NONE);
    assertThat(first.keptNow()).isTrue();
    requested.set(1, "profile"); // the caller's list changes afterwards
    Decided again = decisions.decide(List.of("openid", "XXXXX"), List.of("email"), Ceiling.NONE);
    assertThat(again.keptNow()).isFalse();
    assertThat(again.result()).isSameAs(first.result());
    assertThat(again.result().dropped()).containsExactly("XXXXX");
    // within a ceiling is another question
    Decided within =
        decisions.decide(
            List.of("openid", "XXXXX"), List.of("email"), Ceiling.of(List.of("openid")));
    assertThat(within.keptNow()).isTrue();
    assertThat(within.result().granted()).containsExactly("openid");
  }

  @Test
  void keptAnswersAreBoundedInNumberAndSizeAndWeighed() {
    Decisions decisions = new Decisions(POLICY);
    long empty = decisions.estimatedBytes();
    for (int i = 0; i < 10 * Decisions.MAX_ENTRIES; i++) {
      decisions.decide(List.of("openid", "s" + i), List.of(), Ceiling.NONE);
      assertThat(decisions.size()).isBetween(1, Decisions.MAX_ENTRIES);
    }
    assertThat(decisions.estimatedBytes()).isGreaterThan(empty);

    Decisions fresh = new Decisions(POLICY);
    String large = "x".repeat(Decisions.MAX_CHARS);
    Decided decided = fresh.decide(List.of("openid", large), List.of(), Ceiling.NONE);
    assertThat(decided.keptNow()).isFalse();
    assertThat(decided.result().dropped()).containsExactly(large);
    assertThat(fresh.size()).isZero();
    assertThat(fresh.estimatedBytes()).isEqualTo(empty);

    List<String> many = new ArrayList<>();
    for (int i = 0; i <= Decisions.MAX_SCOPES; i++) {
      many.add(String.valueOf((char) ('a' + i % 26)) + i / 26);
    }
    assertThat(fresh.decide(many, List.of(), Ceiling.NONE).keptNow()).isFalse();
    assertThat(fresh.decide(many.subList(1, many.size()), List.of(), Ceiling.NONE).keptNow())
        .isTrue();
    fresh = new Decisions(POLICY);

    List<String> withNull = new ArrayList<>(List.of("openid"));
    withNull.add(null);
    Decided odd = fresh.decide(withNull, List.of("email"), Ceiling.NONE);
    assertThat(odd.keptNow()).isFalse();
    assertThat(odd.result())
        .isEqualTo(IssuanceDecision.decide(withNull, List.of("email"), Ceiling.NONE, POLICY));
    assertThat(fresh.size()).isZero();

    // what one answer is weighed at covers its question's characters
    fresh.decide(List.of("openid", "y".repeat(400)), List.of(), Ceiling.NONE);
    assertThat(fresh.estimatedBytes() - empty).isGreaterThan(2L * 400);
  }

  private static List<String> pick(Random random) {
    List<String> scopes = new ArrayList<>();
    for (int n = random.nextInt(4); n > 0; n--) {
      scopes.add(SCOPES[random.nextInt(SCOPES.length)]);
    }
    return scopes;
  }
}
