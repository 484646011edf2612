package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.ClaimPlan;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.ClientScopeGrant;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenResponseMapper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.representations.AccessToken;

/**
 * Claims follow scopes (invariant I4 of docs/contract.md): takes out of a token what the client
 * scopes the policy dropped contributed. Keycloak runs the mappers of every default client scope of
 * a client whatever the policy says, and the client session context that picks them is rebuilt in
 * every path (token request, refresh, userinfo, introspection), with no hook to remove a scope. The
 * policy mapper sits in that context for every bound client and runs last, so it calls this class,
 * which:
 *
 * <ol>
 *   <li>finds the dropped client scopes of the context: every one the policy decides (all but
 *       Keycloak's infrastructure, {@link SessionScopes#infrastructure}) that is not granted, by
 *       the one rule of {@link ClientScopeGrant};
 *   <li>takes the plan for this kind of token and these mappers ({@link ClaimPlans}: made once per
 *       set of Keycloak's cached mapper models, from where each mapper can write, {@link
 *       MapperClaims}), in which the pure {@link ClaimPlan} decided: a path only dropped mappers
 *       can write is removed outright; only the mappers whose output is unknown or whose path meets
 *       the kept side (or {@code aud}, which the policy mapper writes too) run again, on scratch
 *       tokens ({@link ScratchTokens});
 *   <li>removes from the real token ({@link TokenClaims}, one claim at a time, no serialization of
 *       the whole token), value by value ({@link io.github.policyscopes.policy.ClaimDiff}), what
 *       the dropped mappers wrote and the kept ones did not: the same tokens as running every
 *       mapper again (ADR 0010), property-tested in {@code ClaimPlanPropertiesTest}.
 * </ol>
 *
 * <p>Whether a scope has a {@code scope} entry ({@code include.in.token.scope}) does not matter: an
 * optional scope without one is dropped like any other when the policy does not grant it. Only the
 * default client scopes without one ({@code basic}, {@code roles}, {@code web-origins}, {@code
 * acr}, {@code service_account}, the policies themselves) are Keycloak's infrastructure and never
 * dropped. See docs/adr/0010, 0023, 0034 and 0038.
 */
final class ClaimFilter {

  private static final Logger LOG = Logger.getLogger(ClaimFilter.class);

  /**
   * Claims Keycloak sets before any mapper runs: the scratch tokens start with them, so that a
   * mapper reading them behaves as in the real run, and they never count as a contribution.
   */
  static final Set<String> BASE_CLAIMS =
      Set.of(
          "jti",
          "exp",
          "nbf",
          "iat",
          "iss",
          "sub",
          "typ",
          "azp",
          "nonce",
          "sid",
          "session_state",
          "auth_time",
          "scope",
          "cnf");

  /** The token kinds, each with the mapper interface Keycloak runs for it. */
  enum Kind {
    ACCESS(OIDCAccessTokenMapper.class),
    ID(OIDCIDTokenMapper.class),
    USERINFO(UserInfoTokenMapper.class),
    INTROSPECTION(TokenIntrospectionTokenMapper.class),
    RESPONSE(OIDCAccessTokenResponseMapper.class);

    final Class<?> mapperType;

    Kind(Class<?> mapperType) {
      this.mapperType = mapperType;
    }
  }

  private ClaimFilter() {}

  /**
   * Filters an access token while it is issued.
   *
   * @param granted the granted set the policy mapper just computed for this token
   */
  static void accessToken(
      AccessToken token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx,
      List<String> granted) {
    filter(Kind.ACCESS, token, session, userSession, ctx, granted);
  }

  /**
   * Filters a token built after the access token (an ID token, a userinfo or introspection
   * response, the extra claims of the token response body) by what the policies grant now.
   *
   * @param kind which token this is: it picks the mappers that write into it
   * @return the same token
   */
  static <T> T afterIssuance(
      Kind kind,
      T token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    // most contexts have no mapper of a scope the policy can drop that writes the token response
    // (or a userinfo or introspection one): then there is nothing to decide, nor to filter
    if (token == null
        || !SessionScopes.read(session, ctx)
            .governedWrite(kind, type -> ClaimPlans.provider(session, type))) {
      return token;
    }
    filter(kind, token, session, userSession, ctx, grantedNow(session, ctx));
    return token;
  }

  // ---- which client scopes are granted ----

  /**
   * In a token request, the granted set of the access token just issued; elsewhere (userinfo,
   * introspection, an ID token from the authorization endpoint), what the client's policies grant
   * now of the scopes of the context (the same decision as for the access token). Null when no
   * policy governs the client: nothing is filtered.
   */
  private static @Nullable List<String> grantedNow(
      KeycloakSession session, ClientSessionContext ctx) {
    Issuance issuance = Issuance.current(session);
    if (issuance != null && !issuance.isFor(ctx.getClientSession().getClient())) {
      issuance = null; // a token of another client in the same request: its own policy decides
    }
    GrantResult decided = issuance == null ? null : issuance.result();
    if (decided != null) {
      return decided.granted();
    }
    EffectivePolicy policy = issuance != null ? issuance.policy() : policyOf(ctx);
    if (policy == null) {
      return null;
    }
    Set<String> candidates = new LinkedHashSet<>(Scopes.split(ctx.getScopeString()));
    candidates.addAll(SessionScopes.read(session, ctx).governedNames());
    return IssuanceDecision.decide(List.of(), candidates, Ceiling.NONE, policy).granted();
  }

  private static @Nullable EffectivePolicy policyOf(ClientSessionContext ctx) {
    return PolicyStore.effectiveFor(ctx.getClientSession().getClient());
  }

  /**
   * The client scopes of the context that {@code granted} does not grant (by the one rule of {@link
   * ClientScopeGrant}), and the key of their mappers' plans: asked once per context and granted
   * set, as the access token, the ID token and the response body of one request are filtered by the
   * same set, and kept with what the context read ({@link ContextScopes#dropped}).
   */
  private static ContextScopes.Dropped dropped(
      KeycloakSession session, ClientSessionContext ctx, Filtered filtered, List<String> granted) {
    ContextScopes.Dropped known = filtered.dropped;
    if (known != null && known.granted().equals(granted)) {
      return known;
    }
    ContextScopes.Dropped dropped = SessionScopes.read(session, ctx).dropped(granted);
    ClaimPlans.Key key = dropped.plans();
    filtered.dropped = dropped;
    filtered.plans = key == null ? null : ClaimPlans.of(key);
    return dropped;
  }

  /**
   * What was filtered in one context: the tokens (several policy mappers may run for each) and the
   * last {@link #dropped} answer with its plans. A context attribute.
   */
  private static final class Filtered {
    private final List<Object> tokens = new ArrayList<>(2);
    private ContextScopes.@Nullable Dropped dropped;
    private ClaimPlans.@Nullable Plans plans;

    /** Whether {@code token} is filtered here for the first time (by identity). */
    boolean firstTime(Object token) {
      for (Object done : tokens) {
        if (done == token) {
          return false;
        }
      }
      tokens.add(token);
      return true;
    }
  }

  /** The context attribute holding the context's {@link Filtered}. */
  private static final String FILTERED = ClaimFilter.class.getName() + ".filtered";

  // ---- the filter ----

  private static void filter(
      Kind kind,
      @Nullable Object token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx,
      @Nullable List<String> granted) {
    if (granted == null || token == null) {
      return;
    }
    Filtered filtered = ctx.getAttribute(FILTERED, Filtered.class);
    if (filtered == null) {
      filtered = new Filtered();
      ctx.setAttribute(FILTERED, filtered);
    }
    if (!filtered.firstTime(token)) {
      return;
    }
    ContextScopes.Dropped dropped = dropped(session, ctx, filtered, granted);
    ClaimPlans.Plans plans = filtered.plans;
    if (plans == null) {
      return;
    }
    ClaimPlans.Planned planned = plans.of(kind, session);
    if (planned.plan().isEmpty()) {
      return;
    }
    TokenClaims claims = new TokenClaims(token);
    ScratchTokens scratch =
        new ScratchTokens(kind, token, claims, planned.running(), session, userSession, ctx);
    Set<String> changed = planned.plan().apply(claims, scratch::contribution);
    if (LOG.isDebugEnabled()) {
      LOG.debugf(
          "Claims of dropped client scopes %s removed from the %s: %s (ran %d mappers again)",
          dropped.scopes(), kind, changed, scratch.ran());
    }
  }
}
