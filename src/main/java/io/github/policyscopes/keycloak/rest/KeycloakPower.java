package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.keycloak.authorization.AuthorizationProvider;
import org.keycloak.authorization.model.Policy;
import org.keycloak.authorization.model.ResourceServer;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.RoleUtils;

/**
 * Whether a client holds Keycloak power (docs/contract.md §4 "A client's power is more than its
 * config grants", I3): its service account holds a role beyond the realm's default roles
 * (composites and groups included), or fine-grained admin permissions may name it. The config API
 * never hands out such a client's secret nor changes it, so a config token never yields Keycloak
 * admin power.
 */
final class KeycloakPower {

  /** The clients whose resource servers hold Keycloak's fine-grained admin permissions (v1, v2). */
  private static final List<String> PERMISSION_SERVERS =
      List.of(Constants.REALM_MANAGEMENT_CLIENT_ID, Constants.ADMIN_PERMISSIONS_CLIENT_ID);

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
    // the service account user stays linked while service accounts are off: check it anyway
    UserModel account = session.users().getServiceAccount(client);
    Set<RoleModel> held = account == null ? Set.of() : RoleUtils.getDeepUserRoleMappings(account);
    Set<String> defaults =
        RoleUtils.expandCompositeRoles(Set.of(realm.getDefaultRole())).stream()
            .map(RoleModel::getId)
            .collect(Collectors.toSet());
    for (RoleModel role : held) {
      if (!defaults.contains(role.getId())) {
        return "its service account holds the role " + describe(role);
      }
    }

    // users who sign in through it: their tokens carry whatever admin role of theirs it has in
    // scope
    if (client.isStandardFlowEnabled()
        || client.isDirectAccessGrantsEnabled()
        || client.isImplicitFlowEnabled()) {
      RoleModel reachable = adminRoleInScope(session, realm, client);
      if (reachable != null) {
        return "users signing in through it can bring the role "
            + describe(reachable)
            + (client.isFullScopeAllowed() ? " (full scope allowed)" : " (in its scope)");
      }
    }

    // conservative: any admin-permission policy whose configuration mentions the client, its
    // service account, or a role or group the service account holds
    Set<String> ids = new HashSet<>();
    ids.add(client.getId());
    if (account != null) {
      ids.add(account.getId());
      held.forEach(role -> ids.add(role.getId()));
      account.getGroupsStream().forEach(group -> addWithParents(group, ids));
    }
    String policy = permissionNaming(session, realm, ids);
    return policy == null ? null : "fine-grained admin permission policy " + policy + " names it";
  }

  /** A role of Keycloak's admin clients that the client's tokens may carry, or null. */
  private static @Nullable RoleModel adminRoleInScope(
      KeycloakSession session, RealmModel realm, ClientModel client) {
    for (String adminClientId : PERMISSION_SERVERS) {
      ClientModel admin = session.clients().getClientByClientId(realm, adminClientId);
      if (admin == null) {
        continue;
      }
      RoleModel found = admin.getRolesStream().filter(client::hasScope).findFirst().orElse(null);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static @Nullable String permissionNaming(
      KeycloakSession session, RealmModel realm, Collection<String> ids) {
    AuthorizationProvider authorization = session.getProvider(AuthorizationProvider.class);
    if (authorization == null) {
      return null;
    }
    for (String serverClientId : PERMISSION_SERVERS) {
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
        if (mentions(policy, ids)) {
          return "\"" + policy.getName() + "\"";
        }
      }
    }
    return null;
  }

  private static boolean mentions(Policy policy, Collection<String> ids) {
    if (policy.getConfig() == null) {
      return false;
    }
    return policy.getConfig().values().stream()
        .filter(value -> value != null)
        .anyMatch(value -> ids.stream().anyMatch(value::contains));
  }

  private static void addWithParents(@Nullable GroupModel group, Set<String> ids) {
    for (GroupModel g = group; g != null && ids.add(g.getId()); g = g.getParent()) {
      // walk up to the root
    }
  }

  private static String describe(RoleModel role) {
    return role.isClientRole()
        ? ((ClientModel) role.getContainer()).getClientId() + " " + role.getName()
        : role.getName();
  }
}
