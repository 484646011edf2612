package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Scope;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every escalation attempt we could think of, written down (in the spirit of Ory Fosite's
 * scope_strategy_test.go). Most rows are negative: the attempt must fail.
 */
class EscalationCheckTest {

  @ParameterizedTest(name = "allowed {0} covers requested {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # access: read never becomes write
          .:**                       | *:config                      | false
          .:**                       | *:**                          | false
          .:x                        | *:x                           | false
          .:config/**                | *:config/clients              | false
          # one segment never becomes more
          *:config/*                 | *:config/a/b                  | false
          *:config/*                 | *:config/**                   | false
          *:config/*                 | *:config                      | false
          *:config/*/secret          | *:config/**/secret            | false
          # an in-segment wildcard never widens
          *:config/a*                | *:config/*                    | false
          *:config/a*                | *:config/*a                   | false
          *:config/a*b               | *:config/a*                   | false
          *:config/ab*               | *:config/a*                   | false
          # a literal never covers its descendants or siblings
          *:x                        | *:x/**                        | false
          *:x                        | *:x/y                         | false
          *:x                        | *:xy                          | false
          *:x                        | *:x*                          | false
          *:config/tokenPolicies     | *:config/tokenPolicies/abc    | false
          # a narrower ** never covers a wider one
          *:config/**                | *:**                          | false
          *:config/**                | *:*/**                        | false
          *:config/**/secret         | *:**/secret                   | false
          *:**/secret                | *:**                          | false
          *:*/**                     | *:**                          | false
          # case and look-alikes
          *:config/clients/**        | *:config/Clients/x            | false
          *:config/clients/**        | *:config/clients./x           | false
          *:config/clients/**        | *:configclients               | false
          # denies grant nothing and are never covered
          -:**                       | *:x                           | false
          -:x                        | -:x                           | false
          *:**                       | -:x                           | false
          # positive controls
          *:**                       | .:config/clients/*            | true
          *:**                       | *:**                          | true
          .:**                       | .:config                      | true
          *:config/**                | .:config                      | true
          *:config/**                | *:config/clients/*/secret     | true
          *:config/a*                | *:config/ab*                  | true
          *:*/**                     | *:**/x                        | true
          *:**                       | *:config/clients/*            | true
          *:config/**                | .:config/clients              | true
          .:x                        | .:x                           | true
          *:x                        | .:x                           | true
          *:config/tokenPolicies/**  | *:config/tokenPolicies        | true
          *:config/tokenPolicies     | *:config/tokenPolicies/1      | false
          """)
  void configCoverage(String allowed, String requested, boolean expected) {
    assertThat(ConfigScope.parse(allowed).covers(ConfigScope.parse(requested))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "policy [{0}] grants [{1}]: [{2}]")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          *:**                | openid                  | ''
          openid              | OPENID                  | ''
          openid              | openid.                 | ''
          openid              | ' openid'               | ''
          openid              | *:openid                | ''
          *:openid            | openid                  | ''
          email               | *.**                    | ''
          .:**                | -:**                    | -:**
          .:**                | -:** *:**               | -:**
          .:**                | *:** .:**               | .:**
          *:**                | *:                      | ''
          *:**                | *:a//b                  | ''
          *:**                | *:a/***                 | ''
          *:**                | '*:a\tb'                | ''
          *:x                 | *:x/**                  | ''
          *:x/*               | *:x/*/y                 | ''
          ''                  | *:**                    | ''
          ''                  | -:x                     | -:x
          """)
  void grantAttempts(String policy, String requested, String granted) {
    EffectivePolicy p = EffectivePolicy.of(split(policy), DisallowedScopesMode.IGNORE, null);
    List<String> req = List.of(requested.replace("\\t", "\t"));
    if (!requested.contains("\\t") && !requested.startsWith(" ")) {
      req = split(requested);
    }
    assertThat(ScopeGrant.compute(req, p).granted()).containsExactlyElementsOf(split(granted));
  }

  @Test
  void requestedDenyNeverGivesPower() {
    ScopeSet set =
        ScopeSet.of(
            ScopeGrant.compute(List.of("-:**"), EffectivePolicy.merge(List.of())).granted());
    assertThat(set.decide("GET", "config").allowed()).isFalse();
    assertThat(set.decide("GET", "config/clients").allowed()).isFalse();
  }

  @ParameterizedTest(name = "caller [{0}] writing [{1}] exceeds with [{2}]")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          *:**                                  | *:** openid -:x                         | ''
          *:** -:config/tokenPolicies/abc       | *:**                                    | *:**
          *:** -:config/tokenPolicies/abc       | *:config/tokenPolicies/*                | *:config/tokenPolicies/*
          *:** -:config/tokenPolicies/abc       | *:config/tokenPolicies/abc/x            | *:config/tokenPolicies/abc/x
          *:** -:config/tokenPolicies/abc       | *:config/tokenPolicies                  | ''
          *:** -:config/tokenPolicies/abc       | *:config/tokenPolicies/abd              | ''
          *:** -:config/tokenPolicies/abc       | .:config/clients/** -:anything          | ''
          .:**                                  | *:config                                | *:config
          .:**                                  | .:config/** openid email                | ''
          .:config/**                           | .:**                                    | .:**
          *:config/clients/*                    | *:config/clients/*/secret               | *:config/clients/*/secret
          *:config/a*                           | *:config/*                              | *:config/*
          *:x                                   | *:x/**                                  | *:x/**
          openid                                | *:x                                     | *:x
          ''                                    | .:x                                     | .:x
          ''                                    | openid -:x *:a//b                       | ''
          *:** -:config                         | .:config/clients                        | .:config/clients
          *:** -:config/*/secret                | *:config/clients/**                     | *:config/clients/**
          *:** -:config/*/secret                | *:config                                | ''
          """)
  void noEscalation(String caller, String entries, String exceeding) {
    assertThat(EscalationCheck.exceeding(ScopeSet.parse(caller), split(entries)))
        .containsExactlyElementsOf(split(exceeding));
  }

  @ParameterizedTest(name = "{0} rewriting [{1}] as [{2}] cannot lift [{3}]")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # the caller's own carve-out, kept in a deny-only policy: it cannot lift it
          *:config/** -:config/clients/z          | -:config/clients/z         | openid                 | -:config/clients/z
          # a caller holding write power on all below the deny may drop it
          *:**                                    | -:config/clients/z         | openid                 | ''
          *:config/clients/**                     | -:config/clients/z         | ''                     | ''
          # read power is not enough: the deny also takes writes away
          .:**                                    | -:config/clients/z         | ''                     | -:config/clients/z
          # kept (in any spelling of the same pattern) is not lifted
          .:config/x                              | -:config/clients/z openid  | openid -:config/clients/z | ''
          # narrowing a deny lifts what it no longer reaches
          *:config/tokenPolicies/**               | -:config/**                | -:config/clients/**    | -:config/**
          *:config/** -:config/clients/**         | -:config/**                | -:config/clients/**    | -:config/**
          """)
  void liftingADenyNeedsWritePowerBelowIt(
      String caller, String before, String after, String unliftable) {
    assertThat(EscalationCheck.unliftable(ScopeSet.parse(caller), split(before), split(after)))
        .containsExactlyElementsOf(split(unliftable));
  }

  @Test
  void scopeParseNeverGivesPowerToLookAlikes() {
    for (String s : List.of("*.**", ".*", "*;**", "-.x", "*config/**", "**", "*", ":*:**")) {
      assertThat(Scope.parse(s)).isNotInstanceOf(ConfigScope.class);
      assertThat(ScopeSet.parse(s).decide("GET", "config").allowed()).isFalse();
    }
  }

  private static List<String> split(String s) {
    return s == null || s.isBlank() ? List.of() : Arrays.asList(s.trim().split(" +"));
  }
}
