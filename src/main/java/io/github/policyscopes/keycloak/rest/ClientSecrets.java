package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.keycloak.compat.ClientPolicyContexts;
import io.github.policyscopes.keycloak.store.Revisions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSecretConstants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.ModelToRepresentation;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyException;

/**
 * {@code config/clients/{id}/secret}: a managed client's secret, read and rotated as Keycloak's
 * {@code ClientResource} does ({@code client-secret}), with a strong ETag that changes with the
 * secret and with the client's revision, never derived from the secret alone.
 */
final class ClientSecrets {

  /**
   * A client's secret and its strong ETag (If-Match of a rotation); the value is Keycloak's, null
   * only should Keycloak hold no secret for the confidential client.
   */
  record Secret(@Nullable String value, String etag) {

    /** The body of the answer: {@code {"secret": value}}, the value null when there is none. */
    Map<String, @Nullable Object> body() {
      Map<String, @Nullable Object> body = new HashMap<>();
      body.put("secret", value);
      return body;
    }
  }

  private ClientSecrets() {}

  static Secret read(
      KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    ClientModel client = ManagedClientService.find(session, realm, id);
    permissions.requireCanReadSecret(session, realm, client);
    requireConfidential(client);
    return new Secret(client.getSecret(), etag(session, client));
  }

  /**
   * A new secret, if {@code ifMatch} (absent, {@code *} or the secret's ETag) allows; {@code id}
   * was checked before the lock ({@link ManagedClientService#checkId}).
   */
  static Secret rotate(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      String id,
      @Nullable String ifMatch) {
    // the client's own revision: a rotation and a client update never interleave (the update
    // writes Keycloak's whole representation, secret included)
    long revision = Writes.claim(session, realm, Revisions.Kind.CLIENT, id, ifMatch);
    ClientModel client = ManagedClientService.find(session, realm, id);
    permissions.requireCanRotateSecret(session, realm, client);
    requireConfidential(client);
    Writes.checkIfMatch(ifMatch, etag(client, revision));

    try {
      session.setAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED, false);
      ClientRepresentation rep = ModelToRepresentation.toRepresentation(client, session);
      String previous = client.getSecret();
      KeycloakModelUtils.generateSecret(client);
      session
          .clientPolicy()
          .triggerOnEvent(
              ClientPolicyContexts.secretRotation(
                  rep, client, previous, KeycloakClientSteps.adminAuth(realm, permissions)));
      KeycloakClientSteps.forgetRotationUnlessAPolicyRotates(session, client);
    } catch (ClientPolicyException e) {
      throw KeycloakClientSteps.refusedByClientPolicy(e);
    }

    AdminEvents.record(
        session,
        realm,
        permissions,
        AdminEvents.CLIENT,
        OperationType.ACTION,
        ApiLayout.secretPath(id),
        null);
    return new Secret(client.getSecret(), etag(session, client));
  }

  private static void requireConfidential(ClientModel client) {
    if (client.isPublicClient() || client.isBearerOnly()) {
      throw ApiError.conflict("client " + client.getClientId() + " is public: it has no secret");
    }
  }

  /** The strong ETag of the client's current secret at the client's current revision. */
  private static String etag(KeycloakSession session, ClientModel client) {
    return etag(
        client,
        Revisions.current(session, client.getRealm(), Revisions.Kind.CLIENT, client.getId()));
  }

  /** A strong ETag of the client's secret: a hash with the revision, never the secret itself. */
  static String etag(ClientModel client, long revision) {
    return etag(client.getId(), client.getSecret(), revision);
  }

  /** {@link #etag(ClientModel, long)} of the client's id and secret (ClientSecretsTest). */
  static String etag(String clientId, @Nullable String secret, long revision) {
    String value = secret == null ? "" : secret;
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  ("config-api-secret\0" + clientId + "\0" + value + "\0" + revision)
                      .getBytes(StandardCharsets.UTF_8));
      return "\""
          + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 18))
          + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
