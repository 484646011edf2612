package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.scope.ScopeParameters;
import java.util.Map;
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
final class KnownScopes {

  private KnownScopes() {}

  /**
   * The scope strings Keycloak knows for a client in {@code realm}, given the client's default and
   * optional client scopes (by name).
   */
  static Predicate<String> of(
      RealmModel realm,
      Map<String, ClientScopeModel> defaultScopes,
      Map<String, ClientScopeModel> optionalScopes) {
    // asked of the maps Keycloak's model gave: nothing copied per request
    Predicate<String> named =
        scope ->
            OAuth2Constants.SCOPE_OPENID.equals(scope)
                || defaultScopes.containsKey(scope)
                || optionalScopes.containsKey(scope);
    ScopeParameters parameters =
        ParameterizedClientScopes.of(
            realm,
            Stream.concat(defaultScopes.values().stream(), optionalScopes.values().stream()));
    if (parameters.isEmpty()) {
      return named;
    }
    return scope -> named.test(scope) || parameters.read(scope) != null;
  }
}
