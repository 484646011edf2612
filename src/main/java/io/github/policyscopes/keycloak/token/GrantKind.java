package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;

/**
 * How a grant type asks for scopes, and what its new token may not exceed. Every grant the wrapper
 * serves is one of these; each decides through the one {@code IssuanceDecision} (contract I19).
 *
 * <ul>
 *   <li>{@link Requested}: the token request's {@code scope} is the request ({@code
 *       client_credentials}, {@code password}, the JWT authorization grant of RFC 7523);
 *   <li>{@link Consented}: the user approved the scopes at another endpoint (the authorization,
 *       device authorization or backchannel authentication endpoint); the token request carries
 *       none, and the scopes Keycloak grants from that approval are the request ({@code
 *       authorization_code}, the device grant, CIBA);
 *   <li>{@link Refreshed} and {@link Exchanged}: like {@link Requested}, never past the grant of
 *       the token presented.
 * </ul>
 */
sealed interface GrantKind {

  /** Whether the token request's {@code scope} parameter is the request. */
  default boolean scopeInRequest() {
    return true;
  }

  /**
   * The grant a refreshed or exchanged token may not exceed, read from the presented token, or null
   * for a first issuance. It is read before Keycloak verifies that token; if the token is not
   * valid, Keycloak refuses the request and nothing read here is used.
   */
  default @Nullable Presented presented(MultivaluedMap<String, String> form) {
    return null;
  }

  /** What a refresh or exchange presents: the grant it may not exceed, and when it expires. */
  record Presented(List<String> grant, @Nullable Long expiry) {

    /** Nothing to inherit: an absent or unreadable token (fail closed). */
    static final Presented NOTHING = new Presented(List.of(), null);
  }

  /** The scopes are asked for in the token request. */
  record Requested() implements GrantKind {}

  /** The scopes were approved at another endpoint; the token request names none. */
  record Consented() implements GrantKind {
    @Override
    public boolean scopeInRequest() {
      return false;
    }
  }

  /**
   * {@code refresh_token}: at most the refresh token's grant, its {@value Issuance#GRANT_CLAIM}
   * claim. A refresh token without it (issued before the client was bound) yields its plain scopes
   * at most, never a config scope; an unreadable one yields nothing. Keycloak's own {@code scope}
   * of a refresh token is its client-scope bookkeeping, never a ceiling.
   */
  record Refreshed() implements GrantKind {

    private static final Logger LOG = Logger.getLogger(Refreshed.class);

    /** The claims a refresh token's ceiling is read from. */
    private static final Set<String> CLAIMS =
        Set.of(Issuance.GRANT_CLAIM, Issuance.NOT_AFTER_CLAIM, SCOPE);

    @Override
    public Presented presented(MultivaluedMap<String, String> form) {
      return presentedToken(form, OAuth2Constants.REFRESH_TOKEN, CLAIMS, Refreshed::ceiling, LOG);
    }

    private static Presented ceiling(Map<String, Object> claims) {
      Object grant = claims.get(Issuance.GRANT_CLAIM);
      Object notAfter = claims.get(Issuance.NOT_AFTER_CLAIM);
      Long expiry = notAfter instanceof Number n ? n.longValue() : null;
      if (grant instanceof String granted) {
        return new Presented(Scopes.split(granted), expiry);
      }
      if (grant != null) {
        // not what this extension writes: read as a token without the claim (fail closed)
        LOG.debugf(
            "refresh token's %s claim is not a string: ignored, plain scopes only",
            Issuance.GRANT_CLAIM);
      }
      List<String> plainOnly =
          Scopes.split(string(claims, SCOPE)).stream()
              .filter(s -> !Scope.isConfigScopeSyntax(s))
              .toList();
      return new Presented(plainOnly, expiry);
    }
  }

  /** Token exchange: at most the subject token's grant, never past its expiry. */
  record Exchanged() implements GrantKind {

    /** The claims a subject token's ceiling is read from. */
    private static final Set<String> CLAIMS = Set.of(SCOPE, EXP);

    private static final Logger LOG = Logger.getLogger(Exchanged.class);

    @Override
    public Presented presented(MultivaluedMap<String, String> form) {
      return presentedToken(
          form,
          OAuth2Constants.SUBJECT_TOKEN,
          CLAIMS,
          subject -> new Presented(Scopes.split(string(subject, SCOPE)), number(subject, EXP)),
          LOG);
    }
  }

  /** The presented token's standard claim a ceiling's scopes are read from. */
  String SCOPE = "scope";

  /** The presented token's standard claim an exchanged token's ceiling expiry is read from. */
  String EXP = "exp";

  /**
   * What the token in the form's {@code param} lets the new token inherit ({@code ceiling} of its
   * {@code claims}): nothing when it is absent or unreadable (the grant itself refuses such a
   * token; fail closed). Only the payload's top-level {@code claims} are read ({@link JwsClaims}),
   * in one pass that skips the rest, instead of binding the whole token to Keycloak's class (JFR
   * put that at 1 % of a refresh). A {@code scope} that is not a string or an {@code exp} that is
   * not a number makes the token unreadable: binding would fail on most such values and coerce the
   * rest ({@code "scope": true}), and here any of them fails closed. The signature is Keycloak's to
   * verify, afterwards.
   */
  private static Presented presentedToken(
      MultivaluedMap<String, String> form,
      String param,
      Set<String> claims,
      Function<Map<String, Object>, Presented> ceiling,
      Logger log) {
    String token = form.getFirst(param);
    if (token == null) {
      return Presented.NOTHING;
    }
    try {
      Map<String, Object> read = JwsClaims.read(token, claims);
      Object scope = read.get(SCOPE);
      Object exp = read.get(EXP);
      if ((scope != null && !(scope instanceof String))
          || (exp != null && !(exp instanceof Number))) {
        throw new IllegalArgumentException("a scope that is no string or an exp that is no number");
      }
      return ceiling.apply(read);
    } catch (IOException | RuntimeException unreadable) {
      log.debugf("unreadable %s: nothing to inherit (%s)", param, unreadable.toString());
      return Presented.NOTHING;
    }
  }

  /** A string claim read by {@link JwsClaims#read}, or null. */
  private static @Nullable String string(Map<String, Object> claims, String name) {
    return claims.get(name) instanceof String value ? value : null;
  }

  /** A numeric claim read by {@link JwsClaims#read}, as seconds, or null. */
  private static @Nullable Long number(Map<String, Object> claims, String name) {
    return claims.get(name) instanceof Number value ? value.longValue() : null;
  }
}
