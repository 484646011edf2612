package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What a refused parse must say: the input, why, and where (one assertion for every parser). */
final class ParseFailures {

  private ParseFailures() {}

  /** {@code parse} fails on {@code input} for {@code reason} at the 0-based {@code position}. */
  static void assertRefused(ThrowingCallable parse, String input, Reason reason, int position) {
    assertThatThrownBy(parse)
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e ->
                SoftAssertions.assertSoftly(
                    soft -> {
                      soft.assertThat(e.reason()).isEqualTo(reason);
                      soft.assertThat(e.position()).isEqualTo(position);
                      soft.assertThat(e.input()).isEqualTo(input);
                    }));
  }
}
