package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.IssuanceDecision.Tally;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenOutcomeTest {

  private final Object decisions = new Object();

  @Test
  void anOutcomeCarriesTheScopeTheTallyAndTheEventDetails() {
    GrantResult result = new GrantResult(List.of("openid", "profile"), List.of("email", "x"));
    Tally tally = IssuanceDecision.tally(result, List.of("x"), Set.of("email", "profile"));
    TokenOutcome outcome = TokenOutcome.of(result, tally);
    assertThat(outcome.scope()).isEqualTo("openid profile");
    assertThat(outcome.details())
        .containsExactly(
            "granted_scopes", "openid profile",
            "granted_count", "2",
            "dropped_scopes", "x",
            "dropped_count", "1",
            "filtered_default_scopes", "email");
    TokenOutcome none = TokenOutcome.of(new GrantResult(List.of(), List.of("a")), null);
    assertThat(none.scope()).as("no scope claim when nothing is granted").isNull();
    assertThat(none.details()).as("outside a token request, no event").isEmpty();
  }

  @Test
  void shapesAreEqualOnlyForTheSameDecisionsAndTheSameRequest() {
    TokenOutcome.Shape shape =
        TokenOutcome.Shape.of("openid profile", List.of("a"), true, null, decisions);
    assertThat(shape)
        .isEqualTo(TokenOutcome.Shape.of("openid profile", List.of("a"), true, null, decisions));
    assertThat(shape)
        .isNotEqualTo(
            TokenOutcome.Shape.of("openid profile", List.of("a"), true, null, new Object()))
        .isNotEqualTo(TokenOutcome.Shape.of("openid", List.of("a"), true, null, decisions))
        .isNotEqualTo(TokenOutcome.Shape.of(null, List.of("a"), true, null, decisions))
        .isNotEqualTo(TokenOutcome.Shape.of("openid profile", List.of("b"), true, null, decisions))
        .isNotEqualTo(TokenOutcome.Shape.of("openid profile", List.of("a"), false, null, decisions))
        .isNotEqualTo(
            TokenOutcome.Shape.of("openid profile", List.of("a"), true, List.of("a"), decisions));
  }

  @Test
  void aShapeTooLargeIsNotKeptAndAKeptOneWeighsWithinTheBound() {
    String longScope = String.join(" ", Collections.nCopies(200, "abc"));
    assertThat(TokenOutcome.Shape.of(longScope, List.of(), false, null, decisions)).isNull();
    assertThat(TokenOutcome.Shape.of(null, Collections.nCopies(17, "a"), true, null, decisions))
        .isNull();
    assertThat(TokenOutcome.Shape.of(null, List.of(), false, List.of("x".repeat(257)), decisions))
        .isNull();
    TokenOutcome.Shape typical =
        TokenOutcome.Shape.of(
            "openid profile email",
            List.of("openid", "profile", "orders:read"),
            true,
            null,
            decisions);
    GrantResult result =
        new GrantResult(List.of("openid", "profile", "orders:read"), List.of("email"));
    TokenOutcome outcome =
        TokenOutcome.of(
            result, IssuanceDecision.tally(result, List.of("openid"), Set.of("profile", "email")));
    assertThat(outcome.estimatedBytes(typical))
        .as("a request of a few scopes is kept, with room to spare")
        .isBetween(TokenOutcome.MAX_KEPT_BYTES / 4, TokenOutcome.MAX_KEPT_BYTES * 3 / 4);
    List<String> sixteen = Collections.nCopies(16, "s".repeat(16));
    TokenOutcome.Shape largest =
        TokenOutcome.Shape.of(
            "q".repeat(TokenOutcome.Shape.MAX_SCOPE_CHARS), sixteen, true, sixteen, decisions);
    assertThat(largest).isNotNull();
    assertThat(outcome.estimatedBytes(largest))
        .as("the largest shape is weighed, and then not kept")
        .isGreaterThan(TokenOutcome.MAX_KEPT_BYTES);
  }
}
