package io.github.policyscopes.scope;

import java.util.Collection;
import java.util.Set;

/**
 * Whether a token's granted scopes grant a client scope: the one rule the claim filter (and every
 * other place that asks "is client scope X granted") applies. A client scope is granted when its
 * name is granted. A <em>parameterized</em> client scope {@code X} (one Keycloak itself reads as
 * {@code X:parameter}: the Organizations scope while organizations are on, a client scope marked
 * parameterized while Keycloak's parameterized scopes are on) is also granted by a granted plain
 * scope {@code X:p} with a non-empty parameter {@code p}. For any other client scope, a granted
 * {@code X:p} is a different scope that merely starts with its name ({@code orders:read} does not
 * grant {@code orders}). A config scope ({@code *:}, {@code .:}, {@code -:}) is never a parameter.
 *
 * <p>Which client scopes are parameterized is Keycloak's to say; the glue reads it and passes the
 * names here. A granted string that two parameterized names could start is read as neither ({@link
 * ScopeParameters#read}). See docs/adr/0023-claims-of-every-client-scope-kind.md and
 * docs/adr/0030-parameterized-scopes-in-the-grammar.md.
 */
public final class ClientScopeGrant {

  /** Between a parameterized client scope's name and its parameter (Keycloak's own separator). */
  public static final String PARAMETER_SEPARATOR = ":";

  private final Set<String> granted;
  private final ScopeParameters parameters;

  /**
   * @param granted the granted scopes of the token (its {@code scope}, decided by the policy)
   * @param parameterized the names of the client scopes Keycloak treats as parameterized
   */
  public ClientScopeGrant(Collection<String> granted, Collection<String> parameterized) {
    this.granted = Set.copyOf(granted);
    this.parameters = ScopeParameters.of(parameterized);
  }

  /** Whether the client scope named {@code clientScope} is granted. */
  public boolean grants(String clientScope) {
    if (granted.contains(clientScope)) {
      return true;
    }
    if (!parameters.names().contains(clientScope)) {
      return false;
    }
    for (String g : granted) {
      ScopeParameters.Parameter p = parameters.read(g);
      if (p != null && p.name().equals(clientScope)) {
        return true;
      }
    }
    return false;
  }
}
