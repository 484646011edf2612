package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is left of a claim once the contribution of the dropped client scopes is taken out. */
class ClaimDiffTest {

  @Test
  void aClaimOnlyADroppedScopeWroteIsRemoved() {
    assertThat(ClaimDiff.subtract("a@example.com", "a@example.com", null)).isNull();
    assertThat(ClaimDiff.subtract(true, true, null)).isNull();
  }

  @Test
  void aClaimAKeptScopeAlsoWritesGetsTheKeptValue() {
    assertThat(ClaimDiff.subtract("dropped", "dropped", "kept")).isEqualTo("kept");
    Object same = "same";
    assertThat(ClaimDiff.subtract(same, "same", "same")).isSameAs(same);
  }

  @Test
  void aValueSomeoneElseWroteStays() {
    Object other = "other";
    assertThat(ClaimDiff.subtract(other, "dropped", null)).isSameAs(other);
  }

  @Test
  void listsLoseOnlyTheValuesOnlyADroppedScopeContributed() {
    assertThat(ClaimDiff.subtract(List.of("api", "self"), "api", null)).isEqualTo(List.of("self"));
    assertThat(
            ClaimDiff.subtract(
                List.of("api", "self", "both"), List.of("api", "both"), List.of("both")))
        .isEqualTo(List.of("self", "both"));
    assertThat(ClaimDiff.subtract("api", List.of("api"), null)).isNull();
    assertThat(ClaimDiff.subtract("api", List.of("api", "x"), List.of())).isNull();
    Object untouched = List.of("self");
    assertThat(ClaimDiff.subtract(untouched, List.of("api"), null)).isSameAs(untouched);
  }

  @Test
  void aScalarLeftOfAnArrayStaysAScalar() {
    assertThat(ClaimDiff.subtract("self", List.of("api"), null)).isEqualTo("self");
  }

  @Test
  void objectsAreFilteredMemberByMember() {
    assertThat(
            ClaimDiff.subtract(
                Map.of("roles", List.of("user", "admin"), "street", "x"),
                Map.of("roles", List.of("admin"), "street", "x"),
                Map.of("roles", List.of("user"))))
        .isEqualTo(Map.of("roles", List.of("user")));
    assertThat(ClaimDiff.subtract(Map.of("street", "x"), Map.of("street", "x"), null)).isNull();
  }

  @Test
  void withoutRemovesOnePathAndTheObjectsItEmpties() {
    Map<String, Object> value = Map.of("x", Map.of("y", 1), "z", 2);
    assertThat(ClaimDiff.without(value, List.of("x", "y"))).isEqualTo(Map.of("z", 2));
    assertThat(ClaimDiff.without(Map.of("x", Map.of("y", 1)), List.of("x", "y"))).isNull();
    assertThat(ClaimDiff.without(value, List.of("x", "q"))).isSameAs(value);
    assertThat(ClaimDiff.without("scalar", List.of("x"))).isEqualTo("scalar");
    assertThat(ClaimDiff.without(value, List.of())).isNull();
  }
}
