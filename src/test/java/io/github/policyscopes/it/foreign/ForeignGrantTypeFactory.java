package io.github.policyscopes.it.foreign;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;

/**
 * A grant type the extension does not know, as another extension or a newer Keycloak would bring
 * one: it issues a service-account token exactly as Keycloak's {@code client_credentials} does,
 * under a grant type of its own. Packaged into a provider JAR of its own by {@link ForeignGrant}
 * for the servers that test how the extension meets it (docs/adr/0028-every-grant.md); never in the
 * extension's JAR.
 */
public final class ForeignGrantTypeFactory implements OAuth2GrantTypeFactory {

  /** The grant type's id, as a client sends it. */
  public static final String GRANT_TYPE = "urn:example:params:oauth:grant-type:foreign";

  @Override
  public String getId() {
    return GRANT_TYPE;
  }

  @Override
  public String getShortcut() {
    return "fx";
  }

  @Override
  public OAuth2GrantType create(KeycloakSession session) {
    return new ClientCredentialsGrantType();
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {}

  @Override
  public void close() {}
}
