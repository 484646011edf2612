package io.github.policyscopes.keycloak.rest;

import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.keycloak.authorization.AuthorizationProvider;
import org.keycloak.authorization.model.Policy;
import org.keycloak.authorization.model.ResourceServer;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Part of a client's reach ({@link KeycloakPower}, I16): Keycloak's fine-grained admin permission
 * policies that may name the client.
 */
final class AdminPermissionPolicies {

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

  private AdminPermissionPolicies() {}

  /**
   * A fine-grained admin permission policy (v1 on {@code realm-management}, v2 on {@code
   * admin-permissions}) that may name the client, or null. Deliberately conservative: a policy
   * naming any of {@code ids} (the client, its service account, a role or group it holds, a role or
   * client scope in its scope); a policy whose effect is not decided by ids (JavaScript, time,
   * regex, a type this class does not know); and, when users sign in through it, a policy naming
   * users or groups, whose power travels in every token a user gets.
   */
  static @Nullable String naming(
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
}
