package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.Decision;
import io.github.policyscopes.access.InvalidPathException;
import io.github.policyscopes.access.RequestPaths;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import jakarta.ws.rs.NotAuthorizedException;
import java.net.URI;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager.AuthResult;

/**
 * The first step of every config API request, all before any work is done (SPEC §7 I11): Keycloak
 * verifies the bearer token (401), the {@code Origin} must be one the token's client allows (403
 * {@code invalid_origin}), the raw path must be canonical (400), and the caller's effective scopes
 * (the token's, as far as its client's current policies still give them: {@link CallerScopes}) must
 * allow the method on that path (403).
 */
final class BearerGuard {

  private final KeycloakSession session;
  private final RealmModel realm;

  BearerGuard(KeycloakSession session) {
    this.session = session;
    this.realm = session.getContext().getRealm();
  }

  /**
   * Verifies the token and the request's {@code Origin}; the caller it returns has passed both, so
   * a response to it may carry CORS headers. No path check and no decision yet.
   */
  @SuppressWarnings("deprecation") // the getters are deprecated since 26.5, not removed (26.7)
  Caller authenticate() {
    String token;
    try {
      token =
          AppAuthManager.extractAuthorizationHeaderToken(session.getContext().getRequestHeaders());
    } catch (NotAuthorizedException notBearer) {
      token = null; // another scheme: no Bearer credentials at all (RFC 6750 §3.1)
    }
    if (token == null) {
      throw new ApiError(401, "invalid_request", "a Bearer access token is required")
          .header("WWW-Authenticate", "Bearer realm=\"" + quoted(realm.getName()) + "\"");
    }
    AuthResult result;
    try {
      result =
          new AppAuthManager.BearerTokenAuthenticator(session).setTokenString(token).authenticate();
    } catch (RuntimeException rejected) {
      result = null;
    }
    if (result == null) {
      throw invalidToken("the access token is invalid, expired or revoked");
    }
    // AuthResult's getters: the record accessors of 26.5+ do not exist on 26.4
    AccessToken accessToken = result.getToken();
    if (!Origins.allowed(session, accessToken)) {
      throw new ApiError(403, "invalid_origin", "origin not allowed for this client");
    }
    String claim = accessToken.getScope();
    return new Caller(
        accessToken,
        result.getClient(),
        result.getUser(),
        CallerScopes.forClient(claim, result.getClient()),
        CallerScopes.token(claim));
  }

  /** Checks the path and decides for an authenticated caller; returns when allowed. */
  void authorize(Caller caller, String method) {
    authorize(caller, method, relativePath());
  }

  /**
   * Decides {@code method} on {@code path} (canonical, relative to the realm) for an authenticated
   * caller: a route that stands for another request (the dry run reads its client) asks for that
   * request's decision, and gets that request's 403.
   */
  void authorize(Caller caller, String method, String path) {
    Decision decision = caller.scopes().decide(method, path);
    if (!decision.allowed()) {
      throw forbidden(caller, method, path, decision);
    }
  }

  /**
   * The request path relative to the realm ({@code config/clients/abc}), exactly as sent: not
   * decoded, not normalised. Anything but a canonical path is refused here.
   */
  String relativePath() {
    URI request = session.getContext().getUri().getRequestUri();
    String raw = request.getRawPath();
    String base = session.getContext().getUri().getBaseUri().getRawPath();
    String rest = raw.startsWith(base) ? raw.substring(base.length()) : raw;
    // realms/{realm}/config/…: skip the two segments before the API's own path
    int realms = rest.indexOf('/');
    int realmEnd = realms < 0 ? -1 : rest.indexOf('/', realms + 1);
    if (realmEnd < 0) {
      throw ApiError.badRequest("unexpected request path");
    }
    String path = rest.substring(realmEnd + 1);
    try {
      return RequestPaths.validate(path);
    } catch (InvalidPathException e) {
      throw ApiError.badRequest("request path not accepted: " + e.getMessage());
    }
  }

  /**
   * Refuses a request whose own path a deny of the caller names, when the decision that let it in
   * was taken on another path (the dry run is decided as a read of its client): deny wins below.
   */
  void refuseDenied(Caller caller, String method, String path) {
    Decision decision = caller.scopes().decide(method, path);
    if (decision instanceof Decision.Denied) {
      throw forbidden(caller, method, path, decision);
    }
  }

  private ApiError invalidToken(String description) {
    return new ApiError(401, "invalid_token", description)
        .header(
            "WWW-Authenticate",
            "Bearer realm=\""
                + quoted(realm.getName())
                + "\", error=\"invalid_token\", error_description=\""
                + quoted(description)
                + "\"");
  }

  private ApiError forbidden(Caller caller, String method, String path, Decision decision) {
    String tokenScopes = scopeList(caller.scopes());
    String requiredScope = decision.requiredScope(method, path);
    String description =
        method
            + " "
            + path
            + " needs "
            + requiredScope
            + "; "
            + decision.reason(path)
            + "; token scopes: "
            + (tokenScopes.isEmpty() ? "(none)" : tokenScopes);
    if (!caller.ignored().isEmpty()) {
      description +=
          "; ignored (not given by the client's current policies): "
              + String.join(" ", caller.ignored());
    }
    return new ApiError(403, "insufficient_scope", description)
        .because(decision instanceof Decision.Denied ? Refusal.DENY : Refusal.NOT_GRANTED)
        .with("required_scope", requiredScope)
        .header(
            "WWW-Authenticate",
            "Bearer realm=\""
                + quoted(realm.getName())
                + "\", error=\"insufficient_scope\", scope=\""
                + quoted(requiredScope)
                + "\"");
  }

  static String scopeList(ScopeSet scopes) {
    return Stream.of(scopes.grants(), scopes.denies(), scopes.plain())
        .flatMap(l -> l.stream())
        .map(s -> s.text())
        .collect(Collectors.joining(" "));
  }

  /** RFC 7230 quoted-string content: escape backslash and double quote. */
  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
