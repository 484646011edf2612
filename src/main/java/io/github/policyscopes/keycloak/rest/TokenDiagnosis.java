package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.TokenRejection;
import io.github.policyscopes.access.TokenRejection.Findings;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.crypto.SignatureProvider;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.Urls;
import org.keycloak.util.TokenUtil;

/**
 * For a bearer token Keycloak refused ({@code AppAuthManager.BearerTokenAuthenticator}), finds out
 * what it is, the way Keycloak's own check reads it ({@code AuthenticationManager
 * .verifyIdentityToken}): a JWS, its {@code iss} against this realm's issuer, its signature with
 * this realm's key of its {@code kid} and algorithm, its {@code typ}, its {@code exp}. It never
 * accepts anything; it only picks the words of the 401 ({@link TokenRejection#classify}).
 */
final class TokenDiagnosis {

  private static final Logger LOG = Logger.getLogger(TokenDiagnosis.class);

  private TokenDiagnosis() {}

  /** Why Keycloak refused {@code token} for {@code realm}, as far as the token shows. */
  static TokenRejection of(KeycloakSession session, RealmModel realm, String token) {
    JWSInput jws;
    AccessToken claims;
    try {
      jws = new JWSInput(token);
      claims = jws.readJsonContent(AccessToken.class);
    } catch (Exception unreadable) {
      return TokenRejection.NOT_A_JWT;
    }
    if (claims == null) {
      return TokenRejection.NOT_A_JWT;
    }
    String issuer = Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName());
    String iss = claims.getIssuer();
    return TokenRejection.classify(
        new Findings(
            true,
            iss == null ? null : issuer.equals(iss),
            verifies(session, jws),
            TokenUtil.TOKEN_TYPE_BEARER.equalsIgnoreCase(claims.getType()),
            claims.isExpired()));
  }

  /** Whether the signature verifies with this realm's key, as Keycloak's {@code TokenVerifier}. */
  private static boolean verifies(KeycloakSession session, JWSInput jws) {
    try {
      String algorithm = jws.getHeader().getRawAlgorithm();
      byte[] signature = jws.getSignature();
      @Nullable SignatureProvider provider =
          algorithm == null ? null : session.getProvider(SignatureProvider.class, algorithm);
      if (provider == null || signature == null) {
        return false;
      }
      return provider
          .verifier(jws.getHeader().getKeyId())
          .verify(jws.getEncodedSignatureInput().getBytes(StandardCharsets.UTF_8), signature);
    } catch (Exception noKeyOrBadSignature) {
      LOG.debugf("config API: the token's signature does not verify: %s", noKeyOrBadSignature);
      return false;
    }
  }
}
