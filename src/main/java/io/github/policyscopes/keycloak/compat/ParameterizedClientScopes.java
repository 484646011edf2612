package io.github.policyscopes.keycloak.compat;

import io.github.policyscopes.scope.ScopeParameters;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;
import org.keycloak.organization.protocol.mappers.oidc.OrganizationMembershipMapper;

/**
 * Which client scopes Keycloak reads as {@code name:parameter}, asked the way Keycloak asks it in
 * every supported version: the Organizations scope (identified, as Keycloak identifies it, by its
 * organization membership mapper) while organizations are on in the realm, and a client scope
 * marked parameterized while Keycloak's parameterized (26.4–26.6: dynamic) scopes are on. Fail
 * closed: a scope marked parameterized while the feature is off is not (docs/adr/0023,
 * docs/adr/0030). Nothing is decided here.
 */
public final class ParameterizedClientScopes {

  private ParameterizedClientScopes() {}

  /** The names of the client scopes among {@code scopes} that Keycloak parameterizes in realm. */
  public static ScopeParameters of(RealmModel realm, Stream<ClientScopeModel> scopes) {
    Predicate<ClientScopeModel> parameterized = reading(realm);
    if (parameterized == null) {
      return ScopeParameters.NONE;
    }
    return ScopeParameters.of(
        scopes.filter(parameterized).map(ClientScopeModel::getName).collect(Collectors.toSet()));
  }

  /**
   * Whether Keycloak parameterizes a client scope in {@code realm} (never the client itself), for
   * callers that walk the scopes themselves; null when it parameterizes none there.
   */
  public static @Nullable Predicate<ClientScopeModel> reading(RealmModel realm) {
    boolean organizations = KeycloakRuntime.organizationsOn(realm);
    boolean marked = KeycloakRuntime.parameterizedScopesOn();
    if (!organizations && !marked) {
      return null;
    }
    return s ->
        !(s instanceof ClientModel)
            && ((marked && marked(s)) || (organizations && organization(s)));
  }

  /**
   * Keycloak's own reading of the scope's attribute ({@code is.parameterized.scope} in 26.7, {@code
   * is.dynamic.scope} before): {@code isDynamicScope()} is the one name every supported version
   * has.
   */
  @SuppressWarnings("deprecation")
  private static boolean marked(ClientScopeModel scope) {
    return scope.isDynamicScope();
  }

  private static boolean organization(ClientScopeModel scope) {
    return scope
        .getProtocolMappersStream()
        .anyMatch(m -> OrganizationMembershipMapper.PROVIDER_ID.equals(m.getProtocolMapper()));
  }
}
