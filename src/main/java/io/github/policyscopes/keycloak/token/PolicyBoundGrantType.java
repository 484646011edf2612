package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.policy.ScopeSet;
import io.github.policyscopes.policy.TokenPolicy;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /** Where a grant finds the original grant that a new token may not exceed. */
  enum Kind {
    /** client_credentials, password: the request's {@code scope}. */
    DIRECT,
    /** authorization_code: the scopes the authorization endpoint accepted; no form scope. */
    CODE,
    /** refresh_token: at most the refresh token's grant. */
    REFRESH,
    /** token exchange: at most the subject token's grant. */
    EXCHANGE
  }

  private final KeycloakSession session;
  private final OAuth2GrantType delegate;
  private final Kind kind;

  PolicyBoundGrantType(KeycloakSession session, OAuth2GrantType delegate, Kind kind) {
    this.session = session;
    this.delegate = delegate;
    this.kind = kind;
  }

  @Override
  public Response process(Context context) {
    ClientModel client = context.getClient();
    Map<String, ClientScopeModel> defaultScopes =
        client == null ? Map.of() : client.getClientScopes(true);
    List<TokenPolicy> policies =
        client == null ? List.of() : PolicyStore.boundTo(client, defaultScopes);
    if (policies.isEmpty()) {
      return delegate.process(context);
    }
    EffectivePolicy policy = PolicyStore.merged(policies);
    MultivaluedMap<String, String> form = context.getFormParams();
    String scopeParam = form.getFirst(OAuth2Constants.SCOPE);
    List<String> asked = ScopeSet.split(scopeParam);
    List<String> ceiling = ceiling(form);
    List<String> requested = asked.isEmpty() && ceiling != null ? ceiling : asked;

    Issuance issuance;
    if (kind == Kind.CODE) {
      issuance =
          new Issuance(policy, defaultScopes.keySet(), List.of(), false, null, context.getEvent());
    } else {
      GrantResult decided = Issuance.decide(asked, List.of(), ceiling, policy);
      if (policy.mode() == DisallowedScopesMode.REJECT && !decided.dropped().isEmpty()) {
        throw reject(context, decided.dropped());
      }
      keepOnlyKnownGrantedScopes(form, client, defaultScopes, asked, decided.granted());
      issuance =
          new Issuance(
              policy,
              defaultScopes.keySet(),
              requested,
              !asked.isEmpty(),
              ceiling,
              context.getEvent());
    }

    issuance.attach(session);
    try {
      Response response = delegate.process(context);
      GrantResult result = issuance.result();
      if (result != null && response.getEntity() instanceof AccessTokenResponse tokenResponse) {
        tokenResponse.setScope(result.granted().isEmpty() ? null : result.scopeString());
      }
      return response;
    } finally {
      Issuance.detach(session);
    }
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
    Set<String> known = new HashSet<>(defaultScopes.keySet());
    known.addAll(client.getClientScopes(false).keySet());
    known.add(OAuth2Constants.SCOPE_OPENID);
    List<String> kept =
        asked.stream().filter(known::contains).filter(granted::contains).distinct().toList();
    if (kept.isEmpty()) {
      form.remove(OAuth2Constants.SCOPE);
    } else {
      form.putSingle(OAuth2Constants.SCOPE, String.join(" ", kept));
    }
  }

  /**
   * The grant a refreshed or exchanged token may not exceed, read from the presented token. It is
   * read before Keycloak verifies that token; if the token is not valid, Keycloak refuses the
   * request and nothing read here is used.
   */
  private List<String> ceiling(MultivaluedMap<String, String> form) {
    String token =
        switch (kind) {
          case REFRESH -> form.getFirst(OAuth2Constants.REFRESH_TOKEN);
          case EXCHANGE -> form.getFirst(OAuth2Constants.SUBJECT_TOKEN);
          default -> null;
        };
    if (kind != Kind.REFRESH && kind != Kind.EXCHANGE) {
      return null;
    }
    if (token == null) {
      return List.of();
    }
    try {
      AccessToken presented = new JWSInput(token).readJsonContent(AccessToken.class);
      return ScopeSet.split(presented.getScope());
    } catch (JWSInputException | RuntimeException unreadable) {
      return List.of(); // fail closed: nothing to inherit
    }
  }

  private static CorsErrorResponseException reject(Context context, List<String> dropped) {
    String description =
        "Scopes not allowed by the client's token policy: " + String.join(" ", dropped);
    context.getEvent().detail(Details.REASON, description);
    context.getEvent().detail(Issuance.DROPPED_DETAIL, String.join(" ", dropped));
    context.getEvent().error(Errors.INVALID_REQUEST);
    return new CorsErrorResponseException(
        context.getCors(),
        OAuthErrorException.INVALID_SCOPE,
        description,
        Response.Status.BAD_REQUEST);
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
