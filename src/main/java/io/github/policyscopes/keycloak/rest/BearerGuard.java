package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.policy.Decision;
import io.github.policyscopes.policy.InvalidPathException;
import io.github.policyscopes.policy.RequestPaths;
import io.github.policyscopes.policy.ScopeSet;
import jakarta.ws.rs.NotAuthorizedException;
import java.net.URI;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager.AuthResult;

/**
 * The first step of every config API request: Keycloak verifies the bearer token (401), the raw
 * path must be canonical (400), and the token's scopes must allow the method on that path (403).
 */
final class BearerGuard {

  private final KeycloakSession session;
  private final RealmModel realm;

  BearerGuard(KeycloakSession session) {
    this.session = session;
    this.realm = session.getContext().getRealm();
  }

  /** Authenticates, checks the path, and decides; returns the caller when allowed. */
  Caller authorize(String method) {
    Caller caller = authenticate();
    String path = relativePath();
    Decision decision = caller.scopes().decide(method, path);
    if (!decision.allowed()) {
      throw forbidden(caller, decision);
    }
    return caller;
  }

  /** Authenticates and checks the path, with no scope decision (whoami). */
  Caller authenticateOnly() {
    Caller caller = authenticate();
    relativePath();
    return caller;
  }

  private Caller authenticate() {
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
    return new Caller(
        result.token(), result.client(), result.user(), ScopeSet.parse(result.token().getScope()));
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

  private ApiError forbidden(Caller caller, Decision decision) {
    String tokenScopes = scopeList(caller.scopes());
    String description =
        decision.method()
            + " "
            + decision.path()
            + " needs "
            + decision.requiredScope()
            + "; "
            + decision.reason()
            + "; token scopes: "
            + (tokenScopes.isEmpty() ? "(none)" : tokenScopes);
    return new ApiError(403, "insufficient_scope", description)
        .with("required_scope", decision.requiredScope())
        .header(
            "WWW-Authenticate",
            "Bearer realm=\""
                + quoted(realm.getName())
                + "\", error=\"insufficient_scope\", scope=\""
                + quoted(decision.requiredScope())
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
