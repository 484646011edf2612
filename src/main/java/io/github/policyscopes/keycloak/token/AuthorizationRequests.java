package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Scopes;
import java.util.List;
import java.util.Set;
import org.keycloak.OAuthErrorException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.ciba.clientpolicy.context.BackchannelAuthenticationRequestContext;
import org.keycloak.protocol.oidc.grants.device.clientpolicy.context.DeviceAuthorizationRequestContext;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.AuthorizationRequestContext;

/**
 * The issuance decision where a grant's scopes are asked for before the token request: the
 * authorization endpoint (code flow), the device authorization endpoint (RFC 8628) and the
 * backchannel authentication endpoint (CIBA). Keycloak asks its client policies about each such
 * request once the client is known and the request parsed ({@link PolicyBoundClientPolicies}); a
 * bound client's request is decided here with the same {@link IssuanceDecision} as a token request
 * (contract I19):
 *
 * <ul>
 *   <li>a request refused whatever the policy says, and in reject mode a request the policy drops
 *       scopes of, end with {@code invalid_scope} (RFC 6749 §4.1.2.1, RFC 8628 §3.2, CIBA Core
 *       §13): Keycloak answers a client-policy refusal with its error and description, and sends
 *       the event as an error;
 *   <li>a CIBA request is cut down to what the policy grants before Keycloak sends it to the user's
 *       authentication device, so the user approves no scope the client will not get. (The device
 *       and code flows' consent shows Keycloak's client scopes; the token is decided when it is
 *       issued, docs/adr/0028.)
 * </ul>
 */
final class AuthorizationRequests {

  private AuthorizationRequests() {}

  /**
   * Decides a request of a bound client; does nothing for any other client or event. Nothing of the
   * request is read before the client is known to be bound (or registered under a ceiling it has
   * lost): for every other client this is one event comparison and one policy lookup.
   */
  static void decide(KeycloakSession session, ClientPolicyContext context)
      throws ClientPolicyException {
    ClientPolicyEvent event = context.getEvent();
    if (event != ClientPolicyEvent.AUTHORIZATION_REQUEST
        && event != ClientPolicyEvent.DEVICE_AUTHORIZATION_REQUEST
        && event != ClientPolicyEvent.BACKCHANNEL_AUTHENTICATION_REQUEST) {
      return; // no scopes asked for here
    }
    ClientModel client = session.getContext().getClient();
    if (client == null || !KeycloakRuntime.active()) {
      return; // where the extension cannot run, the token request refuses bound clients
    }
    if (PolicyStore.ceilingLost(client)) {
      // the implicit flow's token comes from the authorization endpoint (docs/adr/0029)
      throw new ClientPolicyException(
          OAuthErrorException.UNAUTHORIZED_CLIENT, PolicyStore.CEILING_LOST);
    }
    EffectivePolicy policy = PolicyStore.effectiveFor(client);
    if (policy == null) {
      return;
    }
    if (event == ClientPolicyEvent.AUTHORIZATION_REQUEST) {
      refuseOrReject(
          Scopes.split(
              ((AuthorizationRequestContext) context).getAuthorizationEndpointRequest().getScope()),
          policy);
    } else if (event == ClientPolicyEvent.DEVICE_AUTHORIZATION_REQUEST) {
      refuseOrReject(
          Scopes.split(((DeviceAuthorizationRequestContext) context).getRequest().getScope()),
          policy);
    } else {
      backchannel((BackchannelAuthenticationRequestContext) context, policy);
    }
  }

  /**
   * CIBA: Keycloak has added the client's default client scopes shown on consent screens to the
   * request's scope; what the policy does not grant of it all is left out of what the user's device
   * is asked to approve (and of what the token request later finds).
   */
  private static void backchannel(
      BackchannelAuthenticationRequestContext ciba, EffectivePolicy policy)
      throws ClientPolicyException {
    List<String> asked = Scopes.split(ciba.getRequest().getScope());
    refuseOrReject(asked, policy);
    List<String> withDefaults = Scopes.split(ciba.getParsedRequest().getScope());
    Set<String> granted =
        Set.copyOf(IssuanceDecision.decide(asked, withDefaults, Ceiling.NONE, policy).granted());
    ciba.getParsedRequest()
        .setScope(
            String.join(" ", withDefaults.stream().filter(granted::contains).distinct().toList()));
  }

  /** Throws where a token request with these scopes would be refused. */
  private static void refuseOrReject(List<String> asked, EffectivePolicy policy)
      throws ClientPolicyException {
    String refusal = IssuanceDecision.requestRefusal(asked);
    if (refusal != null) {
      throw new ClientPolicyException(OAuthErrorException.INVALID_SCOPE, refusal);
    }
    GrantResult decided = IssuanceDecision.decide(asked, List.of(), Ceiling.NONE, policy);
    if (IssuanceDecision.rejects(decided, policy)) {
      throw new ClientPolicyException(
          OAuthErrorException.INVALID_SCOPE,
          IssuanceDecision.REJECTED_DESCRIPTION + String.join(" ", decided.dropped()));
    }
  }
}
