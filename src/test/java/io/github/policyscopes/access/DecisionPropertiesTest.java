package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant;
import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathArbitraries;
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
    Arbitrary<String> pattern = PathArbitraries.joined(SEGMENTS, 4);
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
    return PathArbitraries.joined(CONCRETE, 5);
  }

  @Provide
  Arbitrary<String> denies() {
    return PathArbitraries.joined(SEGMENTS, 4).map(p -> "-:" + p);
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of(METHODS);
  }

  /** A request: a method on a concrete path. */
  record Request(String method, String path) {}

  @Provide
  Arbitrary<Request> requests() {
    return Combinators.combine(methods(), paths()).as(Request::new);
  }

  /** Whatever {@code narrower} allows of {@code request}, {@code wider} allows too. */
  private static void assertNoWider(List<String> narrower, ScopeSet wider, Request request) {
    if (ScopeSet.of(narrower).decide(request.method(), request.path()).allowed()) {
      assertThat(wider.decide(request.method(), request.path()).allowed())
          .as(narrower + " allows " + request + ", " + wider + " does not")
          .isTrue();
    }
  }

  @Property
  void addingADenyNeverIncreasesAccess(
      @ForAll("scopeLists") List<String> scopes,
      @ForAll("denies") String deny,
      @ForAll("requests") Request request) {
    List<String> withDeny = new ArrayList<>(scopes);
    withDeny.add(deny);
    assertNoWider(withDeny, ScopeSet.of(scopes), request);
  }

  @Property
  void decisionNamesTheScopeThatMadeIt(
      @ForAll("scopeLists") List<String> scopes,
      @ForAll("methods") String method,
      @ForAll("paths") String path) {
    Decision d = ScopeSet.of(scopes).decide(method, path);
    Access required = RequestAccess.required(method, path);
    if (d instanceof Decision.Allowed a) {
      assertThat(a.grant().pattern().matches(path)).isTrue();
      assertThat(a.grant().access().includes(required)).isTrue();
    } else if (d instanceof Decision.Denied denied) {
      assertThat(denied.deny().appliesTo(path)).isTrue();
    } else {
      assertThat(d).isEqualTo(new Decision.NotGranted(required));
    }
  }

  /**
   * The decision on the precomputed arrays equals the rule written out plainly over the grant and
   * deny lists: not canonical, else the first deny that applies, else the first grant with enough
   * access that matches, else not granted.
   */
  @Property
  void decisionEqualsTheReferenceDecision(
      @ForAll("scopeLists") List<String> scopes,
      @ForAll("methods") String method,
      @ForAll("requestPaths") String path) {
    ScopeSet set = ScopeSet.of(scopes);
    assertThat(set.decide(method, path)).isEqualTo(reference(set, method, path));
  }

  private static Decision reference(ScopeSet set, String method, String path) {
    if (!RequestPaths.isCanonical(path)) {
      return new Decision.NotCanonical();
    }
    for (ConfigScope deny : set.denies()) {
      if (deny.appliesTo(path)) {
        return new Decision.Denied(deny);
      }
    }
    Access required = RequestAccess.required(method, path);
    for (ConfigScope grant : set.grants()) {
      if (grant.access().includes(required) && grant.appliesTo(path)) {
        return new Decision.Allowed(grant);
      }
    }
    return new Decision.NotGranted(required);
  }

  /** Canonical paths, and a few spellings that are not. */
  @Provide
  Arbitrary<String> requestPaths() {
    Arbitrary<String> odd =
        Arbitraries.of(
            "",
            "config//clients",
            "config/clients/",
            "/config",
            "config/./x",
            "config/%61",
            "config/a;b",
            "config/a b",
            "config/*",
            "config/a:b",
            "..");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, paths()), net.jqwik.api.Tuple.of(1, odd));
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
      @ForAll("requests") Request request) {
    List<String> granted =
        ScopeGrant.compute(requested, EffectivePolicy.of(policy, DisallowedScopesMode.IGNORE, null))
            .granted();
    assertNoWider(granted, ScopeSet.of(policy), request);
    // and narrowing from the grant never widens it
    List<String> again =
        ScopeGrant.compute(requested, EffectivePolicy.ofGrantedScopes(granted)).granted();
    assertNoWider(again, ScopeSet.of(granted), request);
  }

  @Property
  void callerCanHandOutOnlyWhatItCanDo(
      @ForAll("scopeLists") List<String> caller,
      @ForAll("scopeLists") List<String> entries,
      @ForAll("requests") Request request) {
    ScopeSet callerSet = ScopeSet.of(caller);
    List<String> accepted = new ArrayList<>(entries);
    accepted.removeAll(EscalationCheck.exceeding(callerSet, entries));
    assertNoWider(accepted, callerSet, request);
  }
}
