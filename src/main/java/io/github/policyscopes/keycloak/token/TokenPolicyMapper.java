package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.ProviderMessages;
import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.store.PolicyConfig;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.store.PolicyWarnings;
import io.github.policyscopes.keycloak.token.ClaimFilter.Kind;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.PolicyValidator.FieldError;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Scopes;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.OAuthErrorException;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperContainerModel;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.SessionExpirationUtils;
import org.keycloak.protocol.ProtocolMapperConfigException;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenResponseMapper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.IDToken;
import org.keycloak.services.ErrorResponseException;

/**
 * The token policy as Keycloak sees it: a protocol mapper whose config is the policy. It runs for
 * exactly the clients the policy is bound to, in every flow, and sets the access token's {@code
 * scope} claim to the granted set, its lifetime, and the client itself as an audience (so that the
 * client can introspect its own tokens).
 */
public final class TokenPolicyMapper extends AbstractOIDCProtocolMapper
    implements OIDCAccessTokenMapper,
        OIDCIDTokenMapper,
        UserInfoTokenMapper,
        TokenIntrospectionTokenMapper,
        OIDCAccessTokenResponseMapper {

  /**
   * Message key of the validation error. Keycloak resolves it from the theme's {@code messages}
   * bundle, which includes this JAR's {@code theme-resources/messages/messages_en.properties}.
   */
  static final String INVALID_POLICY_KEY = "pbs.invalidPolicy";

  static final String DISPLAY_TYPE_KEY = "pbs.mapper.displayType";
  static final String HELP_TEXT_KEY = "pbs.mapper.help";

  /**
   * Runs after every other mapper (Keycloak's own use at most a few dozen): the granted set and the
   * claims of dropped scopes are settled last.
   */
  static final int PRIORITY = 100_000;

  @Override
  public String getId() {
    return PolicyStore.MAPPER_PROVIDER_ID;
  }

  @Override
  public String getDisplayType() {
    // the console shows a mapper's display type as it is: resolve the key here
    return ProviderMessages.text(DISPLAY_TYPE_KEY);
  }

  @Override
  public String getDisplayCategory() {
    return TOKEN_MAPPER_CATEGORY;
  }

  @Override
  public String getHelpText() {
    return ProviderMessages.text(HELP_TEXT_KEY);
  }

  @Override
  public List<ProviderConfigProperty> getConfigProperties() {
    return PolicyConfig.PROPERTIES;
  }

  @Override
  public int getPriority() {
    return PRIORITY;
  }

  @Override
  public void validateConfig(
      KeycloakSession session,
      RealmModel realm,
      ProtocolMapperContainerModel container,
      ProtocolMapperModel mapper)
      throws ProtocolMapperConfigException {
    PolicyConfig config = PolicyConfig.read(mapper.getConfig());
    List<FieldError> errors = new ArrayList<>(config.problems());
    if (container instanceof ClientModel client
        && (client.isPublicClient() || client.isBearerOnly())
        && config.hasConfigGrant()) {
      errors.add(
          new FieldError(
              "allowedScopes", "config grants are for confidential clients only, not public ones"));
    }
    if (!errors.isEmpty()) {
      throw ConsoleErrors.invalidPolicy(errors);
    }
    // the console cannot show a warning on save, nor compute one on its page: the warnings as of
    // this save go into the mapper's own config, which its page shows (docs/adr/0032)
    List<String> warnings =
        container instanceof ClientScopeModel scope
            ? PolicyWarnings.forConsole(
                session, realm, scope, config, PolicyStore.mapperCountAfterSaving(scope, mapper))
            : PolicyWarnings.of(config, 1);
    Map<String, String> stored =
        mapper.getConfig() == null ? new HashMap<>() : new HashMap<>(mapper.getConfig());
    stored.put(PolicyConfig.WARNINGS, PolicyConfig.warningsText(warnings));
    mapper.setConfig(stored);
  }

  /**
   * Bypasses the access-token/lightweight switches of the base class on purpose: a policy always
   * applies to the tokens of the clients it is bound to.
   */
  @Override
  public AccessToken transformAccessToken(
      AccessToken token,
      ProtocolMapperModel mapper,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext clientSessionCtx) {
    if (!KeycloakRuntime.active()) {
      // a grant the wrapper does not see (device, CIBA, …) on a Keycloak the extension cannot
      // run on: no token without its policy (docs/adr/0027)
      countRefused(session, clientSessionCtx.getClientSession().getClient());
      throw new ErrorResponseException(
          OAuthErrorException.UNAUTHORIZED_CLIENT,
          KeycloakRuntime.refusal(),
          Response.Status.BAD_REQUEST);
    }
    ClientModel client = clientSessionCtx.getClientSession().getClient();
    Issuance issuance = Issuance.current(session);
    if (issuance != null && !issuance.isFor(client)) {
      // a token of another client in the same request (a legacy exchange to another client):
      // that client's own policy decides it, on the scopes Keycloak gave it
      issuance = null;
    }
    EffectivePolicy policy = issuance != null ? issuance.policy() : policyOf(client);
    if (policy == null) {
      return token; // e.g. the admin console's token preview of an unbound client
    }
    if (issuance == null) {
      refuseGrantNotServed(session, client);
    }
    ContextScopes read = SessionScopes.read(session, clientSessionCtx);
    TokenOutcome outcome;
    if (issuance == null) {
      outcome = TokenOutcome.of(decide(token.getScope(), read, null, policy), null);
    } else {
      // the same shape of request in a context read alike is decided alike: decided once, kept;
      // only the first policy mapper's (a second one sees the scope the first one set, and would
      // take the other kept outcome's place every time)
      TokenOutcome.Shape shape =
          issuance.result() == null ? issuance.shape(token.getScope()) : null;
      TokenOutcome kept = shape == null ? null : read.outcomes().get(shape);
      if (kept != null) {
        outcome = kept;
      } else {
        GrantResult result = decide(token.getScope(), read, issuance, policy);
        outcome = TokenOutcome.of(result, issuance.tally(result));
        if (shape != null && outcome.estimatedBytes(shape) <= TokenOutcome.MAX_KEPT_BYTES) {
          read.outcomes().keep(shape, outcome);
        }
      }
    }
    ClaimFilter.accessToken(
        token, session, userSession, clientSessionCtx, outcome.result().granted());
    token.setScope(outcome.scope());
    token.exp(expiry(token, policy, issuance, userSession, clientSessionCtx));
    if (!token.hasAudience(client.getClientId())) {
      token.addAudience(client.getClientId());
    }
    if (issuance != null) {
      issuance.record(outcome);
    }
    return token;
  }

  /**
   * The access token's decision, when Keycloak put {@code keycloakScope} into it and its context
   * reads as {@code read}: the request's scopes ({@code issuance}'s, none outside a token request)
   * decided by the one {@code IssuanceDecision} against the scopes Keycloak gives the token.
   */
  private static GrantResult decide(
      @Nullable String keycloakScope,
      ContextScopes read,
      @Nullable Issuance issuance,
      EffectivePolicy policy) {
    Ceiling ceiling = issuance == null ? Ceiling.NONE : issuance.ceiling();
    // what Keycloak puts into the token: the scopes it lists, and the optional ones it does not
    // list (include.in.token.scope=false) but whose mappers run all the same
    Set<String> inToken = new LinkedHashSet<>(Scopes.split(keycloakScope));
    inToken.addAll(read.unlisted());
    List<String> requested =
        issuance == null ? List.of() : keptByKeycloak(issuance.requested(), inToken, issuance);
    List<String> keycloakScopes = List.copyOf(inToken);
    if (issuance != null && issuance.explicit()) {
      // Keycloak was handed only part of the request (or none of it, and then re-grants what the
      // refreshed or exchanged token had): count only what was asked and the default client scopes
      Set<String> defaults = issuance.defaultScopes();
      List<String> counted = new ArrayList<>(inToken.size()); // per token: a loop, no stream
      for (String scope : inToken) {
        if (requested.contains(scope) || defaults.contains(scope)) {
          counted.add(scope);
        }
      }
      keycloakScopes = counted;
    }
    GrantResult result =
        issuance != null
            ? issuance.decide(requested, keycloakScopes, ceiling)
            : IssuanceDecision.decide(requested, keycloakScopes, ceiling, policy);
    if (issuance != null && requested.size() < issuance.requested().size()) {
      // asked for, and left out by Keycloak: dropped, as the event and the metrics say
      List<String> dropped = new ArrayList<>(result.dropped());
      for (String scope : issuance.requested()) {
        if (!requested.contains(scope) && !dropped.contains(scope)) {
          dropped.add(scope);
        }
      }
      result = new GrantResult(result.granted(), dropped);
    }
    return result;
  }

  /**
   * The requested scopes without those Keycloak knows but left out of the token: a scope Keycloak
   * validates and maps (a client scope of the client, {@code organization:acme}) is granted only
   * where Keycloak granted it too — it leaves out, without refusing, an organization the user is no
   * member of, a client scope whose role scope the user lacks — so the token never names a scope
   * whose claims Keycloak did not give. A scope Keycloak does not know (a config scope, a plain
   * scope only the policy allows) is the policy's alone.
   */
  private static List<String> keptByKeycloak(
      List<String> requested, Set<String> inToken, Issuance issuance) {
    if (inToken.containsAll(requested)) {
      return requested; // a refresh without scope, most often: nothing to ask Keycloak's model
    }
    Predicate<String> known = issuance.knownScopes();
    List<String> kept = new ArrayList<>(requested.size()); // per token: a loop, no stream
    for (String scope : requested) {
      if (inToken.contains(scope) || !known.test(scope)) {
        kept.add(scope);
      }
    }
    return kept;
  }

  /**
   * A token request no grant wrapper serves: a grant type this extension does not know (a newer
   * Keycloak's, another extension's, OID4VCI's pre-authorized code). Its scopes may be asked for,
   * or set after this mapper, in ways the policy cannot see: refused to bound clients with a clear
   * error, never issued as stock (docs/adr/0028-every-grant.md). Tokens outside the token endpoint
   * (the implicit flow, the admin console's preview) have no grant type and are decided as usual.
   */
  private static void refuseGrantNotServed(KeycloakSession session, ClientModel client) {
    if (Issuance.served(session)) {
      return;
    }
    String grantType = grantTypeOf(session);
    if (grantType != null) {
      countRefused(session, client);
      throw new ErrorResponseException(
          OAuthErrorException.UNAUTHORIZED_CLIENT,
          "The grant type " + grantType + " is not available to clients bound to a token policy",
          Response.Status.BAD_REQUEST);
    }
  }

  /** The token request's {@code grant_type}, or null outside the token endpoint. */
  private static @Nullable String grantTypeOf(KeycloakSession session) {
    MultivaluedMap<String, String> form = formOf(session);
    return form == null ? null : form.getFirst(OAuth2Constants.GRANT_TYPE);
  }

  /**
   * Counts a token request the mapper refuses ({@code refused}): tagged with its grant type, one
   * Keycloak has a provider for (Keycloak answers {@code unsupported_grant_type} to any other
   * before a mapper runs), so the tag stays bounded; outside a token request, nothing is counted.
   */
  private static void countRefused(KeycloakSession session, ClientModel client) {
    String grantType = grantTypeOf(session);
    if (grantType != null) {
      PolicyBoundGrantType.count(session, grantType, client, IssuanceDecision.refused());
    }
  }

  /** The request's form, or null outside an HTTP request (no token request, then). */
  private static @Nullable MultivaluedMap<String, String> formOf(KeycloakSession session) {
    try {
      HttpRequest request = session.getContext().getHttpRequest();
      return request == null ? null : request.getDecodedFormParameters();
    } catch (RuntimeException noRequest) {
      return null;
    }
  }

  /**
   * The token's expiry: the policy's lifetime when it sets one, never past the end of the session
   * (Keycloak caps a client's own lifespan there too), and for an exchanged token never past the
   * subject token's expiry.
   */
  private static @Nullable Long expiry(
      AccessToken token,
      EffectivePolicy policy,
      @Nullable Issuance issuance,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    Long exp = token.getExp();
    if (policy.accessTokenLifetime() != null && token.getIat() != null) {
      exp = token.getIat() + policy.accessTokenLifetime();
      long sessionEnd = sessionEnd(userSession, ctx);
      if (sessionEnd > 0) {
        exp = Math.min(exp, sessionEnd);
      }
    }
    Long notAfter = issuance == null ? null : issuance.notAfter();
    if (notAfter != null && (exp == null || notAfter < exp)) {
      exp = notAfter;
    }
    return exp;
  }

  /** When the client session must end, in seconds, as Keycloak computes it; ≤ 0: no limit. */
  private static long sessionEnd(UserSessionModel userSession, ClientSessionContext ctx) {
    AuthenticatedClientSessionModel clientSession = ctx.getClientSession();
    boolean offline = userSession.isOffline() || ctx.isOfflineTokenRequested();
    long end =
        SessionExpirationUtils.calculateClientSessionMaxLifespanTimestamp(
            offline,
            userSession.isRememberMe(),
            TimeUnit.SECONDS.toMillis(clientSession.getStarted()),
            TimeUnit.SECONDS.toMillis(userSession.getStarted()),
            clientSession.getRealm(),
            clientSession.getClient());
    return end > 0 ? TimeUnit.MILLISECONDS.toSeconds(end) : end;
  }

  @Override
  public IDToken transformIDToken(
      IDToken token,
      ProtocolMapperModel mapper,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    return filtered(Kind.ID, token, Withheld::idToken, session, userSession, ctx);
  }

  @Override
  public AccessToken transformUserInfoToken(
      AccessToken token,
      ProtocolMapperModel mapper,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    return filtered(Kind.USERINFO, token, Withheld::accessToken, session, userSession, ctx);
  }

  @Override
  public AccessToken transformIntrospectionToken(
      AccessToken token,
      ProtocolMapperModel mapper,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    return filtered(Kind.INTROSPECTION, token, Withheld::accessToken, session, userSession, ctx);
  }

  @Override
  public AccessTokenResponse transformAccessTokenResponse(
      AccessTokenResponse response,
      ProtocolMapperModel mapper,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    return ClaimFilter.afterIssuance(Kind.RESPONSE, response, session, userSession, ctx);
  }

  /**
   * A token built after the access token, filtered by {@link ClaimFilter}; while the running
   * Keycloak is not one this extension supports, what {@code withheld} leaves of it instead.
   */
  private static <T> T filtered(
      Kind kind,
      T token,
      UnaryOperator<T> withheld,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    if (!KeycloakRuntime.active()) {
      return withheld.apply(token);
    }
    return ClaimFilter.afterIssuance(kind, token, session, userSession, ctx);
  }

  private static @Nullable EffectivePolicy policyOf(ClientModel client) {
    return PolicyStore.effectiveFor(client);
  }
}
