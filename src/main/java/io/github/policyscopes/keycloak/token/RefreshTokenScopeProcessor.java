package io.github.policyscopes.keycloak.token;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorContext;

/**
 * Writes the grant a refresh may not exceed into every refresh token issued to a policy-bound
 * client, as the claim {@value Issuance#GRANT_CLAIM}: Keycloak's own {@code scope} of a refresh
 * token is its client-scope bookkeeping, and Keycloak builds a refreshed refresh token afresh. Does
 * nothing outside a policy-bound issuance. Keycloak 26.6 and later only: before 26.6 the grant
 * wrapper does the same ({@link PolicyBoundGrantType}).
 */
final class RefreshTokenScopeProcessor implements TokenPostProcessor {

  private final KeycloakSession session;

  RefreshTokenScopeProcessor(KeycloakSession session) {
    this.session = session;
  }

  @Override
  public void process(TokenPostProcessorContext context) {
    Issuance issuance = Issuance.current(session);
    if (issuance != null) {
      issuance.stamp(context.refreshToken());
    }
  }
}
