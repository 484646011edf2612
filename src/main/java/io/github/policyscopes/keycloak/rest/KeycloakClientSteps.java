package io.github.policyscopes.keycloak.rest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.common.constants.ServiceAccountConstants;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSecretConstants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCClientSecretConfigWrapper;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.validation.ValidationUtil;

/**
 * The steps of a client write that are Keycloak's, taken as its admin REST API ({@code
 * ClientResource}, {@code ClientsResource}) takes them: the representation the body changes, the
 * service account, Keycloak's client validation, client policies and their secret rotation.
 */
final class KeycloakClientSteps {

  /** The client switch of token exchange (version 2), which Keycloak reads per client. */
  static final String TOKEN_EXCHANGE_ATTRIBUTE = "standard.token.exchange.enabled";

  private KeycloakClientSteps() {}

  /** Writes the input's fields onto Keycloak's representation of the client. */
  static void applyTo(ClientInput input, ClientRepresentation rep) {
    rep.setName(input.name());
    rep.setEnabled(input.enabled());
    rep.setPublicClient(!input.confidential());
    rep.setBearerOnly(false);
    rep.setStandardFlowEnabled(input.grantTypes().contains(ClientInput.AUTHORIZATION_CODE));
    rep.setDirectAccessGrantsEnabled(input.grantTypes().contains(ClientInput.PASSWORD));
    rep.setImplicitFlowEnabled(false);
    rep.setServiceAccountsEnabled(input.grantTypes().contains(ClientInput.CLIENT_CREDENTIALS));
    Map<String, String> attributes =
        rep.getAttributes() == null ? new HashMap<>() : new HashMap<>(rep.getAttributes());
    attributes.put(
        TOKEN_EXCHANGE_ATTRIBUTE,
        String.valueOf(input.grantTypes().contains(ClientInput.TOKEN_EXCHANGE)));
    rep.setAttributes(attributes);
    rep.setRedirectUris(new ArrayList<>(input.redirectUris()));
  }

  /**
   * Creates or removes the client's service account as the admin REST API does for {@code
   * serviceAccountsEnabled}: the steps of {@code ClientManager.updateClientServiceAccount}, which
   * is only in Keycloak 26.5 and later (keycloak/keycloak#44687), through the {@link ClientManager}
   * methods every supported version has.
   */
  static void serviceAccount(KeycloakSession session, ClientModel client, @Nullable Boolean on) {
    boolean exists = session.users().getServiceAccount(client) != null;
    boolean scopeAssigned =
        client.getClientScopes(true).containsKey(ServiceAccountConstants.SERVICE_ACCOUNT_SCOPE);
    ClientManager manager = new ClientManager(new RealmManager(session));
    if (Boolean.TRUE.equals(on)) {
      if (!exists || !scopeAssigned) {
        manager.enableServiceAccount(client);
      }
    } else if (Boolean.FALSE.equals(on) || !client.isServiceAccountsEnabled()) {
      if (exists || scopeAssigned) {
        manager.disableServiceAccount(client);
      }
    }
  }

  /** Keycloak's client validation (redirect URIs, URLs…), as the admin REST API runs it. */
  static void validate(KeycloakSession session, ClientModel client, boolean create) {
    ValidationUtil.validateClient(
        session,
        client,
        create,
        result -> {
          throw new ApiError(400, "invalid_client_metadata", result.getAllErrorsAsString());
        });
  }

  /** As ClientResource: a rotation left by an earlier policy is forgotten unless one rotates. */
  static void forgetRotationUnlessAPolicyRotates(KeycloakSession session, ClientModel client) {
    if (!Boolean.TRUE.equals(
        session.getAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED))) {
      OIDCClientSecretConfigWrapper.fromClientModel(client).removeClientSecretRotationInfo();
    }
    session.removeAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED);
  }

  /** The caller as Keycloak's client policies see an admin: its token, user and client. */
  static AdminAuth adminAuth(RealmModel realm, Permissions permissions) {
    return permissions.caller().adminAuth(realm);
  }

  /** A realm client policy refused the write: 400 with its error, as the admin REST API says. */
  static ApiError refusedByClientPolicy(ClientPolicyException e) {
    String error = e.getError() == null ? "invalid_client_metadata" : e.getError();
    String detail = e.getErrorDetail() != null ? e.getErrorDetail() : e.getMessage();
    return new ApiError(400, error, detail != null ? detail : "refused by a client policy");
  }
}
