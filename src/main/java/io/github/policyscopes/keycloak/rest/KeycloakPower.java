package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.PolicyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.authorization.AuthorizationProvider;
import org.keycloak.authorization.model.Policy;
import org.keycloak.authorization.model.ResourceServer;
import org.keycloak.common.Profile;
import org.keycloak.models.AdminRoles;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.Constants;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.RoleUtils;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.protocol.oidc.mappers.AbstractUserRoleMappingMapper;
import org.keycloak.protocol.oidc.mappers.HardcodedRole;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.RoleNameMapper;
import org.keycloak.protocol.oidc.mappers.ScriptBasedOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.UserClientRoleMappingMapper;
import org.keycloak.protocol.oidc.mappers.UserRealmRoleMappingMapper;
import org.keycloak.provider.ProviderFactory;
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

  /** The clients whose resource servers hold Keycloak's fine-grained admin permissions (v1, v2). */
  private static final Set<String> PERMISSION_SERVERS =
      Set.of(Constants.REALM_MANAGEMENT_CLIENT_ID, Constants.ADMIN_PERMISSIONS_CLIENT_ID);

  /**
   * Permission policy types whose whole effect is decided by the ids in their configuration (a
   * role, a client, a client scope, a user, a group, other policies): for these, the ids decide.
   * Any other type (JavaScript, time, regex, or one this class does not know) may grant anyone.
   */
  private static final Set<String> POLICY_TYPES_BY_ID =
      Set.of("role", "client", "client-scope", "user", "group", "aggregate", "resource", "scope");

  /** Of those, the types that name users, whose power travels in any token a user gets. */
  private static final Set<String> POLICY_TYPES_OF_USERS = Set.of("user", "group");

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
    MapperRoles mapped = mapperRoles(session, realm, client);
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

    String policy = permissionNaming(session, realm, named, flow != null);
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

  private static Stream<ClientScopeModel> clientScopes(ClientModel client) {
    return Stream.concat(
        client.getClientScopes(true).values().stream(),
        client.getClientScopes(false).values().stream());
  }

  // ---- what its protocol mappers put into its tokens ----

  /**
   * Roles the protocol mappers of the client and of its client scopes put into its tokens, beyond
   * its scope (Keycloak's hard-coded role and role name mappers change the token's resolved roles,
   * which its role mappers then write); or why their effect on roles cannot be read: a mapper that
   * writes a claim under {@code realm_access} or {@code resource_access} itself, a script mapper,
   * or a mapper type Keycloak does not ship. Keycloak's user role mappers write the resolved roles,
   * which add nothing only where Keycloak puts them; a mapper whose type is not installed does not
   * run.
   */
  private static MapperRoles mapperRoles(
      KeycloakSession session, RealmModel realm, ClientModel client) {
    Set<RoleModel> roles = new HashSet<>();
    List<ProtocolMapperModel> mappers =
        Stream.concat(
                client.getProtocolMappersStream(),
                clientScopes(client).flatMap(ClientScopeModel::getProtocolMappersStream))
            .toList();
    for (ProtocolMapperModel mapper : mappers) {
      if (PolicyStore.isPolicyMapper(mapper)) {
        continue;
      }
      ProviderFactory<?> type =
          session
              .getKeycloakSessionFactory()
              .getProviderFactory(ProtocolMapper.class, mapper.getProtocolMapper());
      Map<String, String> config = mapper.getConfig() == null ? Map.of() : mapper.getConfig();
      if (type == null) {
        continue; // Keycloak does not run a mapper whose type is not installed
      }
      String claim = config.getOrDefault(OIDCAttributeMapperHelper.TOKEN_CLAIM_NAME, "");
      if (type instanceof AbstractUserRoleMappingMapper) {
        if (writesRolesClaim(claim) && !whereKeycloakWritesThem(type, claim, config)) {
          return MapperRoles.unreadable(
              "its protocol mapper \""
                  + mapper.getName()
                  + "\" writes roles under "
                  + claim
                  + ", not where Keycloak puts them");
        }
        continue; // the token's resolved roles, where Keycloak puts them
      }
      if (type instanceof HardcodedRole) {
        addRole(realm, config.get(HardcodedRole.ROLE_CONFIG), roles);
      } else if (type instanceof RoleNameMapper) {
        addRole(realm, config.get(RoleNameMapper.NEW_ROLE_NAME), roles);
      } else if (type instanceof ScriptBasedOIDCProtocolMapper
          || !type.getClass().getName().startsWith("org.keycloak.")) {
        return MapperRoles.unreadable(
            "its protocol mapper \""
                + mapper.getName()
                + "\" ("
                + mapper.getProtocolMapper()
                + ") may write any claim, roles included");
      } else if (writesRolesClaim(claim)) {
        return MapperRoles.unreadable(
            "its protocol mapper \"" + mapper.getName() + "\" writes the roles claim " + claim);
      }
    }
    return new MapperRoles(roles, null);
  }

  /** Whether a claim name reaches into the roles claims the admin API reads (any spelling). */
  private static boolean writesRolesClaim(String claim) {
    String name = claim.strip();
    return name.startsWith("realm_access") || name.startsWith("resource_access");
  }

  /**
   * Whether a user role mapper writes the resolved roles exactly where Keycloak's own {@code roles}
   * client scope does: realm roles under {@code realm_access.roles}, client roles under their own
   * client's {@code resource_access.${client_id}.roles}, with no prefix. Anywhere else (another
   * client's key, the realm's claim for client roles, a prefix) a harmless role's name can read as
   * an admin role (found by the second outside review).
   */
  private static boolean whereKeycloakWritesThem(
      ProviderFactory<?> type, String claim, Map<String, String> config) {
    if (type instanceof UserRealmRoleMappingMapper) {
      return claim.equals("realm_access.roles")
          && isBlank(config.get(ProtocolMapperUtils.USER_MODEL_REALM_ROLE_MAPPING_ROLE_PREFIX));
    }
    if (type instanceof UserClientRoleMappingMapper) {
      return claim.equals("resource_access.${client_id}.roles")
          && isBlank(config.get(ProtocolMapperUtils.USER_MODEL_CLIENT_ROLE_MAPPING_ROLE_PREFIX));
    }
    return false;
  }

  private static boolean isBlank(@Nullable String value) {
    return value == null || value.isBlank();
  }

  private record MapperRoles(Set<RoleModel> roles, @Nullable String unreadable) {
    static MapperRoles unreadable(String why) {
      return new MapperRoles(Set.of(), why);
    }
  }

  /**
   * Every role a mapper's {@code client.role} or {@code role} may name: Keycloak versions split the
   * name at different dots ({@code P.portal.support} is client {@code P.portal}'s {@code support}
   * or client {@code P}'s {@code portal.support}), so every reading counts, and a realm role.
   */
  private static void addRole(RealmModel realm, @Nullable String name, Set<RoleModel> roles) {
    if (name == null || name.isBlank()) {
      return;
    }
    String value = name.trim();
    List<RoleModel> found = new ArrayList<>();
    found.add(realm.getRole(value));
    for (int dot = value.indexOf('.'); dot > 0; dot = value.indexOf('.', dot + 1)) {
      ClientModel client = realm.getClientByClientId(value.substring(0, dot));
      if (client != null) {
        found.add(client.getRole(value.substring(dot + 1)));
      }
    }
    found.stream()
        .filter(Objects::nonNull)
        .forEach(role -> roles.addAll(RoleUtils.expandCompositeRoles(Set.of(role))));
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

  // ---- fine-grained admin permissions ----

  /**
   * A fine-grained admin permission policy (v1 on {@code realm-management}, v2 on {@code
   * admin-permissions}) that may name the client, or null. Deliberately conservative: a policy
   * naming any of {@code ids} (the client, its service account, a role or group it holds, a role or
   * client scope in its scope); a policy whose effect is not decided by ids (JavaScript, time,
   * regex, a type this class does not know); and, when users sign in through it, a policy naming
   * users or groups, whose power travels in every token a user gets.
   */
  private static @Nullable String permissionNaming(
      KeycloakSession session, RealmModel realm, Set<String> ids, boolean usersSignIn) {
    AuthorizationProvider authorization = session.getProvider(AuthorizationProvider.class);
    if (authorization == null) {
      return null;
    }
    for (String serverClientId : PERMISSION_SERVERS.stream().sorted().toList()) {
      ClientModel serverClient = session.clients().getClientByClientId(realm, serverClientId);
      if (serverClient == null) {
        continue;
      }
      ResourceServer server =
          authorization.getStoreFactory().getResourceServerStore().findByClient(serverClient);
      if (server == null) {
        continue;
      }
      for (Policy policy :
          authorization.getStoreFactory().getPolicyStore().findByResourceServer(server)) {
        String type = Objects.requireNonNullElse(policy.getType(), "");
        if (!POLICY_TYPES_BY_ID.contains(type)
            || (usersSignIn && POLICY_TYPES_OF_USERS.contains(type))
            || mentions(policy, ids)) {
          return "\"" + policy.getName() + "\" (" + type + ")";
        }
      }
    }
    return null;
  }

  private static boolean mentions(Policy policy, Set<String> ids) {
    if (policy.getConfig() == null) {
      return false;
    }
    return policy.getConfig().values().stream()
        .filter(Objects::nonNull)
        .anyMatch(value -> ids.stream().anyMatch(value::contains));
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
