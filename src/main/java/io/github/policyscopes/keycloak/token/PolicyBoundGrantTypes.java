package io.github.policyscopes.keycloak.token;

import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.grants.AuthorizationCodeGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.ClientCredentialsGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;
import org.keycloak.protocol.oidc.grants.PermissionGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.RefreshTokenGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.ResourceOwnerPasswordCredentialsGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.TokenExchangeGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.ciba.CibaGrantTypeFactory;
import org.keycloak.protocol.oidc.grants.device.DeviceGrantTypeFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;
import org.keycloak.provider.Provider;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Factories that take over Keycloak's grant types: same id, shortcut and support checks (inherited
 * or delegated), and a package outside {@code org.keycloak}, so Keycloak prefers them (see
 * docs/adr/0004-grant-wrapping.md). Each wraps the stock grant it replaces and says which {@link
 * GrantKind} it is; on a Keycloak the extension cannot run on, the wrapper refuses bound clients
 * and hands every other request to the stock grant (docs/adr/0027-capabilities-not-versions.md). A
 * grant type not wrapped here is refused to bound clients by the policy mapper
 * (docs/adr/0028-every-grant.md).
 */
public final class PolicyBoundGrantTypes {

  // here, not in GrantKind: an interface's constant of its own implementation can deadlock class
  // initialization across threads (Error Prone ClassInitializationDeadlock)
  private static final GrantKind REQUESTED = new GrantKind.Requested();
  private static final GrantKind CONSENTED = new GrantKind.Consented();
  private static final GrantKind REFRESHED = new GrantKind.Refreshed();
  private static final GrantKind EXCHANGED = new GrantKind.Exchanged();

  private PolicyBoundGrantTypes() {}

  private static OAuth2GrantType wrap(
      KeycloakSession session, OAuth2GrantType stock, GrantKind kind, String grantType) {
    return new PolicyBoundGrantType(session, stock, kind, grantType);
  }

  public static final class ClientCredentials extends ClientCredentialsGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), REQUESTED, getId());
    }
  }

  public static final class Password extends ResourceOwnerPasswordCredentialsGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), REQUESTED, getId());
    }
  }

  public static final class AuthorizationCode extends AuthorizationCodeGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), CONSENTED, getId());
    }
  }

  public static final class RefreshToken extends RefreshTokenGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), REFRESHED, getId());
    }
  }

  public static final class TokenExchange extends TokenExchangeGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), EXCHANGED, getId());
    }
  }

  /** The device authorization grant (RFC 8628): the user approved at the verification URI. */
  public static final class Device extends DeviceGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), CONSENTED, getId());
    }
  }

  /** CIBA: the user approved on the authentication device. */
  public static final class Ciba extends CibaGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, super.create(session), CONSENTED, getId());
    }
  }

  /** UMA tickets: refused for policy-bound clients, untouched for every other client. */
  public static final class Uma extends PermissionGrantTypeFactory {
    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return new UmaGrantType(session, super.create(session));
    }
  }

  /**
   * The JWT authorization grant (RFC 7523, ID-JAG too): its token request names the scopes.
   * Keycloak 26.4 has no such grant, so its factory is found by name: where it is missing, this
   * factory is not supported and registers nothing.
   */
  public static final class JwtAuthorization extends ByName {
    public JwtAuthorization() {
      super(
          "org.keycloak.protocol.oidc.grants.JWTAuthorizationGrantTypeFactory",
          "urn:ietf:params:oauth:grant-type:jwt-bearer",
          REQUESTED);
    }
  }

  /**
   * A wrapper of a stock grant factory that only some Keycloak versions have: everything but {@link
   * #create} is the stock factory's.
   */
  abstract static class ByName
      implements OAuth2GrantTypeFactory, EnvironmentDependentProviderFactory {

    private static final Logger LOG = Logger.getLogger(ByName.class);

    private final @Nullable OAuth2GrantTypeFactory stock;
    private final String id;
    private final GrantKind kind;

    ByName(String stockClass, String id, GrantKind kind) {
      this.stock = load(stockClass);
      this.id = stock == null ? id : stock.getId();
      this.kind = kind;
    }

    private static @Nullable OAuth2GrantTypeFactory load(String stockClass) {
      try {
        Class<?> type =
            Class.forName(stockClass, true, OAuth2GrantTypeFactory.class.getClassLoader());
        return (OAuth2GrantTypeFactory) type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError | ClassCastException missing) {
        LOG.debugf("%s is not in this Keycloak: not wrapped (%s)", stockClass, missing.toString());
        return null;
      }
    }

    private OAuth2GrantTypeFactory stock() {
      if (stock == null) {
        throw new IllegalStateException("not supported on this Keycloak: " + id);
      }
      return stock;
    }

    @Override
    public boolean isSupported(Config.Scope config) {
      return stock != null
          && (!(stock instanceof EnvironmentDependentProviderFactory dependent)
              || dependent.isSupported(config));
    }

    @Override
    public String getId() {
      return id;
    }

    @Override
    public String getShortcut() {
      return stock().getShortcut();
    }

    @Override
    public OAuth2GrantType create(KeycloakSession session) {
      return wrap(session, stock().create(session), kind, id);
    }

    @Override
    public void init(Config.Scope config) {
      stock().init(config);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
      stock().postInit(factory);
    }

    @Override
    public void close() {
      if (stock != null) {
        stock.close();
      }
    }

    @Override
    public int order() {
      return stock == null ? 0 : stock.order();
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
      return stock == null ? List.of() : stock.getConfigMetadata();
    }

    @Override
    public Set<Class<? extends Provider>> dependsOn() {
      return stock == null ? Set.of() : stock.dependsOn();
    }
  }
}
