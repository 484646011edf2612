package io.github.policyscopes.keycloak.token;

import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.token.TokenPostProcessor;
import org.keycloak.protocol.oidc.token.TokenPostProcessorFactory;

public final class RefreshTokenScopeProcessorFactory implements TokenPostProcessorFactory {

  public static final String PROVIDER_ID = "pbs-refresh-token-scope";

  @Override
  public TokenPostProcessor create(KeycloakSession session) {
    return new RefreshTokenScopeProcessor(session);
  }

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
