package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConditionsTest {

  @Test
  void ifNoneMatchFailsOnStarOrAWeaklyEqualTag() {
    String etag = "\"abc\"";
    assertThat(Conditions.noneMatchFails("*", etag)).isTrue();
    assertThat(Conditions.noneMatchFails("\"abc\"", etag)).isTrue();
    assertThat(Conditions.noneMatchFails("W/\"abc\"", etag)).isTrue();
    assertThat(Conditions.noneMatchFails("\"x\", \"abc\"", etag)).isTrue();
    assertThat(Conditions.noneMatchFails(" \"abc\" ", etag)).isTrue();
  }

  @Test
  void ifNoneMatchHoldsOtherwise() {
    String etag = "\"abc\"";
    for (String value : new String[] {null, "", " ", ",", "\"x\"", "abc", "W/", "\"abc", "**"}) {
      assertThat(Conditions.noneMatchFails(value, etag)).as(String.valueOf(value)).isFalse();
    }
  }
}
