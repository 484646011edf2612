package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.compat.RefreshTokenResigning;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics;
import io.github.policyscopes.keycloak.store.PolicyCache;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.token.GrantKind.Presented;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.IssuanceDecision.Tally;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Scopes;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.services.CorsErrorResponseException;

/**
 * Wraps one of Keycloak's grant types (docs/adr/0004-grant-wrapping.md,
 * docs/adr/0028-every-grant.md). For a client with no token policy it delegates untouched. For a
 * bound client it decides the requested scopes with the policy ({@link GrantKind} says where the
 * request is and what it may not exceed), hands Keycloak only the scopes Keycloak knows (it rejects
 * any other with {@code invalid_scope}), lets the stock grant run — the policy mapper then sets the
 * token's {@code scope} — and writes the same granted set into the token response.
 */
final class PolicyBoundGrantType extends DelegatingGrantType {

  /**
   * The event error of a refused scope: {@code invalid_scope}, as the OAuth error. Keycloak 26.7's
   * {@code Errors.INVALID_SCOPE} has the same value, but 26.4 has no such constant.
   */
  static final String INVALID_SCOPE_EVENT = OAuthErrorException.INVALID_SCOPE;

  /** Why a token Keycloak issued without running the client's policy is refused. */
  static final String POLICY_DID_NOT_RUN =
      "The client's token policy did not apply to this token: its client scope was left out of the"
          + " session; see the server log";

  private static final Logger LOG = Logger.getLogger(PolicyBoundGrantType.class);

  private final GrantKind kind;

  /** The grant type's id ({@code client_credentials}, …): a bounded metrics tag. */
  private final String grantType;

  /**
   * The realm-cache invalidations heard when Keycloak created this grant, before it authenticated
   * the client ({@link ClientFacts#of}); -1 (nothing kept) when the client was read before.
   */
  private final long heard;

  PolicyBoundGrantType(
      KeycloakSession session, OAuth2GrantType delegate, GrantKind kind, String grantType) {
    super(session, delegate);
    this.kind = kind;
    this.grantType = grantType;
    // Keycloak's token endpoint creates the grant before it reads the client; a grant created
    // after that (the UMA grant runs client_credentials inside itself, having read the client)
    // reads the client afresh and keeps nothing
    this.heard =
        session.getContext().getClient() != null || Issuance.served(session)
            ? -1
            : PolicyCache.heard(session);
  }

  @Override
  public Response process(Context context) {
    Issuance.markServed(session, grantType);
    ClientModel client = context.getClient();
    if (!KeycloakRuntime.active()) {
      try {
        refuseIfBoundOnThisKeycloak(context, client);
      } catch (CorsErrorResponseException refused) {
        count(client, IssuanceDecision.refused());
        throw refused;
      }
      return delegate.process(context);
    }
    if (client == null) {
      return delegate.process(context);
    }
    ClientFacts facts = ClientFacts.of(session, client, heard);
    if (facts.ceilingLost()) {
      // registered under a ceiling it no longer has, whatever else is bound to it (docs/adr/0029)
      count(client, IssuanceDecision.refused());
      throw unauthorizedClient(context, PolicyStore.CEILING_LOST);
    }
    Issuance.markCeilingChecked(session, client);
    EffectivePolicy policy = facts.policy();
    if (policy == null) {
      return delegate.process(context);
    }
    Issuance issuance =
        kind.scopeInRequest()
            ? requested(context, client, policy, facts)
            : Issuance.consented(facts, context.getEvent());
    issuance.attach(session, client);
    try {
      Response response = delegate.process(context);
      GrantResult result = issuance.result();
      if (result == null && response.getEntity() instanceof AccessTokenResponse) {
        // Keycloak left the policy's client scope out of the session (a role scope mapping on
        // it, a client policy narrowing the scopes): the token is stock, never handed out
        LOG.warnf(
            "%s of client %s: its token policy did not run (the policy's client scope was left"
                + " out of the session); refused",
            grantType, client.getClientId());
        count(client, IssuanceDecision.refused());
        throw unauthorizedClient(context, POLICY_DID_NOT_RUN);
      }
      if (result != null && response.getEntity() instanceof AccessTokenResponse tokenResponse) {
        tokenResponse.setScope(result.granted().isEmpty() ? null : result.scopeString());
        if (!KeycloakRuntime.tokenPostProcessors()) {
          RefreshTokenResigning.resign(session, tokenResponse, issuance::stamp);
        }
      }
      Tally tally = issuance.tally();
      if (tally != null) {
        count(client, tally);
      }
      return response;
    } finally {
      Issuance.detach(session);
    }
  }

  /**
   * A grant whose token request names the scopes: decided here, refused in reject mode, and the
   * form cut down to the granted scopes Keycloak knows.
   */
  private Issuance requested(
      Context context, ClientModel client, EffectivePolicy policy, ClientFacts facts) {
    MultivaluedMap<String, String> form = context.getFormParams();
    refuseDroppedScopeParameter(context, client, form);
    List<String> asked = Scopes.split(form.getFirst(OAuth2Constants.SCOPE));
    Presented presented = kind.presented(form);
    Ceiling ceiling = presented == null ? Ceiling.NONE : Ceiling.of(presented.grant());
    String refusal = IssuanceDecision.requestRefusal(asked);
    if (refusal != null) {
      throw refuse(context, client, refusal);
    }
    GrantResult decided = facts.decide(asked, List.of(), ceiling);
    if (IssuanceDecision.rejects(decided, policy)) {
      throw reject(context, client, decided.dropped());
    }
    List<String> requested = asked.isEmpty() && ceiling.isSet() ? ceiling.scopes() : asked;
    Issuance issuance =
        new Issuance(
            facts,
            requested,
            !asked.isEmpty(),
            ceiling,
            presented == null ? null : presented.expiry(),
            context.getEvent());
    keepOnlyKnownGrantedScopes(form, asked, decided.granted(), facts.knownScopes());
    return issuance;
  }

  /**
   * A {@code scope} parameter longer than {@link IssuanceDecision#MAX_SCOPE_PARAMETER} is refused.
   * Keycloak 26.7 silently drops one longer than its own limit before any grant runs (for a bound
   * client that would turn "these scopes" into "the default ones", and a narrowing refresh into
   * none); 26.4 passes any length on. Both end here as {@code invalid_scope}.
   */
  private void refuseDroppedScopeParameter(
      Context context, ClientModel client, MultivaluedMap<String, String> form) {
    String scope = form.getFirst(OAuth2Constants.SCOPE);
    boolean dropped = false;
    if (scope == null) {
      MultivaluedMap<String, String> sent =
          session.getContext().getHttpRequest().getDecodedFormParameters();
      dropped = sent != null && sent.containsKey(OAuth2Constants.SCOPE);
    }
    if (dropped || (scope != null && scope.length() > IssuanceDecision.MAX_SCOPE_PARAMETER)) {
      throw refuse(
          context,
          client,
          "The scope parameter is longer than the server accepts ("
              + IssuanceDecision.MAX_SCOPE_PARAMETER
              + " characters)");
    }
  }

  /**
   * A request refused whatever the policy says ({@code 400 invalid_scope} with {@code
   * description}): the scope parameter is too long, or asks for more or longer denies than {@link
   * IssuanceDecision#requestRefusal} allows. The event is sent as an error, as for reject mode.
   */
  private CorsErrorResponseException refuse(
      Context context, ClientModel client, String description) {
    context.getEvent().detail(Details.REASON, description);
    context.getEvent().error(INVALID_SCOPE_EVENT);
    count(client, IssuanceDecision.rejected(List.of()));
    return new CorsErrorResponseException(
        context.getCors(),
        OAuthErrorException.INVALID_SCOPE,
        description,
        Response.Status.BAD_REQUEST);
  }

  /**
   * Where the extension cannot run ({@link KeycloakRuntime#active}), a bound client gets a clear
   * refusal instead of a token its policy did not shape (docs/adr/0027); nobody else notices.
   */
  static void refuseIfBoundOnThisKeycloak(Context context, @Nullable ClientModel client) {
    if (client != null
        && (!PolicyStore.boundTo(client).isEmpty() || PolicyStore.registeredUnderCeiling(client))) {
      throw unauthorizedClient(context, KeycloakRuntime.refusal());
    }
  }

  /** {@code 400 unauthorized_client} with its reason, in the event too. */
  static CorsErrorResponseException unauthorizedClient(Context context, String description) {
    context.getEvent().detail(Details.REASON, description);
    context.getEvent().error(Errors.NOT_ALLOWED);
    return new CorsErrorResponseException(
        context.getCors(),
        OAuthErrorException.UNAUTHORIZED_CLIENT,
        description,
        Response.Status.BAD_REQUEST);
  }

  /**
   * Keycloak validates {@code scope} against the client's client scopes: leave it only the granted
   * scopes it knows (so that their mappers run), or nothing (so that it asks for no extra scope).
   */
  private static void keepOnlyKnownGrantedScopes(
      MultivaluedMap<String, String> form,
      List<String> asked,
      List<String> granted,
      Predicate<String> known) {
    if (asked.isEmpty()) {
      if (form.containsKey(OAuth2Constants.SCOPE)) {
        form.remove(OAuth2Constants.SCOPE); // stock Keycloak rejects an empty scope
      }
      return;
    }
    List<String> kept = new ArrayList<>(asked.size()); // per token: a loop, no stream
    for (String scope : asked) {
      if (granted.contains(scope) && known.test(scope) && !kept.contains(scope)) {
        kept.add(scope);
      }
    }
    if (kept.isEmpty()) {
      form.remove(OAuth2Constants.SCOPE);
      return;
    }
    String scope = String.join(" ", kept);
    List<String> sent = form.get(OAuth2Constants.SCOPE);
    if (sent == null || sent.size() != 1 || !scope.equals(sent.get(0))) {
      form.putSingle(OAuth2Constants.SCOPE, scope);
    }
  }

  /**
   * Reject mode: a {@code 400 invalid_scope} naming the dropped scopes, and the request's event
   * sent as an error with {@code error=invalid_scope}, the way Keycloak's own grants refuse scopes
   * (detail {@code reason}, then {@code error}), so Keycloak's {@code keycloak_user_events_total}
   * counts it.
   */
  private CorsErrorResponseException reject(
      Context context, ClientModel client, List<String> dropped) {
    String description = IssuanceDecision.REJECTED_DESCRIPTION + String.join(" ", dropped);
    context.getEvent().detail(Details.REASON, description);
    ScopeDetail.DROPPED.record(context.getEvent(), dropped);
    context.getEvent().error(INVALID_SCOPE_EVENT);
    count(client, IssuanceDecision.rejected(dropped));
    return new CorsErrorResponseException(
        context.getCors(),
        OAuthErrorException.INVALID_SCOPE,
        description,
        Response.Status.BAD_REQUEST);
  }

  /** Counts one request of a bound client, issued or refused ({@link PolicyMetrics#issuance}). */
  private void count(@Nullable ClientModel client, Tally tally) {
    count(session, grantType, client, tally);
  }

  /**
   * Counts one token request of {@code client} (a client bound to a policy, or one the request was
   * refused for): the grant wrappers and the policy mapper count their every answer here.
   */
  static void count(
      KeycloakSession session, String grantType, @Nullable ClientModel client, Tally tally) {
    if (client == null || !PolicyMetrics.enabled()) {
      return;
    }
    PolicyMetrics.issuance(
        session.getContext().getRealm().getName(), grantType, client.getClientId(), tally);
  }
}
