package io.github.policyscopes.policy;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Requested scopes × policy → granted and dropped scopes: the grant rule of issuance. */
public final class ScopeGrant {

  private ScopeGrant() {}

  /**
   * The granted and dropped scopes.
   *
   * @param granted in request order, then the sticky denies
   * @param dropped in request order
   */
  public record GrantResult(List<String> granted, List<String> dropped) {

    public GrantResult {
      granted = List.copyOf(granted);
      dropped = List.copyOf(dropped);
    }

    /** The granted scopes, space-separated; "" when none. */
    public String scopeString() {
      return String.join(" ", granted);
    }

    public boolean hasDropped() {
      return !dropped.isEmpty();
    }
  }

  /**
   * Each requested scope (duplicates and blanks skipped, request order kept) is granted when an
   * allowed entry covers it, otherwise dropped; malformed config scopes are dropped; a well-formed
   * requested deny is always granted. When at least one config grant is granted, every deny entry
   * of the policy is appended (sticky deny), unless already granted.
   */
  public static GrantResult compute(
      @Nullable Collection<String> requested, EffectivePolicy policy) {
    List<String> granted = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    Set<ConfigScope> grantedConfig = new HashSet<>();
    boolean configGrant = false;
    Set<String> seen = new HashSet<>();
    if (requested != null) {
      for (String s : requested) {
        if (s == null || s.isBlank() || !seen.add(s)) {
          continue;
        }
        if (!Scope.isConfigScopeSyntax(s)) {
          // a plain scope: decided by its text, nothing to parse
          (policy.coversPlain(s) ? granted : dropped).add(s);
          continue;
        }
        ConfigScope c = Scopes.configOrNull(s);
        if (c == null) {
          dropped.add(s); // a malformed config scope
        } else if (c.isDeny()) {
          granted.add(s);
          grantedConfig.add(c);
        } else if (policy.covers(c)) {
          granted.add(s);
          grantedConfig.add(c);
          configGrant = true;
        } else {
          dropped.add(s);
        }
      }
    }
    if (configGrant) {
      for (ConfigScope deny : policy.denies()) {
        if (grantedConfig.add(deny)) {
          granted.add(deny.text());
        }
      }
    }
    return new GrantResult(granted, dropped);
  }

  /**
   * {@link #compute(Collection, EffectivePolicy)} for a space-separated {@code scope} parameter.
   */
  public static GrantResult compute(String scopeParameter, EffectivePolicy policy) {
    return compute(Scopes.split(scopeParameter), policy);
  }

  /**
   * The grant of a token that may not exceed an earlier one (refresh, token exchange): the
   * requested scopes are first narrowed by the original grant (as if it were the policy, so its
   * denies come back as sticky), then decided by the policy as it is now. Without a ceiling (a
   * first issuance) this is just {@link #compute(Collection, EffectivePolicy)}. {@code dropped}
   * lists every requested scope that is not granted, whichever step dropped it.
   */
  public static GrantResult computeWithin(
      @Nullable Collection<String> requested, Ceiling ceiling, EffectivePolicy policy) {
    if (!ceiling.isSet()) {
      return compute(requested, policy);
    }
    List<String> narrowed = compute(requested, ceiling.asPolicy()).granted();
    List<String> granted = compute(narrowed, policy).granted();
    Set<String> kept = new HashSet<>(granted);
    List<String> dropped =
        requested == null
            ? List.of()
            : requested.stream()
                .filter(s -> s != null && !s.isBlank() && !kept.contains(s))
                .distinct()
                .toList();
    return new GrantResult(granted, dropped);
  }

  /** Same as {@link EffectivePolicy#ofGrantedScopes}: refresh and exchange narrow from this. */
  public static EffectivePolicy ofGrantedScopes(Collection<String> originalGrant) {
    return EffectivePolicy.ofGrantedScopes(originalGrant);
  }
}
