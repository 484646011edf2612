package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.token.PolicyBoundGrantType.Kind;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.AuthorizationCodeGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.PermissionGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.RefreshTokenGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.ResourceOwnerPasswordCredentialsGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.TokenExchangeGrantTypeFactory;

/**
 * Factories that take over Keycloak's built-in grant types: same id, shortcut and support checks
 * (inherited), and a package outside {@code org.keycloak}, so Keycloak prefers them (see
 * docs/adr/0004-grant-wrapping.md). Each wraps the stock grant it replaces; on a Keycloak the
 * extension cannot run on, the wrapper refuses bound clients and hands every other request to the
 * stock grant (docs/adr/0027-capabilities-not-versions.md).
 */
public final class PolicyBoundGrantTypes {

  private PolicyBoundGrantTypes() {}

  /**
   * The stock grant wrapped, on every Keycloak: where the extension cannot run, the wrapper refuses
   * bound clients and hands every other request to the stock grant ({@link KeycloakRuntime}).
   */
  private static OAuth2GrantType wrap(
      KeycloakSession session, OAuth2GrantType stock, Kind kind, String grantType) {
    return new PolicyBoundGrantType(session, stock, kind, grantType);
  }

  public static final class ClientCredentials extends ClientCredentialsGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), Kind.DIRECT, getId());
    }
  }

  public static final class Password extends ResourceOwnerPasswordCredentialsGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), Kind.DIRECT, getId());
    }
  }

  public static final class AuthorizationCode extends AuthorizationCodeGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), Kind.CODE, getId());
    }
  }

  public static final class RefreshToken extends RefreshTokenGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), Kind.REFRESH, getId());
    }
  }

  public static final class TokenExchange extends TokenExchangeGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), Kind.EXCHANGE, getId());
    }
  }

  /** UMA tickets: refused for policy-bound clients, untouched for every other client. */
  public static final class Uma extends PermissionGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), Kind.REFUSED, getId());
    }
  }
}
