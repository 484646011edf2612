package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.authorization.AuthorizationProvider;
import org.keycloak.common.Profile;
import org.keycloak.models.AdminRoles;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.Constants;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.RoleUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.services.managers.RealmManager;

/**
 * Whether a client holds Keycloak power (docs/contract.md I3, I16;
 * docs/adr/0022-a-clients-reach-is-derived.md). The config API never reads such a client's secret,
 * rotates it, changes or deletes the client, so a config token never yields Keycloak admin power.
 *
 * <p>Nothing here lists the ways a client can be powerful. Its <em>reach</em> is derived from
 * Keycloak's own model: every role that can appear in a token issued to it or through it, which is
 * its service account's effective roles and, unless no user can get a token through it ({@link
 * #userFlow}), every role in its scope, exactly as Keycloak's {@code TokenManager.getAccess} builds
 * it (full scope: every role; otherwise its own roles, its scope mappings and those of all its
 * default and optional client scopes), each expanded through composites, default roles included;
 * and the roles that its protocol mappers and those of its client scopes put into its tokens
 * (Keycloak's hard-coded role and role name mappers). A requesting party token (UMA) would carry a
 * resource server's scope under its name: the grant refuses handed-over clients. The client is
 * privileged when that reach holds a role that grants admin power in any realm ({@link
 * #grantsAdminPower}), or when a fine-grained admin permission may name it. When in doubt (a grant
 * type, protocol, protocol mapper or permission policy this class cannot read), it is privileged.
 */
final class KeycloakPower {

  private KeycloakPower() {}

  /** Refuses with 403 {@code privileged_client} when the client holds Keycloak power. */
  static void refuseIfPrivileged(KeycloakSession session, RealmModel realm, ClientModel client) {
    String why = reason(session, realm, client);
    if (why != null) {
      throw new ApiError(
              403,
              "privileged_client",
              "client "
                  + client.getClientId()
                  + " holds Keycloak power ("
                  + why
                  + "): the config API does not read its secret, rotate it, change or delete it;"
                  + " an operator manages it in Keycloak")
          .because(Refusal.PRIVILEGED_CLIENT);
    }
  }

  /** Why the client holds Keycloak power, or null when it holds none. */
  static @Nullable String reason(KeycloakSession session, RealmModel realm, ClientModel client) {
    Set<String> named = new HashSet<>(); // ids an admin permission policy may name it by
    named.add(client.getId());

    // the service account user stays linked while service accounts are off: count it anyway
    UserModel account = session.users().getServiceAccount(client);
    if (account != null) {
      Set<RoleModel> held = new HashSet<>(RoleUtils.getDeepUserRoleMappings(account));
      held.addAll(RoleUtils.expandCompositeRoles(Set.of(realm.getDefaultRole())));
      RoleModel admin = firstAdminRole(session, held.stream());
      if (admin != null) {
        return "its service account holds the role " + describe(admin);
      }
      named.add(account.getId());
      held.forEach(role -> named.add(role.getId()));
      account.getGroupsStream().forEach(group -> addWithParents(group, named));
    }

    // what the protocol mappers of the client and of its client scopes put into its tokens' roles
    MapperReach.Roles mapped = MapperReach.roles(session, realm, client);
    if (mapped.unreadable() != null) {
      return mapped.unreadable();
    }
    RoleModel claimed = firstAdminRole(session, mapped.roles().stream());
    if (claimed != null) {
      return "a protocol mapper puts the role " + describe(claimed) + " into its tokens";
    }
    mapped.roles().forEach(role -> named.add(role.getId()));
    // its tokens name its client scopes (a client-scope admin permission matches them)
    clientScopes(client).forEach(scope -> named.add(scope.getId()));

    String flow = userFlow(session, realm, client);
    if (flow != null) {
      if (client.isFullScopeAllowed()) {
        if (anyAdminRole(session, realm)) {
          return "users sign in through it (" + flow + ") and its full scope is allowed";
        }
      } else {
        Set<RoleModel> scope = RoleUtils.expandCompositeRoles(scopeRoles(client));
        RoleModel admin = firstAdminRole(session, scope.stream());
        if (admin != null) {
          return "users sign in through it ("
              + flow
              + ") and its scope holds the role "
              + describe(admin);
        }
        scope.forEach(role -> named.add(role.getId()));
      }
    }

    String policy = AdminPermissionPolicies.naming(session, realm, named, flow != null);
    return policy == null
        ? null
        : "fine-grained admin permission policy " + policy + " may name it";
  }

  // ---- who can get a token through the client ----

  /**
   * How users can get a token through the client, or null when none can: a client counts as one
   * users sign in through unless it speaks OpenID Connect, is confidential, has a service account,
   * and every grant the running Keycloak registers that can issue a user's token is off for it. The
   * grants are Keycloak's registered {@link OAuth2GrantType} providers, not a list of ours: a grant
   * this class cannot read counts as on.
   */
  static @Nullable String userFlow(KeycloakSession session, RealmModel realm, ClientModel client) {
    String protocol = Objects.requireNonNullElse(client.getProtocol(), "openid-connect");
    if (!OIDCLoginProtocol.LOGIN_PROTOCOL.equals(protocol)) {
      return "protocol " + protocol;
    }
    if (client.isPublicClient()) {
      return "a public client";
    }
    if (!client.isServiceAccountsEnabled()) {
      return "no service account";
    }
    if (client.isStandardFlowEnabled()) {
      return OAuth2Constants.AUTHORIZATION_CODE;
    }
    if (client.isImplicitFlowEnabled()) {
      return "implicit";
    }
    if (client.isDirectAccessGrantsEnabled()) {
      return OAuth2Constants.PASSWORD;
    }
    return session
        .getKeycloakSessionFactory()
        .getProviderFactoriesStream(OAuth2GrantType.class)
        .map(factory -> factory.getId())
        .sorted()
        .filter(grant -> grantIssuesUserTokens(session, realm, client, grant))
        .findFirst()
        .orElse(null);
  }

  /** Whether the grant type can issue a user's token for the client; unknown grants can. */
  private static boolean grantIssuesUserTokens(
      KeycloakSession session, RealmModel realm, ClientModel client, String grant) {
    Map<String, String> attributes = client.getAttributes();
    return switch (grant) {
        // the service account's own tokens: its roles are counted above
      case OAuth2Constants.CLIENT_CREDENTIALS -> false;
        // renews a token issued through another grant: that grant is what counts
      case OAuth2Constants.REFRESH_TOKEN -> false;
        // the client's own switches, read above
      case OAuth2Constants.AUTHORIZATION_CODE -> client.isStandardFlowEnabled();
      case OAuth2Constants.PASSWORD -> client.isDirectAccessGrantsEnabled();
      case OAuth2Constants.DEVICE_CODE_GRANT_TYPE ->
          realm.getOAuth2DeviceConfig().isOAuth2DeviceAuthorizationGrantEnabled(client);
      case OAuth2Constants.CIBA_GRANT_TYPE -> realm.getCibaPolicy().isOIDCCIBAGrantEnabled(client);
        // version 2 is switched per client; version 1 (a preview feature) by permissions: on
      case OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE ->
          Boolean.parseBoolean(attributes.get(KeycloakClientSteps.TOKEN_EXCHANGE_ATTRIBUTE))
              || Profile.isFeatureEnabled(Profile.Feature.TOKEN_EXCHANGE);
      case JWT_AUTHORIZATION_GRANT -> Boolean.parseBoolean(attributes.get(JWT_GRANT_ATTRIBUTE));
        // a requesting party token is issued for a resource server, with that client's scope
      case OAuth2Constants.UMA_GRANT_TYPE -> isResourceServer(session, client);
      default -> true;
    };
  }

  /** RFC 7523's grant type, by value: the constant is not in every supported Keycloak. */
  private static final String JWT_AUTHORIZATION_GRANT =
      "urn:ietf:params:oauth:grant-type:jwt-bearer";

  /** The client switch of the JWT authorization grant (26.5+: OIDCConfigAttributes). */
  private static final String JWT_GRANT_ATTRIBUTE = "oauth2.jwt.authorization.grant.enabled";

  private static boolean isResourceServer(KeycloakSession session, ClientModel client) {
    AuthorizationProvider authorization = session.getProvider(AuthorizationProvider.class);
    return authorization != null
        && authorization.getStoreFactory().getResourceServerStore().findByClient(client) != null;
  }

  // ---- what is in its scope ----

  /**
   * The roles a user's token through the client can carry when its full scope is off, before
   * composites: the client's own roles, its scope mappings, and the scope mappings of every default
   * and optional client scope it has (Keycloak's {@code TokenManager.getAccess}).
   */
  private static Set<RoleModel> scopeRoles(ClientModel client) {
    Set<RoleModel> roles = new HashSet<>();
    client.getRolesStream().forEach(roles::add);
    client.getScopeMappingsStream().forEach(roles::add);
    clientScopes(client).flatMap(ClientScopeModel::getScopeMappingsStream).forEach(roles::add);
    return roles;
  }

  /** The client's default and optional client scopes. */
  static Stream<ClientScopeModel> clientScopes(ClientModel client) {
    return Stream.concat(
        client.getClientScopes(true).values().stream(),
        client.getClientScopes(false).values().stream());
  }

  // ---- which roles are Keycloak's admin power ----

  private static @Nullable RoleModel firstAdminRole(
      KeycloakSession session, Stream<RoleModel> roles) {
    return roles.filter(role -> grantsAdminPower(session, role)).findFirst().orElse(null);
  }

  /**
   * Whether a role grants admin power in some realm, as Keycloak sets it up ({@code RealmManager}):
   * in a realm, every role of its admin client ({@code realm-management}) and of {@code
   * admin-permissions}; in the administration realm, its {@code admin} and {@code create-realm}
   * roles and every role of a client that is some realm's master admin client ({@code
   * <realm>-realm}).
   */
  static boolean grantsAdminPower(KeycloakSession session, RoleModel role) {
    if (role.getContainer() instanceof RealmModel realm) {
      return RealmManager.isAdministrationRealm(realm)
          && (AdminRoles.ADMIN.equals(role.getName())
              || AdminRoles.CREATE_REALM.equals(role.getName()));
    }
    if (!(role.getContainer() instanceof ClientModel client)) {
      return true; // a container this class does not know: fail closed
    }
    RealmModel realm = client.getRealm();
    if (!RealmManager.isAdministrationRealm(realm)) {
      return new RealmManager(session).getRealmAdminClientId(realm).equals(client.getClientId())
          || Constants.ADMIN_PERMISSIONS_CLIENT_ID.equals(client.getClientId());
    }
    return isMasterAdminClient(session, client);
  }

  private static boolean isMasterAdminClient(KeycloakSession session, ClientModel client) {
    // Keycloak's own test (AdminRoles.isAdminClient, 26.7) is the name; the model is the link
    return client.getClientId().endsWith(AdminRoles.APP_SUFFIX)
        || session
            .realms()
            .getRealmsStream()
            .map(RealmModel::getMasterAdminClient)
            .anyMatch(admin -> admin != null && admin.getId().equals(client.getId()));
  }

  /** Whether the realm has any role that grants admin power (what full scope reaches). */
  private static boolean anyAdminRole(KeycloakSession session, RealmModel realm) {
    if (RealmManager.isAdministrationRealm(realm)) {
      return realm.getRole(AdminRoles.ADMIN) != null
          || realm.getRole(AdminRoles.CREATE_REALM) != null
          || session
              .realms()
              .getRealmsStream()
              .map(RealmModel::getMasterAdminClient)
              .anyMatch(admin -> admin != null && admin.getRolesStream().findAny().isPresent());
    }
    return Stream.of(
            new RealmManager(session).getRealmAdminClientId(realm),
            Constants.ADMIN_PERMISSIONS_CLIENT_ID)
        .map(realm::getClientByClientId)
        .anyMatch(admin -> admin != null && admin.getRolesStream().findAny().isPresent());
  }

  private static void addWithParents(@Nullable GroupModel group, Set<String> ids) {
    for (GroupModel g = group; g != null && ids.add(g.getId()); g = g.getParent()) {
      // walk up to the root
    }
  }

  private static String describe(RoleModel role) {
    return role.getContainer() instanceof ClientModel client
        ? client.getClientId() + " " + role.getName()
        : role.getName();
  }
}
