package io.github.policyscopes.keycloak.token;

import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Set;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.clientpolicy.ClientPolicyException;

/** A grant type that is Keycloak's own in everything but {@link #process}. */
abstract class DelegatingGrantType implements OAuth2GrantType {

  protected final KeycloakSession session;
  protected final OAuth2GrantType delegate;

  DelegatingGrantType(KeycloakSession session, OAuth2GrantType delegate) {
    this.session = session;
    this.delegate = delegate;
  }

  @Override
  public EventType getEventType() {
    return delegate.getEventType();
  }

  @Override
  public Set<String> getSupportedMultivaluedRequestParameters() {
    return delegate.getSupportedMultivaluedRequestParameters();
  }

  @Override
  public Set<String> getTokenParameterNames() {
    return delegate.getTokenParameterNames();
  }

  @Override
  public void preProcess(KeycloakSession session, MultivaluedMap<String, String> formParams)
      throws ClientPolicyException {
    delegate.preProcess(session, formParams);
  }

  @Override
  public boolean isTokenAllowed(KeycloakSession session, AccessToken token) {
    return delegate.isTokenAllowed(session, token);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
