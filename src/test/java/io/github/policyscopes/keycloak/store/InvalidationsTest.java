package io.github.policyscopes.keycloak.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What a value cached by {@link PolicyCache} learns of the invalidations heard since it was read.
 */
class InvalidationsTest {

  @Test
  void aValueReadBeforeAPolicyChangedSeesThatPolicyAndNoOther() {
    Invalidations heard = new Invalidations(8);
    long read = heard.now();
    heard.policy("r1", "p1");
    heard.policy("r2", "p9");

    assertThat(heard.since("r1", read).policies()).containsExactly("p1");
    assertThat(heard.unchanged("r1", "p1", read)).isFalse();
    assertThat(heard.unchanged("r1", "p2", read)).isTrue();
    assertThat(heard.unchanged("r2", "p1", read)).as("another realm's policy").isTrue();
  }

  @Test
  void aValueReadAfterTheChangeSeesNothing() {
    Invalidations heard = new Invalidations(8);
    heard.policy("r1", "p1");
    long read = heard.now();

    assertThat(heard.since("r1", read).policies()).isEmpty();
    assertThat(heard.unchanged("r1", "p1", read)).isTrue();
  }

  @Test
  void aPatchStoredWithTheReturnedNumberSeesOnlyWhatChangedAfterIt() {
    Invalidations heard = new Invalidations(8);
    long read = heard.now();
    heard.policy("r1", "p1");
    Invalidations.Since since = heard.since("r1", read);
    heard.policy("r1", "p2"); // while the patch reads p1 again

    assertThat(heard.since("r1", since.now()).policies()).containsExactly("p2");
  }

  @Test
  void aChangeOfEverythingOutdatesEveryValueReadBeforeIt() {
    Invalidations heard = new Invalidations(8);
    heard.policy("r1", "p1");
    long read = heard.now();
    heard.everything();

    assertThat(heard.since("r1", read)).isNull();
    assertThat(heard.since("r2", read)).isNull();
    assertThat(heard.unchanged("r1", "p2", read)).isFalse();
    long after = heard.now();
    assertThat(heard.since("r1", after).policies()).isEmpty();
    assertThat(heard.unchanged("r1", "p1", after)).isTrue();
  }

  @Test
  void moreChangedPoliciesThanItRemembersCountAsEverything() {
    Invalidations heard = new Invalidations(3);
    long read = heard.now();
    heard.policy("r1", "a");
    heard.policy("r1", "b");
    heard.policy("r1", "c");
    heard.policy("r1", "c"); // the same policy again: still three
    assertThat(heard.since("r1", read).policies()).containsExactlyInAnyOrder("a", "b", "c");

    heard.policy("r1", "d");

    assertThat(heard.since("r1", read)).isNull();
    assertThat(heard.since("r1", heard.now()).policies()).isEmpty();
  }
}
