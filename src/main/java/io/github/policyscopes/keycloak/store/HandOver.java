package io.github.policyscopes.keycloak.store;

import java.util.Set;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.RoleModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * Which clients are handed over to the config API (docs/contract.md §4 "Managed clients only"), in
 * one place.
 *
 * <p>The marker is a client role named {@value #ROLE} on the client itself: an operator hands a
 * client over in the stock admin console (Clients → client → Roles → Create role) and takes it back
 * by deleting the role. The API puts the role on every client it creates. The client attribute
 * {@value #LEGACY_ATTRIBUTE}{@code =true}, written by earlier versions, also counts. Binding a
 * policy does not hand a client over. Keycloak's built-in clients never count, marker or not, and
 * their clientIds, like every Keycloak-owned one, are reserved.
 */
public final class HandOver {

  /** The client role that hands a client over to the config API. */
  public static final String ROLE = "config-api-managed";

  /** The marker of earlier versions (a client attribute); still honoured, never written. */
  static final String LEGACY_ATTRIBUTE = "pbs.managed";

  static final Set<String> BUILT_IN =
      Set.of(
          Constants.ADMIN_CLI_CLIENT_ID,
          Constants.ADMIN_CONSOLE_CLIENT_ID,
          Constants.REALM_MANAGEMENT_CLIENT_ID,
          Constants.BROKER_SERVICE_CLIENT_ID,
          Constants.ACCOUNT_MANAGEMENT_CLIENT_ID,
          Constants.ACCOUNT_CONSOLE_CLIENT_ID);

  /**
   * clientIds Keycloak owns or creates on its own ({@link Constants#defaultClients}: the built-in
   * clients, {@code admin-permissions} created when admin permissions are turned on, {@code
   * _system}), and {@code <realm>-realm}, a realm's client in the master realm.
   */
  static final Set<String> RESERVED_CLIENT_IDS = Set.copyOf(Constants.defaultClients);

  private HandOver() {}

  /** Whether the config API may see and change this client. */
  public static boolean isHandedOver(ClientModel client) {
    if (BUILT_IN.contains(client.getClientId()) || isReserved(client.getClientId())) {
      return false;
    }
    String protocol = client.getProtocol();
    if (protocol != null && !OIDCLoginProtocol.LOGIN_PROTOCOL.equals(protocol)) {
      return false;
    }
    return client.getRole(ROLE) != null || "true".equals(client.getAttribute(LEGACY_ATTRIBUTE));
  }

  /** Hands a client the API has just created over to it. */
  public static void handOver(ClientModel client) {
    if (client.getRole(ROLE) == null) {
      RoleModel role = client.addRole(ROLE);
      role.setDescription(
          "Marker: this client is handed over to the config API (delete the role to take it back)");
    }
  }

  /** clientIds the API never creates: Keycloak's own. */
  public static boolean isReserved(String clientId) {
    return RESERVED_CLIENT_IDS.contains(clientId) || clientId.endsWith("-realm");
  }
}
