package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.InvalidPathException;
import io.github.policyscopes.access.RequestPaths;
import io.github.policyscopes.access.TokenRejection;
import jakarta.ws.rs.NotAuthorizedException;
import java.net.URI;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager.AuthResult;

/**
 * The first step of every config API request, all before any work is done (invariant I11 of
 * docs/contract.md): Keycloak verifies the bearer token (401, with a description that tells an
 * expired token from a bad signature, another realm's token and the rest: {@link TokenDiagnosis}),
 * its {@code aud} must name its own client or the API ({@link ApiAudience}, 401), the {@code
 * Origin} must be one the token's client allows (403 {@code invalid_origin}), the raw path must be
 * canonical (400), and the caller's effective scopes (the token's, as far as its client's current
 * policies still give them: {@link CallerScopes}) must allow the method on that path (403).
 */
final class BearerGuard {

  private static final Logger LOG = Logger.getLogger(BearerGuard.class);

  private final KeycloakSession session;
  private final RealmModel realm;
  private final ApiAudience audience;

  BearerGuard(KeycloakSession session, ApiAudience audience) {
    this.session = session;
    this.realm = session.getContext().getRealm();
    this.audience = audience;
  }

  /**
   * Verifies the token and the request's {@code Origin}; the permissions it returns are of a caller
   * that passed both, so a response to it may carry CORS headers. No path check and no decision
   * yet: the route asks {@link Permissions#requireAllowed} with {@link #method} and {@link
   * #relativePath}.
   */
  Permissions authenticate() {
    String token;
    try {
      token =
          AppAuthManager.extractAuthorizationHeaderToken(
              session.getContext().getHttpRequest().getHttpHeaders());
    } catch (NotAuthorizedException notBearer) {
      // another scheme: no Bearer credentials at all (RFC 6750 §3.1)
      LOG.debugf("config API: no Bearer credentials (%s)", notBearer.getMessage());
      token = null;
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
      // Keycloak's authenticator throws for some tokens it rejects: a 401 like any other
      LOG.debugf(rejected, "config API: the bearer token was rejected");
      result = null;
    }
    if (result == null) {
      // Keycloak alone decides; the diagnosis only says why, in words an operator can act on
      TokenRejection why;
      try {
        why = TokenDiagnosis.of(session, realm, token);
      } catch (RuntimeException | LinkageError undiagnosed) {
        // the words are a courtesy: a Keycloak that changed what they are read from still gets 401
        LOG.debugf(undiagnosed, "config API: could not tell why the bearer token was refused");
        why = TokenRejection.INVALID;
      }
      LOG.debugf("config API: the bearer token was refused: %s", why);
      throw invalidToken(why);
    }
    Caller caller = caller(result);
    AccessToken accessToken = caller.token();
    if (!audience.accepts(accessToken.getAudience(), caller.client().getClientId())) {
      // minted for another resource server (an exchange for audience=X, say): not for this API
      throw invalidToken(TokenRejection.WRONG_AUDIENCE);
    }
    if (!Origins.allowed(session, accessToken)) {
      throw new ApiError(403, "invalid_origin", "origin not allowed for this client");
    }
    return new Permissions(caller, realm);
  }

  /**
   * The caller Keycloak's verification names: its token, client and user, and the effective scopes.
   * AuthResult's getters are deprecated for removal since 26.5, but the record accessors that
   * replace them do not exist on 26.4, which this JAR supports: the one place they are called.
   */
  @SuppressWarnings("removal")
  private static Caller caller(AuthResult result) {
    AccessToken accessToken = result.getToken();
    String claim = accessToken.getScope();
    return new Caller(
        accessToken,
        result.getClient(),
        result.getUser(),
        CallerScopes.forClient(claim, result.getClient()),
        CallerScopes.token(claim));
  }

  /** The request's HTTP method, as the route that serves it was matched on. */
  String method() {
    return session.getContext().getHttpRequest().getHttpMethod();
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

  private ApiError invalidToken(TokenRejection why) {
    String description = why.description(realm.getName());
    return new ApiError(401, "invalid_token", description)
        .header(
            "WWW-Authenticate",
            "Bearer realm=\""
                + quoted(realm.getName())
                + "\", error=\"invalid_token\", error_description=\""
                + quoted(description)
                + "\"");
  }

  /** RFC 7230 quoted-string content: escape backslash and double quote. */
  static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
