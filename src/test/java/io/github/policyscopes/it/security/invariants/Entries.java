package io.github.policyscopes.it.security.invariants;

import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.scope.Scope;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The policy entries the actions draw from: ordinary ones some actors may hand out, adversarial
 * ones made to escalate, and ones that contain or border {@code ##} (how Keycloak stores a policy's
 * entries); and the token request that asks for every config grant a policy here can hold.
 */
record Entries(List<String> ordinary, List<String> adversarial, List<String> splitting) {

  /** The pools, naming the protected policies K and X and the protected clients Y and Z. */
  static Entries protecting(String k, String x, String y, String z) {
    String longWildcard = "*:config/clients/" + "a*".repeat(100);
    List<String> ordinary =
        List.of(
            "openid",
            "email",
            ".:config/clients",
            "*:config/clients",
            ".:config/tokenPolicies",
            "*:config/tokenPolicies",
            "*:config/clients/abc",
            ".:config/clients/abc/secret",
            "*:config/tokenPolicies/abc",
            ".:config/tokenPolicies/abc",
            "*:config/other/**",
            ".:config/whoami",
            "-:config/clients/abc",
            "-:config/tokenPolicies/**");
    List<String> adversarial =
        List.of(
            ".:**",
            "*:**",
            "*:config/**",
            "*:config/clients/**",
            "*:config/clients/*",
            "*:config/tokenPolicies/*",
            "*:config/tokenPolicies/**",
            ".:config/clients/**",
            ".:config/tokenPolicies/**",
            "*:config/tokenPolicies/" + k,
            "*:config/tokenPolicies/" + x,
            "*:config/clients/" + y,
            "*:config/clients/" + y + "/secret",
            "*:config/clients/" + z,
            "*:config/clients/" + z + "/secret",
            "-:config/clients/**",
            "-:config/tokenPolicies/" + x,
            longWildcard);
    List<String> splitting =
        List.of(
            "openid##*:**",
            "email##*:config/tokenPolicies/" + x,
            "##*:config/**",
            "openid##*:config/clients/" + z + "/secret",
            "a##b",
            "x#",
            "#y",
            "#",
            "*:config/clients/ab##cd",
            "*:config/tokenPolicies/x#");
    return new Entries(ordinary, adversarial, splitting);
  }

  /** Every entry of the pools. */
  List<String> all() {
    List<String> pool = new ArrayList<>(ordinary);
    pool.addAll(adversarial);
    pool.addAll(splitting);
    return pool;
  }

  /**
   * A token request (the {@code scope} parameter) for every config grant that these entries, the
   * actors' requestable scopes ({@code more}) or what {@code ##} splits out of them can hold.
   */
  String requestForAll(List<String> more) {
    Set<String> request = new LinkedHashSet<>(List.of("openid"));
    List<String> everything = all();
    everything.addAll(List.of(".:config/clients", "*:config/tokenPolicies"));
    everything.addAll(more);
    for (String entry : everything) {
      for (String part : entry.split("##")) {
        if (Scope.isConfigScopeSyntax(part) && !part.startsWith("-:")) {
          request.add(part);
        }
      }
    }
    return String.join(" ", ScopeSet.of(request).grants().stream().map(Scope::text).toList())
        + " openid";
  }
}
