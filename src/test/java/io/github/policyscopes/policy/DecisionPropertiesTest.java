package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Property tests of the decision and of issuance: denies only take away, order never matters. */
class DecisionPropertiesTest {

  private static final String[] SEGMENTS = {
    "config", "clients", "tokenPolicies", "abc", "secret", "*", "**", "a*", "*c"
  };
  private static final String[] CONCRETE = {"config", "clients", "tokenPolicies", "abc", "secret"};
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE"};

  @Provide
  Arbitrary<String> scopes() {
    Arbitrary<String> pattern =
        Arbitraries.of(SEGMENTS).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
    Arbitrary<String> config =
        Combinators.combine(Arbitraries.of("*:", ".:", "-:"), pattern).as(String::concat);
    Arbitrary<String> other = Arbitraries.of("openid", "email", "*:", "*:a//b", "*.**", "-:");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, config), net.jqwik.api.Tuple.of(1, other));
  }

  @Provide
  Arbitrary<List<String>> scopeLists() {
    return scopes().list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<String> paths() {
    return Arbitraries.of(CONCRETE).list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("/", l));
  }

  @Provide
  Arbitrary<String> denies() {
    return Arbitraries.of(SEGMENTS)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(l -> "-:" + String.join("/", l));
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of(METHODS);
  }

  @Property
  void addingADenyNeverIncreasesAccess(
      @ForAll("scopeLists") List<String> scopes,
      @ForAll("denies") String deny,
      @ForAll("methods") String method,
      @ForAll("paths") String path) {
    List<String> withDeny = new ArrayList<>(scopes);
    withDeny.add(deny);
    if (ScopeSet.of(withDeny).isAllowed(method, path)) {
      assertThat(ScopeSet.of(scopes).isAllowed(method, path)).isTrue();
    }
  }

  @Property
  void isAllowedAgreesWithDecide(
      @ForAll("scopeLists") List<String> scopes,
      @ForAll("methods") String method,
      @ForAll("paths") String path) {
    ScopeSet set = ScopeSet.of(scopes);
    Decision d = set.decide(method, path);
    assertThat(set.isAllowed(method, path)).isEqualTo(d.allowed());
    if (d.allowed()) {
      assertThat(d.allowedBy().pattern().matches(path)).isTrue();
      assertThat(d.allowedBy().access().includes(d.required())).isTrue();
    } else if (d.deniedBy() != null) {
      assertThat(d.deniedBy().appliesTo(path)).isTrue();
    }
  }

  @Property
  void orderOfTokenScopesNeverMatters(
      @ForAll("scopeLists") List<String> scopes,
      @ForAll("methods") String method,
      @ForAll("paths") String path,
      @ForAll long seed) {
    List<String> shuffled = new ArrayList<>(scopes);
    Collections.shuffle(shuffled, new Random(seed));
    assertThat(ScopeSet.of(shuffled).decide(method, path))
        .isEqualTo(ScopeSet.of(scopes).decide(method, path));
  }

  @Property
  void orderNeverChangesTheGrantedSet(
      @ForAll("scopeLists") List<String> policy,
      @ForAll("scopeLists") List<String> requested,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<String> policy2 = new ArrayList<>(policy);
    List<String> requested2 = new ArrayList<>(requested);
    Collections.shuffle(policy2, random);
    Collections.shuffle(requested2, random);
    ScopeGrant.GrantResult a =
        ScopeGrant.compute(
            requested, EffectivePolicy.of(policy, DisallowedScopesMode.IGNORE, null));
    ScopeGrant.GrantResult b =
        ScopeGrant.compute(
            requested2, EffectivePolicy.of(policy2, DisallowedScopesMode.IGNORE, null));
    assertThat(new HashSet<>(b.granted())).isEqualTo(new HashSet<>(a.granted()));
    assertThat(new HashSet<>(b.dropped())).isEqualTo(new HashSet<>(a.dropped()));
  }

  @Property
  void grantedTokenNeverExceedsThePolicy(
      @ForAll("scopeLists") List<String> policy,
      @ForAll("scopeLists") List<String> requested,
      @ForAll("methods") String method,
      @ForAll("paths") String path) {
    List<String> granted =
        ScopeGrant.compute(requested, EffectivePolicy.of(policy, DisallowedScopesMode.IGNORE, null))
            .granted();
    if (ScopeSet.of(granted).isAllowed(method, path)) {
      assertThat(ScopeSet.of(policy).isAllowed(method, path)).isTrue();
    }
    // and narrowing from the grant never widens it
    List<String> again =
        ScopeGrant.compute(requested, EffectivePolicy.ofGrantedScopes(granted)).granted();
    if (ScopeSet.of(again).isAllowed(method, path)) {
      assertThat(ScopeSet.of(granted).isAllowed(method, path)).isTrue();
    }
  }

  @Property
  void callerCanHandOutOnlyWhatItCanDo(
      @ForAll("scopeLists") List<String> caller,
      @ForAll("scopeLists") List<String> entries,
      @ForAll("methods") String method,
      @ForAll("paths") String path) {
    ScopeSet callerSet = ScopeSet.of(caller);
    List<String> exceeding = EscalationCheck.exceeding(callerSet, entries);
    List<String> accepted = new ArrayList<>(entries);
    accepted.removeAll(exceeding);
    if (ScopeSet.of(accepted).isAllowed(method, path)) {
      assertThat(callerSet.isAllowed(method, path)).isTrue();
    }
  }
}
