package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.IssuanceDecision.Explained;
import io.github.policyscopes.policy.IssuanceDecision.Outcome;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The decision shared by issuance and the dry run, and the dry run's explanations of it. */
class IssuanceDecisionTest {

  private static final String DENY = "-:config/tokenPolicies/8cdb";

  private static final EffectivePolicy CONFIG =
      EffectivePolicy.of(List.of("openid", "*:**", DENY), DisallowedScopesMode.IGNORE, null);
  private static final EffectivePolicy READ_ONLY =
      EffectivePolicy.of(List.of(".:**"), DisallowedScopesMode.IGNORE, null);
  private static final EffectivePolicy STRICT =
      EffectivePolicy.of(List.of(".:config/**"), DisallowedScopesMode.REJECT, null);

  @Test
  void outcomesFollowTheGrantedAndDroppedSets() {
    assertThat(outcome(List.of("*:**"), List.of(), CONFIG)).isEqualTo(Outcome.GRANTED_ALL);
    assertThat(outcome(List.of("*:**", "XXXXX"), List.of(), CONFIG))
        .isEqualTo(Outcome.DROPPED_SOME);
    assertThat(outcome(List.of("XXXXX"), List.of(), CONFIG)).isEqualTo(Outcome.EMPTY);
    assertThat(outcome(List.of(), List.of(), CONFIG)).isEqualTo(Outcome.EMPTY);
    assertThat(Outcome.DROPPED_SOME.tag()).isEqualTo("dropped_some");
    assertThat(Outcome.REFUSED.tag()).isEqualTo("refused");
  }

  @Test
  void keycloakDefaultScopesThePolicyLeavesOutAreFilteredNotDropped() {
    // issue 23: a request for exactly .:** by a client with Keycloak's default profile and email
    List<String> defaults = List.of("profile", "email");
    IssuanceDecision.Tally tally = tally(List.of(".:**"), defaults, defaults, READ_ONLY);

    assertTally(tally, Outcome.GRANTED_ALL, List.of(), List.of("profile", "email"));
  }

  @Test
  void aDefaultScopeTheClientAskedForIsDroppedWhenLeftOut() {
    List<String> defaults = List.of("profile", "email");
    IssuanceDecision.Tally tally = tally(List.of(".:**", "profile"), defaults, defaults, READ_ONLY);

    assertTally(tally, Outcome.DROPPED_SOME, List.of("profile"), List.of("email"));
  }

  @Test
  void aScopeKeycloakAddsThatIsNoDefaultIsDroppedWhenLeftOut() {
    // an optional scope asked for at the authorization endpoint: in the token, not a default
    IssuanceDecision.Tally tally =
        tally(List.of(), List.of(".:**", "phone", "profile"), List.of("profile"), READ_ONLY);

    assertTally(tally, Outcome.DROPPED_SOME, List.of("phone"), List.of("profile"));
  }

  @Test
  void onlyDefaultsLeftOutIsAnEmptyTokenNothingDropped() {
    IssuanceDecision.Tally tally =
        tally(List.of(), List.of("profile"), List.of("profile"), READ_ONLY);

    assertThat(tally.outcome()).isEqualTo(Outcome.EMPTY);
    assertThat(tally.dropped()).isEmpty();
  }

  @Property
  void droppedAndFilteredSplitWhatThePolicyLeftOut(
      @ForAll("candidates") List<String> asked, @ForAll("candidates") List<String> defaults) {
    GrantResult issued = IssuanceDecision.decide(asked, defaults, Ceiling.NONE, READ_ONLY);
    IssuanceDecision.Tally tally = IssuanceDecision.tally(issued, asked, defaults);

    List<String> both = new java.util.ArrayList<>(tally.dropped());
    both.addAll(tally.filteredDefaults());
    assertThat(both).containsExactlyInAnyOrderElementsOf(issued.dropped());
    assertThat(tally.dropped())
        .containsAll(issued.dropped().stream().filter(asked::contains).toList());
    assertThat(tally.filteredDefaults()).allMatch(defaults::contains).noneMatch(asked::contains);
    assertThat(tally.outcome() == Outcome.DROPPED_SOME)
        .isEqualTo(!issued.granted().isEmpty() && !tally.dropped().isEmpty());
  }

  @Provide
  Arbitrary<List<String>> candidates() {
    return Arbitraries.of(".:**", "*:x", "profile", "email", "XXXXX", "-:config/a")
        .list()
        .ofMaxSize(4);
  }

  @Test
  void rejectModeRejectsOnlyWhatWasAsked() {
    GrantResult asked =
        IssuanceDecision.decide(List.of("*:config/x"), List.of(), Ceiling.NONE, STRICT);
    assertThat(IssuanceDecision.rejects(asked, STRICT)).isTrue();
    GrantResult fine =
        IssuanceDecision.decide(List.of(".:config/x"), List.of(), Ceiling.NONE, STRICT);
    assertThat(IssuanceDecision.rejects(fine, STRICT)).isFalse();
    // the same drop in ignore mode is no rejection: READ_ONLY drops *:config/x too
    GrantResult ignored =
        IssuanceDecision.decide(List.of("*:config/x"), List.of(), Ceiling.NONE, READ_ONLY);
    assertThat(ignored.dropped()).as("dropped, as in STRICT").containsExactly("*:config/x");
    assertThat(IssuanceDecision.rejects(ignored, READ_ONLY)).isFalse();
  }

  /** {@code count} distinct denies of {@code length} characters each. */
  private static List<String> denies(int count, int length) {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      String head = "-:config/clients/d" + i + "-";
      out.add(head + "x".repeat(length - head.length()));
    }
    return out;
  }

  @Test
  void aRequestMayAddOnlySoManyDenies() {
    int max = IssuanceDecision.MAX_REQUESTED_DENIES;
    assertThat(IssuanceDecision.requestRefusal(denies(max, 30))).isNull();
    assertThat(IssuanceDecision.requestRefusal(denies(max + 1, 30)))
        .isNotNull()
        .contains("At most " + max + " deny scopes");
    // repeats are one deny; grants and plain scopes do not count
    List<String> repeated = new java.util.ArrayList<>(denies(max, 30));
    repeated.addAll(denies(max, 30));
    repeated.addAll(List.of("openid", "*:**", ".:config/a", "profile"));
    assertThat(IssuanceDecision.requestRefusal(repeated)).isNull();
    assertThat(IssuanceDecision.requestRefusal(null)).isNull();
    assertThat(IssuanceDecision.requestRefusal(List.of())).isNull();
  }

  @Test
  void aRequestedDenyIsAtMostAsLongAsAPolicyEntryAndWellFormed() {
    int max = io.github.policyscopes.scope.PathPattern.MAX_LENGTH;
    assertThat(IssuanceDecision.requestRefusal(denies(1, max))).isNull();
    assertThat(IssuanceDecision.requestRefusal(denies(1, max + 1)))
        .isNotNull()
        .contains("at most " + max + " characters");
    // refused rather than dropped: a dropped deny would leave the token more powerful
    assertThat(IssuanceDecision.requestRefusal(List.of("openid", "-:config//x")))
        .isNotNull()
        .contains("malformed");
    // a malformed or long grant is no refusal: it is dropped (or rejected in reject mode)
    assertThat(IssuanceDecision.requestRefusal(List.of("*:a//b", ".:" + "x".repeat(300)))).isNull();
  }

  @Property
  void whatTheRuleAcceptsGrantsEveryRequestedDeny(
      @ForAll @Size(max = 20) List<@From("deny") String> asked) {
    if (IssuanceDecision.requestRefusal(asked) != null) {
      assertThat(asked.stream().distinct().count())
          .isGreaterThan(IssuanceDecision.MAX_REQUESTED_DENIES);
      return;
    }
    GrantResult result = IssuanceDecision.decide(asked, List.of(), Ceiling.NONE, READ_ONLY);
    assertThat(result.granted()).containsAll(asked);
    assertThat(result.dropped()).isEmpty();
  }

  @Provide
  Arbitrary<String> deny() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .ofMinLength(1)
        .ofMaxLength(20)
        .map(s -> "-:config/clients/" + s);
  }

  @Test
  void explainNamesTheCoveringEntryOrWhyNone() {
    List<String> asked =
        List.of(".:config/clients/*", "openid", "XXXXX", "*:a//b", "-:config/clients");
    GrantResult result = IssuanceDecision.decide(asked, List.of(), Ceiling.NONE, CONFIG);
    List<Explained> explained = IssuanceDecision.explain(asked, result, CONFIG);
    assertThat(explained)
        .containsExactly(
            new Explained(".:config/clients/*", true, "*:**", "covered by *:**"),
            new Explained("openid", true, "openid", "covered by openid"),
            new Explained("XXXXX", false, null, "no allowed entry is XXXXX"),
            new Explained(
                "*:a//b",
                false,
                null,
                explained.get(3).reason()), // the parser's message, with its position
            new Explained("-:config/clients", true, null, "a requested deny is always granted"));
    assertThat(explained.get(3).reason()).startsWith("malformed config scope: ").contains("4");
    assertThat(IssuanceDecision.stickyDenies(asked, result)).containsExactly(DENY);
  }

  @Test
  void explainTellsReadOnlyFromNothingAndBrokenPolicies() {
    GrantResult write =
        IssuanceDecision.decide(List.of("*:config/x"), List.of(), Ceiling.NONE, READ_ONLY);
    assertThat(IssuanceDecision.explain(List.of("*:config/x"), write, READ_ONLY).get(0).reason())
        .isEqualTo("only read access: .:** covers the path, not write");
    assertThat(IssuanceDecision.stickyDenies(List.of("*:config/x"), write)).isEmpty();

    EffectivePolicy broken =
        EffectivePolicy.merge(
            List.of(new TokenPolicy("b", "Broken", List.of("*:**", "-:a//b"), null, null)));
    GrantResult none = IssuanceDecision.decide(List.of("*:x"), List.of(), Ceiling.NONE, broken);
    assertThat(IssuanceDecision.explain(List.of("*:x"), none, broken).get(0).reason())
        .contains("invalid entry");

    EffectivePolicy plainOnly = EffectivePolicy.of(List.of("email"), null, null);
    GrantResult noGrant =
        IssuanceDecision.decide(List.of(".:x"), List.of(), Ceiling.NONE, plainOnly);
    assertThat(IssuanceDecision.explain(List.of(".:x"), noGrant, plainOnly).get(0).reason())
        .isEqualTo("the client's policies give no config grant");
  }

  /** The explanation never contradicts the decision, and names only entries of the policy. */
  @Property(tries = 300)
  void explanationAgreesWithTheDecision(
      @ForAll @Size(max = 6) List<@From("scopes") String> asked,
      @ForAll @Size(max = 3) List<@From("scopes") String> defaults,
      @ForAll @Size(max = 5) List<@From("scopes") String> entries) {
    EffectivePolicy policy = EffectivePolicy.of(entries, DisallowedScopesMode.IGNORE, null);
    GrantResult result = IssuanceDecision.decide(asked, defaults, Ceiling.NONE, policy);
    List<String> candidates =
        java.util.stream.Stream.concat(asked.stream(), defaults.stream()).toList();
    for (Explained e : IssuanceDecision.explain(candidates, result, policy)) {
      assertThat(e.granted()).as(e.toString()).isEqualTo(result.granted().contains(e.scope()));
      assertThat(!e.granted()).as(e.toString()).isEqualTo(result.dropped().contains(e.scope()));
      if (e.entry() != null) {
        assertThat(policy.allowed().stream().map(s -> s.text())).contains(e.entry());
      }
    }
    assertThat(IssuanceDecision.stickyDenies(candidates, result))
        .allMatch(s -> policy.denies().stream().anyMatch(d -> d.text().equals(s)));
  }

  @Provide
  Arbitrary<String> scopes() {
    return Arbitraries.of(
        "openid",
        "email",
        "XXXXX",
        "*:**",
        ".:**",
        "*:config/**",
        ".:config/clients/*",
        "*:config/clients/abc",
        "-:config/clients/abc",
        "-:config/tokenPolicies",
        "*:a//b",
        "*:");
  }

  private static Outcome outcome(
      List<String> asked, List<String> defaults, EffectivePolicy policy) {
    return tally(asked, defaults, defaults, policy).outcome();
  }

  /** {@code added}: what Keycloak puts into the token; {@code defaults}: the default scopes. */
  private static IssuanceDecision.Tally tally(
      List<String> asked, List<String> added, List<String> defaults, EffectivePolicy policy) {
    return IssuanceDecision.tally(
        IssuanceDecision.decide(asked, added, Ceiling.NONE, policy), asked, defaults);
  }

  /** The tally's outcome, its dropped scopes and its filtered defaults, each in order. */
  private static void assertTally(
      IssuanceDecision.Tally tally, Outcome outcome, List<String> dropped, List<String> filtered) {
    assertThat(tally.outcome()).isEqualTo(outcome);
    assertThat(tally.dropped()).containsExactlyElementsOf(dropped);
    assertThat(tally.filteredDefaults()).containsExactlyElementsOf(filtered);
  }
}
