package io.github.policyscopes.keycloak.token;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorContext;
import org.keycloak.representations.RefreshToken;

/**
 * Writes the grant a refresh may not exceed into every refresh token issued to a policy-bound
 * client, as the claim {@value PolicyBoundGrantType#GRANT_CLAIM}: Keycloak's own {@code scope} of a
 * refresh token is its client-scope bookkeeping, and Keycloak builds a refreshed refresh token
 * afresh. Does nothing outside a policy-bound issuance.
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
    if (issuance == null || issuance.result() == null || refreshToken == null) {
      return;
    }
    refreshToken
        .getOtherClaims()
        .put(PolicyBoundGrantType.GRANT_CLAIM, String.join(" ", issuance.refreshCeiling()));
    Long notAfter = issuance.notAfter();
    if (notAfter != null) {
      // an exchanged token never outlives its subject, through a refresh neither
      refreshToken.getOtherClaims().put(PolicyBoundGrantType.NOT_AFTER_CLAIM, notAfter);
      if (refreshToken.getExp() == null || refreshToken.getExp() > notAfter) {
        refreshToken.exp(notAfter);
      }
    }
  }
}
