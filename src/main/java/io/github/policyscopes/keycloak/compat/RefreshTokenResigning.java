package io.github.policyscopes.keycloak.compat;

import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.RefreshToken;

/**
 * Before Keycloak 26.6 no token post-processor reaches a refresh token before it is signed ({@link
 * KeycloakRuntime#tokenPostProcessors}): this decodes the refresh token Keycloak just signed, lets
 * the caller stamp it as the post-processor would, and signs it again with the realm's key for
 * refresh tokens. Its id, session and expiry stay Keycloak's unless the stamp changes them.
 */
public final class RefreshTokenResigning {

  private static final Logger LOG = Logger.getLogger(RefreshTokenResigning.class);

  private RefreshTokenResigning() {}

  /**
   * Stamps the refresh token of {@code response} and signs it again when the stamp changed it; a
   * response without a refresh token, or with one Keycloak cannot read back, is left as issued.
   *
   * @param stamp changes the decoded refresh token; answers whether it did
   */
  public static void resign(
      KeycloakSession session, AccessTokenResponse response, Predicate<RefreshToken> stamp) {
    String encoded = response.getRefreshToken();
    if (encoded == null) {
      return;
    }
    RefreshToken refreshToken = session.tokens().decode(encoded, RefreshToken.class);
    if (refreshToken == null) {
      LOG.warn("could not read the refresh token Keycloak just issued: left as issued");
      return;
    }
    Long exp = refreshToken.getExp();
    if (stamp.test(refreshToken)) {
      response.setRefreshToken(session.tokens().encode(refreshToken));
      Long capped = refreshToken.getExp();
      if (capped != null && !capped.equals(exp) && refreshToken.getIat() != null) {
        response.setRefreshExpiresIn(Math.max(0, capped - refreshToken.getIat()));
      }
    }
  }
}
