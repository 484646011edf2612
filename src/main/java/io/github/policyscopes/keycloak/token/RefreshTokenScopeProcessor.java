package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.store.PolicyStore;
import jakarta.ws.rs.core.Response;
import org.keycloak.OAuthErrorException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorContext;
import org.keycloak.services.ErrorResponseException;

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
    ClientSessionContext ctx = context.clientSessionCtx();
    ClientModel client = ctx == null ? null : ctx.getClientSession().getClient();
    Issuance issuance = Issuance.current(session);
    if (issuance != null && (client == null || issuance.isFor(client))) {
      issuance.stamp(context.refreshToken());
      return;
    }
    // a token no grant wrapper decided (an unbound client's, another client's in the same request,
    // another extension's grant type): a client registered under a token policy ceiling that it
    // has lost gets none (docs/adr/0029); asked of the model only when the grant wrapper did not
    // check this very client in this request
    if (client != null
        && !Issuance.ceilingChecked(session, client)
        && PolicyStore.ceilingLost(client)) {
      throw new ErrorResponseException(
          OAuthErrorException.UNAUTHORIZED_CLIENT,
          PolicyStore.CEILING_LOST,
          Response.Status.BAD_REQUEST);
    }
  }
}
