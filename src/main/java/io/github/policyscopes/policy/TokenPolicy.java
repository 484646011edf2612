package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.Scope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A token policy (docs/contract.md §3).
 *
 * @param id the policy id (null before it is stored)
 * @param title the unique title (null only for a policy built to be checked, never stored nor
 *     shown: {@code PolicyConfig.hasConfigGrant})
 * @param allowedScopes the allowed entries, duplicates removed, first-seen order kept
 * @param accessTokenLifetime seconds ({@value #MIN_LIFETIME}-{@value #MAX_LIFETIME}), or null for
 *     Keycloak's normal lifetime
 * @param disallowedScopes ignore (default) or reject
 */
public record TokenPolicy(
    @Nullable String id,
    @Nullable String title,
    List<String> allowedScopes,
    @Nullable Integer accessTokenLifetime,
    DisallowedScopesMode disallowedScopes) {

  /**
   * A conservative estimate of the heap this policy retains, in bytes ({@link
   * io.github.policyscopes.scope.Footprint}): its id, title and entries as strings.
   */
  public long estimatedBytes() {
    return io.github.policyscopes.scope.Footprint.object(5)
        + io.github.policyscopes.scope.Footprint.string(id)
        + io.github.policyscopes.scope.Footprint.string(title)
        + io.github.policyscopes.scope.Footprint.strings(allowedScopes)
        + io.github.policyscopes.scope.Footprint.object(1); // the lifetime, boxed
  }

  public static final int MIN_LIFETIME = 60;
  public static final int MAX_LIFETIME = 86400;

  public TokenPolicy {
    allowedScopes = dedupe(allowedScopes);
    if (disallowedScopes == null) {
      disallowedScopes = DisallowedScopesMode.IGNORE;
    }
  }

  /**
   * Whether the policy holds a config grant: an entry that starts like {@code *:} or {@code .:},
   * well-formed or not (a malformed grant counts: fail closed). Config power is for confidential
   * clients only.
   */
  public boolean hasConfigGrant() {
    return allowedScopes.stream()
        .anyMatch(e -> Scope.isConfigScopeSyntax(e) && Access.ofSymbol(e.charAt(0)).isGrant());
  }

  private static List<String> dedupe(@Nullable Collection<String> scopes) {
    if (scopes == null) {
      return List.of();
    }
    LinkedHashSet<String> set = new LinkedHashSet<>();
    for (String s : scopes) {
      if (s != null) {
        set.add(s);
      }
    }
    return List.copyOf(new ArrayList<>(set));
  }
}
