package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The collection-wide read decision is the per-member decision: for any caller and any id, {@link
 * CollectionReads#canRead} answers what {@code decide("GET", path)} answers, and {@link
 * CollectionReads#everyMember} holds only when every member path is allowed.
 */
class CollectionReadsTest {

  private static final String POLICIES = "config/tokenPolicies";

  private static final String[] SEGMENTS = {
    "config", "tokenPolicies", "clients", "abc", "a-b", "*", "**", "a*", "*c", "secret"
  };
  private static final String[] IDS = {
    "abc", "a-b", "xyz", "a*b", "..", ".", "a/b", "", "abc;x", "a%2f", "secret", "é", "A_b.c~1"
  };

  @Provide
  Arbitrary<List<String>> callers() {
    Arbitrary<String> pattern =
        Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
    return Combinators.combine(Arbitraries.of("*:", ".:", "-:"), pattern)
        .as(String::concat)
        .list()
        .ofMaxSize(6);
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.of(IDS);
  }

  @Property(tries = 3000)
  void canReadIsTheDecisionOfAGet(
      @ForAll("callers") List<String> caller, @ForAll("ids") String id) {
    ScopeSet scopes = ScopeSet.of(caller);
    String path = POLICIES + "/" + id;
    CollectionReads reads = CollectionReads.of(scopes, POLICIES);
    assertThat(reads.canRead(path)).as(path).isEqualTo(scopes.decide("GET", path).allowed());
  }

  @Property(tries = 3000)
  void everyMemberMeansEveryMemberPathIsReadable(@ForAll("callers") List<String> caller) {
    ScopeSet scopes = ScopeSet.of(caller);
    CollectionReads reads = CollectionReads.of(scopes, POLICIES);
    Predicate<String> member = CollectionReads.memberPaths(POLICIES);
    if (reads.everyMember()) {
      for (String id : IDS) {
        String path = POLICIES + "/" + id;
        if (member.test(path)) {
          assertThat(scopes.decide("GET", path).allowed()).as(path).isTrue();
        }
      }
    }
  }

  @Test
  void aReaderOfEverythingNeedsNoDecisionPerMember() {
    assertThat(CollectionReads.of(ScopeSet.of(List.of(".:**")), POLICIES).everyMember()).isTrue();
    assertThat(
            CollectionReads.of(ScopeSet.of(List.of("*:config/tokenPolicies/*")), POLICIES)
                .everyMember())
        .isTrue();
  }

  @Test
  void aDenyThatCanReachAMemberIsTriedPerMember() {
    CollectionReads reads =
        CollectionReads.of(ScopeSet.of(List.of(".:**", "-:config/tokenPolicies/a*")), POLICIES);
    assertThat(reads.everyMember()).isFalse();
    assertThat(reads.canRead(POLICIES + "/abc")).isFalse();
    assertThat(reads.canRead(POLICIES + "/xyz")).isTrue();
    // a deny elsewhere does not make the caller's reads per member
    assertThat(
            CollectionReads.of(ScopeSet.of(List.of(".:**", "-:config/clients/**")), POLICIES)
                .everyMember())
        .isTrue();
  }

  @Test
  void onlyPlainSegmentsAreMembers() {
    Predicate<String> member = CollectionReads.memberPaths(POLICIES);
    assertThat(member.test(POLICIES + "/abc")).isTrue();
    assertThat(member.test(POLICIES + "/a/b")).isFalse();
    assertThat(member.test(POLICIES + "/..")).isFalse();
    assertThat(member.test(POLICIES + "/a%2f")).isFalse();
    assertThat(member.test(POLICIES + "/")).isFalse();
  }
}
