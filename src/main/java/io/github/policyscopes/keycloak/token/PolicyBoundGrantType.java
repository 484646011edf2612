package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics;
import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.IssuanceDecision.Outcome;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.events.Details;
import org.keycloak.events.Errors;
import org.keycloak.events.EventType;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.grants.OAuth2GrantType;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.RefreshToken;
import org.keycloak.services.CorsErrorResponseException;
import org.keycloak.services.clientpolicy.ClientPolicyException;

/**
 * Wraps one of Keycloak's grant types. For a client with no token policy it delegates untouched.
 * For a bound client it decides the requested scopes with the policy, hands Keycloak only the
 * scopes Keycloak knows (it rejects any other with {@code invalid_scope}), lets the stock grant run
 * — the policy mapper then sets the token's {@code scope} — and writes the same granted set into
 * the token response.
 */
final class PolicyBoundGrantType implements OAuth2GrantType {

  private static final Logger LOG = Logger.getLogger(PolicyBoundGrantType.class);

  /** Where a grant finds the original grant that a new token may not exceed. */
  enum Kind {
    /** client_credentials, password: the request's {@code scope}. */
    DIRECT,
    /** authorization_code: the scopes the authorization endpoint accepted; no form scope. */
    CODE,
    /** refresh_token: at most the refresh token's grant. */
    REFRESH,
    /** token exchange: at most the subject token's grant, never past its expiry. */
    EXCHANGE,
    /**
     * UMA ticket: not available to policy-bound or handed-over clients
     * (docs/adr/0011-other-grants-and-uma.md, docs/adr/0022-a-clients-reach-is-derived.md).
     */
    REFUSED
  }

  /**
   * The claim of a refresh token issued to a bound client that holds the grant a refresh may not
   * exceed. Keycloak's own {@code scope} of a refresh token is its client-scope bookkeeping, never
   * a ceiling.
   */
  static final String GRANT_CLAIM = "policy_grant";

  /**
   * The claim of a refresh token issued with an exchanged token: the subject token's expiry, which
   * no token refreshed from it may pass.
   */
  static final String NOT_AFTER_CLAIM = "policy_not_after";

  /**
   * The event error of a refused scope: {@code invalid_scope}, as the OAuth error. Keycloak 26.7's
   * {@code Errors.INVALID_SCOPE} has the same value, but 26.4 has no such constant.
   */
  static final String INVALID_SCOPE_EVENT = OAuthErrorException.INVALID_SCOPE;

  private final KeycloakSession session;
  private final OAuth2GrantType delegate;
  private final Kind kind;

  /** The grant type's id ({@code client_credentials}, …): a bounded metrics tag. */
  private final String grantType;

  PolicyBoundGrantType(
      KeycloakSession session, OAuth2GrantType delegate, Kind kind, String grantType) {
    this.session = session;
    this.delegate = delegate;
    this.kind = kind;
    this.grantType = grantType;
  }

  @Override
  public Response process(Context context) {
    if (kind == Kind.REFUSED) {
      return processRefused(context); // needs nothing of Keycloak the extension probes
    }
    if (!KeycloakRuntime.active()) {
      refuseIfBoundOnThisKeycloak(context, context.getClient());
      return delegate.process(context);
    }
    ClientModel client = context.getClient();
    Map<String, ClientScopeModel> defaultScopes =
        client == null ? Map.of() : client.getClientScopes(true);
    EffectivePolicy policy =
        client == null ? null : PolicyStore.effectiveFor(client, defaultScopes);
    if (policy == null) {
      return delegate.process(context);
    }
    MultivaluedMap<String, String> form = context.getFormParams();
    refuseDroppedScopeParameter(context, client, form);
    String scopeParam = form.getFirst(OAuth2Constants.SCOPE);
    List<String> asked = Scopes.split(scopeParam);
    Presented presented = presented(form);
    Ceiling ceiling = presented == null ? Ceiling.NONE : Ceiling.of(presented.grant());
    List<String> requested = asked.isEmpty() && ceiling.isSet() ? ceiling.scopes() : asked;

    Issuance issuance;
    if (kind == Kind.CODE) {
      issuance =
          new Issuance(
              policy,
              defaultScopes.keySet(),
              List.of(),
              false,
              Ceiling.NONE,
              null,
              context.getEvent());
    } else {
      String refusal = IssuanceDecision.requestRefusal(asked);
      if (refusal != null) {
        throw refuse(context, client, refusal);
      }
      GrantResult decided = IssuanceDecision.decide(asked, List.of(), ceiling, policy);
      if (IssuanceDecision.rejects(decided, policy)) {
        throw reject(context, client, decided.dropped());
      }
      keepOnlyKnownGrantedScopes(form, client, defaultScopes, asked, decided.granted());
      issuance =
          new Issuance(
              policy,
              defaultScopes.keySet(),
              requested,
              !asked.isEmpty(),
              ceiling,
              presented == null ? null : presented.expiry(),
              context.getEvent());
    }

    issuance.attach(session);
    try {
      Response response = delegate.process(context);
      GrantResult result = issuance.result();
      if (result != null && response.getEntity() instanceof AccessTokenResponse tokenResponse) {
        tokenResponse.setScope(result.granted().isEmpty() ? null : result.scopeString());
        if (!KeycloakRuntime.tokenPostProcessors()) {
          stampRefreshToken(tokenResponse, issuance);
        }
      }
      if (result != null) {
        count(client, IssuanceDecision.outcome(result), result.dropped().size());
      }
      return response;
    } finally {
      Issuance.detach(session);
    }
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
    count(client, Outcome.REJECTED, 0);
    return new CorsErrorResponseException(
        context.getCors(),
        OAuthErrorException.INVALID_SCOPE,
        description,
        Response.Status.BAD_REQUEST);
  }

  /**
   * UMA tickets are not wrapped: a request is refused before anything is issued when any client it
   * involves is bound to a policy or handed over to the config API: the authenticated client, the
   * client of the bearer token or of a {@code subject_token} (the token the ticket is exchanged
   * for; the requesting party token names its client), the client the request names. Should the
   * grant still end with such a client, its answer is refused.
   */
  private Response processRefused(Context context) {
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

  private @Nullable String bearer() {
    String header =
        session.getContext().getRequestHeaders().getHeaderString(HttpHeaders.AUTHORIZATION);
    return header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? null
        : header.substring(7).trim();
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
    String header =
        session.getContext().getRequestHeaders().getHeaderString(HttpHeaders.AUTHORIZATION);
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

  /**
   * Before Keycloak 26.6 no token post-processor can reach the refresh token before it is signed:
   * decode the one Keycloak signed, stamp it as the post-processor would, and sign it again with
   * the realm's key for refresh tokens. Its id, session and expiry stay Keycloak's.
   */
  private void stampRefreshToken(AccessTokenResponse tokenResponse, Issuance issuance) {
    String encoded = tokenResponse.getRefreshToken();
    if (encoded == null) {
      return;
    }
    RefreshToken refreshToken = session.tokens().decode(encoded, RefreshToken.class);
    if (refreshToken == null) {
      LOG.warn("could not read the refresh token Keycloak just issued: left as issued");
      return;
    }
    Long exp = refreshToken.getExp();
    if (issuance.stamp(refreshToken)) {
      tokenResponse.setRefreshToken(session.tokens().encode(refreshToken));
      Long capped = refreshToken.getExp();
      if (capped != null && !capped.equals(exp) && refreshToken.getIat() != null) {
        tokenResponse.setRefreshExpiresIn(Math.max(0, capped - refreshToken.getIat()));
      }
    }
  }

  /**
   * Where the extension cannot run ({@link KeycloakRuntime#active}), a bound client gets a clear
   * refusal instead of a token its policy did not shape (docs/adr/0027); nobody else notices.
   */
  static void refuseIfBoundOnThisKeycloak(Context context, @Nullable ClientModel client) {
    if (client != null && !PolicyStore.boundTo(client).isEmpty()) {
      refuse(context, KeycloakRuntime.refusal());
    }
  }

  /**
   * A requesting party token is issued with the resource server's scope but names the client of the
   * token presented ({@code azp}): through a client the config API manages, it would carry roles
   * that client's own scope does not hold (docs/adr/0022-a-clients-reach-is-derived.md). So bound
   * and handed-over clients are refused alike.
   */
  private static void refuseIfBound(Context context, @Nullable ClientModel client) {
    if (client != null
        && (!PolicyStore.boundTo(client).isEmpty() || HandOver.isHandedOver(client))) {
      refuse(
          context,
          "UMA tickets are not available to clients bound to a token policy or managed by the"
              + " config API");
    }
  }

  /** {@code 400 unauthorized_client} with its reason, in the event too. */
  private static void refuse(Context context, String description) {
    context.getEvent().detail(Details.REASON, description);
    context.getEvent().error(Errors.NOT_ALLOWED);
    throw new CorsErrorResponseException(
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
      ClientModel client,
      Map<String, ClientScopeModel> defaultScopes,
      List<String> asked,
      List<String> granted) {
    if (asked.isEmpty()) {
      if (form.containsKey(OAuth2Constants.SCOPE)) {
        form.remove(OAuth2Constants.SCOPE); // stock Keycloak rejects an empty scope
      }
      return;
    }
    List<String> kept =
        asked.stream()
            .filter(
                KnownScopes.of(
                    client.getRealm(), client, defaultScopes, client.getClientScopes(false)))
            .filter(granted::contains)
            .distinct()
            .toList();
    if (kept.isEmpty()) {
      form.remove(OAuth2Constants.SCOPE);
    } else {
      form.putSingle(OAuth2Constants.SCOPE, String.join(" ", kept));
    }
  }

  /** What a refresh or exchange presents: the grant it may not exceed, and when it expires. */
  record Presented(List<String> grant, @Nullable Long expiry) {}

  /**
   * The grant a refreshed or exchanged token may not exceed, read from the presented token, or null
   * for a first issuance. It is read before Keycloak verifies that token; if the token is not
   * valid, Keycloak refuses the request and nothing read here is used. A refresh token's ceiling is
   * its {@value #GRANT_CLAIM} claim; one without it (issued before the client was bound) yields its
   * plain scopes at most, never a config scope; an unreadable token yields nothing.
   */
  private @Nullable Presented presented(MultivaluedMap<String, String> form) {
    if (kind != Kind.REFRESH && kind != Kind.EXCHANGE) {
      return null;
    }
    String token =
        form.getFirst(
            kind == Kind.REFRESH ? OAuth2Constants.REFRESH_TOKEN : OAuth2Constants.SUBJECT_TOKEN);
    if (token == null) {
      return new Presented(List.of(), null);
    }
    try {
      if (kind == Kind.EXCHANGE) {
        AccessToken subject = new JWSInput(token).readJsonContent(AccessToken.class);
        return new Presented(Scopes.split(subject.getScope()), subject.getExp());
      }
      RefreshToken refresh = new JWSInput(token).readJsonContent(RefreshToken.class);
      Object grant = refresh.getOtherClaims().get(GRANT_CLAIM);
      Object notAfter = refresh.getOtherClaims().get(NOT_AFTER_CLAIM);
      Long expiry = notAfter instanceof Number n ? n.longValue() : null;
      if (grant instanceof String granted) {
        return new Presented(Scopes.split(granted), expiry);
      }
      if (grant != null) {
        // not what this extension writes: read as a token without the claim (fail closed)
        LOG.debugf(
            "refresh token's %s claim is not a string (%s): ignored, plain scopes only",
            GRANT_CLAIM, grant.getClass().getSimpleName());
      }
      List<String> plainOnly =
          Scopes.split(refresh.getScope()).stream()
              .filter(s -> !Scope.isConfigScopeSyntax(s))
              .toList();
      return new Presented(plainOnly, expiry);
    } catch (JWSInputException | RuntimeException unreadable) {
      LOG.debugf("unreadable %s token: nothing to inherit (%s)", kind, unreadable.toString());
      return new Presented(List.of(), null); // fail closed: nothing to inherit
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
    String description =
        "Scopes not allowed by the client's token policy: " + String.join(" ", dropped);
    context.getEvent().detail(Details.REASON, description);
    context.getEvent().detail(Issuance.DROPPED_DETAIL, String.join(" ", dropped));
    context.getEvent().detail(Issuance.DROPPED_COUNT_DETAIL, String.valueOf(dropped.size()));
    context.getEvent().error(INVALID_SCOPE_EVENT);
    count(client, Outcome.REJECTED, dropped.size());
    return new CorsErrorResponseException(
        context.getCors(),
        OAuthErrorException.INVALID_SCOPE,
        description,
        Response.Status.BAD_REQUEST);
  }

  private void count(ClientModel client, Outcome outcome, int dropped) {
    if (!PolicyMetrics.enabled()) {
      return;
    }
    PolicyMetrics.issuance(
        session.getContext().getRealm().getName(),
        grantType,
        client.getClientId(),
        outcome,
        dropped);
  }

  @Override
  public EventType getEventType() {
    return delegate.getEventType();
  }

  @Override
  public Set<String> getSupportedMultivaluedRequestParameters() {
    return delegate.getSupportedMultivaluedRequestParameters();
  }

  @Override
  public Set<String> getTokenParameterNames() {
    return delegate.getTokenParameterNames();
  }

  @Override
  public void preProcess(KeycloakSession session, MultivaluedMap<String, String> formParams)
      throws ClientPolicyException {
    delegate.preProcess(session, formParams);
  }

  @Override
  public boolean isTokenAllowed(KeycloakSession session, AccessToken token) {
    return delegate.isTokenAllowed(session, token);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
