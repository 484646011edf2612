package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.ClaimPlan;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.scope.ClientScopeGrant;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
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
 *   <li>describes every mapper of the context that writes into this kind of token ({@link
 *       MapperClaims}: the claim paths it can write, or unknown) and lets the pure {@link
 *       ClaimPlan} decide: a path only dropped mappers can write is removed outright; only the
 *       mappers whose output is unknown or whose path meets the kept side (or {@code aud}, which
 *       the policy mapper writes too) run again, on scratch tokens ({@link ScratchTokens});
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
 * dropped. See docs/adr/0010, 0023 and 0034.
 */
final class ClaimFilter {

  private static final Logger LOG = Logger.getLogger(ClaimFilter.class);

  /** The token objects already filtered in this request (several policy mappers may run). */
  private static final String DONE = ClaimFilter.class.getName() + ".done";

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

  /**
   * Claims something other than the context's mappers writes too: the policy mapper adds the client
   * itself as an audience. A dropped mapper's value there is taken out value by value.
   */
  private static final Set<String> SHARED = Set.of("aud");

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
      Collection<String> granted) {
    filter(Kind.ACCESS, token, session, userSession, ctx, grantedBy(session, ctx, granted));
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
  private static @Nullable Predicate<String> grantedNow(
      KeycloakSession session, ClientSessionContext ctx) {
    Issuance issuance = Issuance.current(session);
    if (issuance != null && issuance.result() != null) {
      return grantedBy(session, ctx, issuance.result().granted());
    }
    EffectivePolicy policy = issuance != null ? issuance.policy() : policyOf(ctx);
    if (policy == null) {
      return null;
    }
    Set<String> candidates = new LinkedHashSet<>(Scopes.split(ctx.getScopeString()));
    SessionScopes.governed(ctx).forEach(s -> candidates.add(s.getName()));
    List<String> granted =
        IssuanceDecision.decide(List.of(), candidates, Ceiling.NONE, policy).granted();
    return grantedBy(session, ctx, granted);
  }

  private static @Nullable EffectivePolicy policyOf(ClientSessionContext ctx) {
    return PolicyStore.effectiveFor(ctx.getClientSession().getClient());
  }

  /** Whether a client scope is granted: the one rule of {@link ClientScopeGrant}. */
  private static Predicate<String> grantedBy(
      KeycloakSession session, ClientSessionContext ctx, Collection<String> granted) {
    return SessionScopes.grant(session, ctx, granted)::grants;
  }

  // ---- the filter ----

  private static void filter(
      Kind kind,
      @Nullable Object token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx,
      @Nullable Predicate<String> granted) {
    if (granted == null || token == null || !firstTime(session, token)) {
      return;
    }
    List<ClientScopeModel> droppedScopes =
        SessionScopes.governed(ctx).stream().filter(s -> !granted.test(s.getName())).toList();
    if (droppedScopes.isEmpty()) {
      return;
    }
    String protocol =
        Objects.requireNonNullElse(
            ctx.getClientSession().getClient().getProtocol(), OIDCLoginProtocol.LOGIN_PROTOCOL);
    Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running = new HashMap<>();
    List<ProtocolMapperModel> droppedModels =
        droppedScopes.stream()
            .flatMap(ClientScopeModel::getProtocolMappersStream)
            .filter(m -> protocol.equals(m.getProtocol()))
            .toList();
    List<ClaimPlan.Mapper> dropped = new ArrayList<>();
    droppedModels.forEach(m -> describe(kind, m, session, running, dropped));
    if (dropped.isEmpty()) {
      return;
    }
    Set<String> droppedIds =
        droppedModels.stream().map(ProtocolMapperModel::getId).collect(Collectors.toSet());
    List<ClaimPlan.Mapper> kept = new ArrayList<>();
    ctx.getProtocolMappersStream()
        .filter(m -> !droppedIds.contains(m.getId()))
        .forEach(m -> describe(kind, m, session, running, kept));
    ClaimPlan plan = ClaimPlan.of(dropped, kept, SHARED, BASE_CLAIMS);
    if (plan.isEmpty()) {
      return;
    }
    TokenClaims claims = new TokenClaims(token);
    ScratchTokens scratch =
        new ScratchTokens(kind, token, claims, running, session, userSession, ctx);
    Set<String> changed = plan.apply(claims, scratch::contribution);
    if (LOG.isDebugEnabled()) {
      LOG.debugf(
          "Claims of dropped client scopes %s removed from the %s: %s (ran %d mappers again)",
          droppedScopes.stream().map(ClientScopeModel::getName).toList(),
          kind,
          changed,
          scratch.ran());
    }
  }

  /**
   * Adds a mapper that writes into this kind of token, as the plan sees it, and remembers how to
   * run it; skips the policy mappers, disabled ones and those that do not run for this kind.
   */
  private static void describe(
      Kind kind,
      ProtocolMapperModel model,
      KeycloakSession session,
      Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running,
      List<ClaimPlan.Mapper> into) {
    if (PolicyStore.isPolicyMapper(model) || !ProtocolMapperUtils.isEnabled(session, model)) {
      return;
    }
    ProtocolMapper mapper =
        (ProtocolMapper)
            session
                .getKeycloakSessionFactory()
                .getProviderFactory(ProtocolMapper.class, model.getProtocolMapper());
    if (!kind.mapperType.isInstance(mapper)) {
      return;
    }
    ClaimPlan.Mapper described = MapperClaims.describe(kind, model, mapper);
    if (described != null) {
      running.put(model.getId(), Map.entry(model, mapper));
      into.add(described);
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean firstTime(KeycloakSession session, Object token) {
    Set<Object> done = (Set<Object>) session.getAttribute(DONE);
    if (done == null) {
      done = Collections.newSetFromMap(new IdentityHashMap<>());
      session.setAttribute(DONE, done);
    }
    return done.add(token);
  }
}
