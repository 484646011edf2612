package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.scope.Footprint;
import io.github.policyscopes.scope.ScopeParameters;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.keycloak.OAuth2Constants;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;

/**
 * What Keycloak accepts in the {@code scope} parameter of a client's token request, so that the
 * grant wrapper hands it the granted scopes it can validate and map, and nothing it would refuse
 * for not knowing it: {@code openid}, the name of a default or optional client scope of the client,
 * and {@code name:value} of a client scope of the client that Keycloak parameterizes ({@link
 * ParameterizedClientScopes}: {@code organization:acme}, {@code organization:*}, {@code
 * tenant:42}). Whether the value is one Keycloak accepts (an organization the user is a member of,
 * an integer) stays Keycloak's to check: a granted {@code tenant:abc} is handed over and refused as
 * for an unbound client (docs/adr/0030-parameterized-scopes-in-the-grammar.md).
 */
final class KnownScopes implements Predicate<String> {

  /** {@code openid} and the names of the client's default and optional client scopes. */
  private final Set<String> names;

  private final ScopeParameters parameters;

  private KnownScopes(Set<String> names, ScopeParameters parameters) {
    this.names = names;
    this.parameters = parameters;
  }

  /**
   * The scope strings Keycloak knows for a client in {@code realm}, given the client's default and
   * optional client scopes (by name). Only their names are kept.
   */
  static KnownScopes of(
      RealmModel realm,
      Map<String, ClientScopeModel> defaultScopes,
      Map<String, ClientScopeModel> optionalScopes) {
    Set<String> names = new HashSet<>(defaultScopes.keySet());
    names.addAll(optionalScopes.keySet());
    names.add(OAuth2Constants.SCOPE_OPENID);
    return new KnownScopes(
        Set.copyOf(names),
        ParameterizedClientScopes.of(
            realm,
            Stream.concat(defaultScopes.values().stream(), optionalScopes.values().stream())));
  }

  @Override
  public boolean test(String scope) {
    return names.contains(scope) || (!parameters.isEmpty() && parameters.read(scope) != null);
  }

  /** The estimated bytes it keeps: the names (the parameterized ones are among them). */
  long estimatedBytes() {
    long bytes = Footprint.object(2) + 2 * Footprint.hashed(names.size());
    for (String name : names) {
      bytes += Footprint.string(name);
    }
    return bytes;
  }
}
