package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.IssuanceDecision;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.representations.AccessToken;

/**
 * UMA tickets, refused for every request that involves a client bound to a token policy or handed
 * over to the config API, untouched for every other. A requesting party token is issued with the
 * resource server's scope but names the client of the token presented ({@code azp}): through a
 * client the config API manages it would carry roles that client's own scope does not hold
 * (docs/adr/0011-other-grants-and-uma.md, docs/adr/0022-a-clients-reach-is-derived.md).
 *
 * <p>The UMA grant authenticates its client itself (Keycloak's token endpoint skips the check for
 * it), so every client a request names is looked at before the grant runs: the authenticated
 * client, the client of the bearer token, of a {@code subject_token} and of a {@code claim_token},
 * the client of {@code client_id} or HTTP Basic. Should the grant still end with such a client, its
 * answer is refused. Needs nothing of Keycloak the extension probes.
 */
final class UmaGrantType extends DelegatingGrantType {

  private static final Logger LOG = Logger.getLogger(UmaGrantType.class);

  UmaGrantType(KeycloakSession session, OAuth2GrantType delegate) {
    super(session, delegate);
  }

  @Override
  public Response process(Context context) {
    Issuance.markServed(session, OAuth2Constants.UMA_GRANT_TYPE);
    MultivaluedMap<String, String> form = context.getFormParams();
    refuseIfBound(context, context.getClient());
    refuseIfBound(context, tokenClient(bearer()));
    refuseIfBound(context, tokenClient(form.getFirst(OAuth2Constants.SUBJECT_TOKEN)));
    refuseIfBound(context, tokenClient(form.getFirst("claim_token")));
    refuseIfBound(context, namedClient(form));
    Response response = delegate.process(context);
    refuseIfBound(context, session.getContext().getClient());
    return response;
  }

  private void refuseIfBound(Context context, @Nullable ClientModel client) {
    if (client != null && PolicyStore.ceilingLost(client)) {
      PolicyBoundGrantType.count(
          session, OAuth2Constants.UMA_GRANT_TYPE, client, IssuanceDecision.refused());
      throw PolicyBoundGrantType.unauthorizedClient(context, PolicyStore.CEILING_LOST);
    }
    if (client != null
        && (!PolicyStore.boundTo(client).isEmpty() || HandOver.isHandedOver(client))) {
      PolicyBoundGrantType.count(
          session, OAuth2Constants.UMA_GRANT_TYPE, client, IssuanceDecision.refused());
      throw PolicyBoundGrantType.unauthorizedClient(
          context,
          "UMA tickets are not available to clients bound to a token policy or managed by the"
              + " config API");
    }
  }

  private @Nullable String bearer() {
    String header = authorization();
    return header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? null
        : header.substring(7).trim();
  }

  private @Nullable String authorization() {
    return session
        .getContext()
        .getHttpRequest()
        .getHttpHeaders()
        .getHeaderString(HttpHeaders.AUTHORIZATION);
  }

  /** The client a token names ({@code azp}), read without verifying it: only to refuse. */
  private @Nullable ClientModel tokenClient(@Nullable String encoded) {
    if (encoded == null) {
      return null;
    }
    try {
      AccessToken token = new JWSInput(encoded).readJsonContent(AccessToken.class);
      return token.getIssuedFor() == null
          ? null
          : session.getContext().getRealm().getClientByClientId(token.getIssuedFor());
    } catch (JWSInputException | RuntimeException unreadable) {
      LOG.debugf("unreadable token: no client from it (%s)", unreadable.toString());
      return null; // the grant itself refuses a token it cannot read
    }
  }

  /** The client a request names: {@code client_id}, else the user of HTTP Basic. */
  private @Nullable ClientModel namedClient(MultivaluedMap<String, String> form) {
    String clientId = form.getFirst(OAuth2Constants.CLIENT_ID);
    String header = authorization();
    if (clientId == null && header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        clientId =
            URLDecoder.decode(
                colon < 0 ? decoded : decoded.substring(0, colon), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException unreadable) {
        return null; // the grant itself refuses credentials it cannot read
      }
    }
    return clientId == null ? null : session.getContext().getRealm().getClientByClientId(clientId);
  }
}
