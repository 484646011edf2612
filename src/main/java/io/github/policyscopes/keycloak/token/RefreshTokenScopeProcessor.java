package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.policy.ScopeSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorContext;
import org.keycloak.representations.RefreshToken;

/**
 * Keeps the granted scopes in a newly issued refresh token, so that a refresh can find the original
 * grant (Keycloak copies a refresh token's {@code scope} verbatim to the refreshed one). Does
 * nothing outside a policy-bound issuance.
 */
final class RefreshTokenScopeProcessor implements TokenPostProcessor {

  private final KeycloakSession session;

  RefreshTokenScopeProcessor(KeycloakSession session) {
    this.session = session;
  }

  @Override
  public void process(TokenPostProcessorContext context) {
    Issuance issuance = Issuance.current(session);
    RefreshToken refreshToken = context.refreshToken();
    if (issuance == null
        || issuance.result() == null
        || refreshToken == null
        || context.requestRefreshToken() != null) {
      return;
    }
    GrantResult result = issuance.result();
    Set<String> scopes = new LinkedHashSet<>(ScopeSet.split(refreshToken.getScope()));
    scopes.addAll(result.granted());
    refreshToken.setScope(String.join(" ", scopes));
  }
}
