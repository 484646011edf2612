package io.github.policyscopes.access;

import org.jspecify.annotations.Nullable;

/**
 * Why the config API refuses a bearer token with {@code 401 invalid_token} (RFC 6750 §3.1), in
 * words an operator can act on: get a new token, use one of the right realm, send the access token
 * rather than another. Keycloak alone decides whether a token is accepted; this only names, for a
 * token it refused, the first thing that is wrong with it ({@link #classify}). No description
 * repeats anything of the token: the realm named is the API's own.
 */
public enum TokenRejection {
  /** Not three base64url parts of JSON: not a token this or any realm issued. */
  NOT_A_JWT,
  /** Its {@code iss} is not this realm's issuer. */
  OTHER_ISSUER,
  /** The signature does not verify with any key this realm holds (or there is none). */
  BAD_SIGNATURE,
  /** Signed by this realm, but an ID token or refresh token ({@code typ}), not an access token. */
  NOT_AN_ACCESS_TOKEN,
  /** Past its {@code exp}. */
  EXPIRED,
  /**
   * Well-formed, this realm's, signed and current, yet refused: revoked, its session ended, its
   * client or user disabled, or issued before a not-before time. One description for all, so that
   * it tells nothing about a user.
   */
  REVOKED,
  /** Accepted by Keycloak, but not addressed to the API ({@code aud}, docs/adr/0026). */
  WRONG_AUDIENCE,
  /** Refused, and the reason could not be found out (the diagnosis itself failed). */
  INVALID;

  /**
   * What a refused token turned out to be, each found only when the ones before it hold.
   *
   * @param parsed it is a JWS of JSON
   * @param issuerMatches whether its {@code iss} is this realm's issuer; null when it has none
   * @param signatureVerifies whether its signature verifies with a key of this realm
   * @param accessToken whether its {@code typ} is that of an access token ({@code Bearer})
   * @param expired whether it is past its {@code exp}
   */
  public record Findings(
      boolean parsed,
      @Nullable Boolean issuerMatches,
      boolean signatureVerifies,
      boolean accessToken,
      boolean expired) {}

  /**
   * The first thing wrong with a refused token: not a JWT, then another issuer (whatever its
   * signature: another realm's keys are not this realm's), then a signature this realm's keys do
   * not verify, then not an access token, then expired; when all hold, Keycloak refused it for what
   * only the server knows ({@link #REVOKED}).
   */
  public static TokenRejection classify(Findings f) {
    if (!f.parsed()) {
      return NOT_A_JWT;
    }
    if (Boolean.FALSE.equals(f.issuerMatches())) {
      return OTHER_ISSUER;
    }
    if (!f.signatureVerifies()) {
      return BAD_SIGNATURE;
    }
    if (f.issuerMatches() == null) {
      return OTHER_ISSUER;
    }
    if (!f.accessToken()) {
      return NOT_AN_ACCESS_TOKEN;
    }
    return f.expired() ? EXPIRED : REVOKED;
  }

  /**
   * The {@code error_description}: a sentence that says what to do. {@code realm} is the realm of
   * the request (the API's own), never anything read from the token.
   */
  public String description(String realm) {
    return switch (this) {
      case NOT_A_JWT ->
          "The access token is not a JWT: send the access_token of a token response of realm "
              + realm;
      case OTHER_ISSUER ->
          "The access token was issued by another realm or server: use an access token of realm "
              + realm;
      case BAD_SIGNATURE ->
          "The access token's signature does not verify with this realm's keys: it was altered, or"
              + " signed with a key the realm no longer has; get a new one";
      case NOT_AN_ACCESS_TOKEN ->
          "The token is not an access token (an ID or refresh token?): send the access_token of"
              + " the token response";
      case EXPIRED -> "The access token has expired; get a new one";
      case REVOKED ->
          "The access token was revoked or is no longer valid (logged out, session ended, client"
              + " or user disabled, or issued before a not-before time); get a new one";
      case WRONG_AUDIENCE ->
          "The access token's audience names neither the client it was issued to nor this API";
      case INVALID -> "The access token is not valid for realm " + realm + "; get a new one";
    };
  }
}
