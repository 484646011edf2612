package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.store.PolicyStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.utils.RoleUtils;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;
import org.keycloak.protocol.oidc.mappers.AbstractUserRoleMappingMapper;
import org.keycloak.protocol.oidc.mappers.HardcodedRole;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.RoleNameMapper;
import org.keycloak.protocol.oidc.mappers.ScriptBasedOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.UserClientRoleMappingMapper;
import org.keycloak.protocol.oidc.mappers.UserRealmRoleMappingMapper;
import org.keycloak.provider.ProviderFactory;

/**
 * Part of a client's reach ({@link KeycloakPower}, I16): what the protocol mappers of the client
 * and of its client scopes put into its tokens' roles.
 */
final class MapperReach {

  private MapperReach() {}

  /**
   * Roles the protocol mappers of the client and of its client scopes put into its tokens, beyond
   * its scope (Keycloak's hard-coded role and role name mappers change the token's resolved roles,
   * which its role mappers then write); or why their effect on roles cannot be read: a mapper that
   * writes a claim under {@code realm_access} or {@code resource_access} itself, a script mapper,
   * or a mapper type Keycloak does not ship. Keycloak's user role mappers write the resolved roles,
   * which add nothing only where Keycloak puts them; a mapper whose type is not installed does not
   * run.
   */
  static Roles roles(KeycloakSession session, RealmModel realm, ClientModel client) {
    Set<RoleModel> roles = new HashSet<>();
    List<ProtocolMapperModel> mappers =
        Stream.concat(
                client.getProtocolMappersStream(),
                KeycloakPower.clientScopes(client)
                    .flatMap(ClientScopeModel::getProtocolMappersStream))
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
          return Roles.unreadable(
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
        return Roles.unreadable(
            "its protocol mapper \""
                + mapper.getName()
                + "\" ("
                + mapper.getProtocolMapper()
                + ") may write any claim, roles included");
      } else if (writesRolesClaim(claim)) {
        return Roles.unreadable(
            "its protocol mapper \"" + mapper.getName() + "\" writes the roles claim " + claim);
      }
    }
    return new Roles(roles, null);
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

  record Roles(Set<RoleModel> roles, @Nullable String unreadable) {
    static Roles unreadable(String why) {
      return new Roles(Set.of(), why);
    }
  }

  /**
   * Every role a mapper's {@code "client.role"} or {@code "role"} setting may name: Keycloak
   * versions split the name at different dots ({@code P.portal.support} is client {@code
   * P.portal}'s {@code support} or client {@code P}'s {@code portal.support}), so every reading
   * counts, and a realm role.
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
}
