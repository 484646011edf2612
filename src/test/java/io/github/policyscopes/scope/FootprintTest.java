package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The estimates weighing the caches grow with what an input can make large. */
class FootprintTest {

  @Test
  void aStringCountsTwoBytesACharacterAndItsHeaders() {
    assertThat(Footprint.string(0)).isEqualTo(56);
    assertThat(Footprint.string(1000)).isGreaterThanOrEqualTo(2000 + 56);
    assertThat(Footprint.string((String) null)).isZero();
    assertThat(Footprint.align(17)).isEqualTo(24);
  }

  @Test
  void aConfigScopeWeighsItsTextItsSegmentsAndForADenyItsReach() {
    ConfigScope short1 = ConfigScope.parse(".:config/a");
    ConfigScope long1 = ConfigScope.parse(".:config/" + "a".repeat(200));
    ConfigScope segmented = ConfigScope.parse(".:config/" + "a/".repeat(29) + "a");
    assertThat(long1.estimatedBytes()).isGreaterThan(short1.estimatedBytes() + 3 * 2 * 190);
    assertThat(segmented.estimatedBytes()).isGreaterThan(short1.estimatedBytes() + 29 * 100);
    ConfigScope deny = ConfigScope.parse("-:config/" + "a".repeat(200));
    assertThat(deny.estimatedBytes()).isGreaterThan(long1.estimatedBytes() + 2 * 200);
    assertThat(new PlainScope("openid").estimatedBytes()).isGreaterThan(2 * 6);
  }
}
