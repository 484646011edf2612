package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScopeGrantTest {

  private static final String ID = "8cdb3f99-ceee-403d-a01d-daf392e18350";
  private static final String DENY = "-:config/tokenPolicies/" + ID;

  /** The demo "Configuration token policy" of docs/contract.md §5. */
  private static final TokenPolicy CONFIG_POLICY =
      new TokenPolicy(
          ID,
          "Configuration token policy",
          List.of("openid", "*:**", "*:config/tokenPolicies", DENY),
          null,
          DisallowedScopesMode.IGNORE);

  private static final TokenPolicy READ_ONLY =
      new TokenPolicy("r", "Read-only configuration", List.of(".:**"), null, null);

  private static List<String> list(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split(" +"));
  }

  @ParameterizedTest(name = "config policy, request [{0}] → granted [{1}], dropped [{2}]")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          XXXXX                                 | ''                                             | XXXXX
          *:config/tokenPolicies                | *:config/tokenPolicies DENY                    | ''
          .:config/clients/*                    | .:config/clients/* DENY                        | ''
          openid                                | openid                                         | ''
          openid XXXXX                          | openid                                         | XXXXX
          openid *:**                           | openid *:** DENY                               | ''
          ''                                    | ''                                             | ''
          *:** *:**                             | *:** DENY                                      | ''
          DENY *:**                             | DENY *:**                                      | ''
          -:config/clients                      | -:config/clients                               | ''
          -:config/clients *:config/clients/**  | -:config/clients *:config/clients/** DENY      | ''
          *:a//b openid                         | openid                                         | *:a//b
          *: openid                             | openid                                         | *:
          OPENID                                | ''                                             | OPENID
          *.**                                  | ''                                             | *.**
          -:a//b                                | ''                                             | -:a//b
          """)
  void configPolicy(String requested, String granted, String dropped) {
    GrantResult r =
        ScopeGrant.compute(
            list(requested.replace("DENY", DENY)), EffectivePolicy.merge(List.of(CONFIG_POLICY)));
    assertThat(r.granted()).containsExactlyElementsOf(list(granted.replace("DENY", DENY)));
    assertThat(r.dropped()).containsExactlyElementsOf(list(dropped));
    assertThat(r.hasDropped()).isEqualTo(!dropped.isBlank());
    assertThat(r.scopeString()).isEqualTo(String.join(" ", list(granted.replace("DENY", DENY))));
  }

  @ParameterizedTest(name = "read-only policy, request [{0}] → granted [{1}], dropped [{2}]")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          .:**                   | .:**                 | ''
          *:config/**            | ''                   | *:config/**
          .:config/clients       | .:config/clients     | ''
          *:**                   | ''                   | *:**
          .:config/** *:config   | .:config/**          | *:config
          """)
  void readOnlyPolicy(String requested, String granted, String dropped) {
    GrantResult r = ScopeGrant.compute(list(requested), EffectivePolicy.merge(List.of(READ_ONLY)));
    assertThat(r.granted()).containsExactlyElementsOf(list(granted));
    assertThat(r.dropped()).containsExactlyElementsOf(list(dropped));
  }

  @Test
  void emptyResultHasEmptyScopeString() {
    GrantResult r = ScopeGrant.compute("XXXXX", EffectivePolicy.merge(List.of(CONFIG_POLICY)));
    assertThat(r.scopeString()).isEmpty();
    assertThat(r.granted()).isEmpty();
    assertThat(ScopeGrant.compute((String) null, EffectivePolicy.merge(List.of())).granted())
        .isEmpty();
  }

  @Test
  void refreshNarrowsAndKeepsTheOriginalDenies() {
    GrantResult original =
        ScopeGrant.compute("openid *:**", EffectivePolicy.merge(List.of(CONFIG_POLICY)));
    assertThat(original.granted()).containsExactly("openid", "*:**", DENY);

    // refresh with scope=.:config/clients: narrow from the original grant...
    GrantResult narrowed =
        ScopeGrant.compute(".:config/clients", ScopeGrant.ofGrantedScopes(original.granted()));
    assertThat(narrowed.granted()).containsExactly(".:config/clients", DENY);
    // ...then intersect with the policy as it is now
    GrantResult now =
        ScopeGrant.compute(narrowed.granted(), EffectivePolicy.merge(List.of(CONFIG_POLICY)));
    assertThat(now.granted()).containsExactly(".:config/clients", DENY);

    // a refresh can never widen
    GrantResult wider =
        ScopeGrant.compute(
            "*:config/clients email", EffectivePolicy.ofGrantedScopes(List.of(".:config/**")));
    assertThat(wider.granted()).isEmpty();
    assertThat(wider.dropped()).containsExactly("*:config/clients", "email");

    // a scope removed from the policy disappears at the next refresh
    TokenPolicy shrunk =
        new TokenPolicy(ID, "t", List.of("openid", ".:config/**", DENY), null, null);
    GrantResult afterRemoval =
        ScopeGrant.compute(original.granted(), EffectivePolicy.merge(List.of(shrunk)));
    assertThat(afterRemoval.granted()).containsExactly("openid", DENY);
    assertThat(afterRemoval.dropped()).containsExactly("*:**");
  }

  @Test
  void withinAnOriginalGrantNeverWidensAndReportsEveryDrop() {
    EffectivePolicy policy = EffectivePolicy.merge(List.of(CONFIG_POLICY));
    List<String> original = List.of("openid", ".:config/clients/**", DENY);

    GrantResult refreshed =
        ScopeGrant.computeWithin(
            List.of(".:config/clients/abc", "*:config/clients", "openid", "email"),
            Ceiling.of(original),
            policy);

    // narrower than the original: kept; wider (write) or never granted (email): dropped
    assertThat(refreshed.granted()).containsExactly(".:config/clients/abc", "openid", DENY);
    assertThat(refreshed.dropped()).containsExactly("*:config/clients", "email");
    // no ceiling: a first issuance, the policy alone decides
    assertThat(
            ScopeGrant.computeWithin(List.of("*:config/clients"), Ceiling.NONE, policy).granted())
        .containsExactly("*:config/clients", DENY);
    // an empty original grant grants nothing
    assertThat(ScopeGrant.computeWithin(List.of("openid"), Ceiling.of(List.of()), policy).granted())
        .isEmpty();
  }

  @Test
  void mergedPoliciesUniteAllowedListsAndDenies() {
    TokenPolicy a = new TokenPolicy("a", "A", List.of(".:config/clients/**"), 600, null);
    TokenPolicy b =
        new TokenPolicy(
            "b",
            "B",
            List.of("*:config/tokenPolicies/**", "-:config/clients/x"),
            300,
            DisallowedScopesMode.REJECT);
    EffectivePolicy merged = EffectivePolicy.merge(List.of(a, b));
    assertThat(merged.mode()).isEqualTo(DisallowedScopesMode.REJECT);
    assertThat(merged.accessTokenLifetime()).isEqualTo(300);
    GrantResult r = ScopeGrant.compute(".:config/clients/* *:config/tokenPolicies/abc", merged);
    assertThat(r.granted())
        .containsExactly(".:config/clients/*", "*:config/tokenPolicies/abc", "-:config/clients/x");
  }
}
