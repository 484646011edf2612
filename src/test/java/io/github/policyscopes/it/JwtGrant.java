package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Keycloak's JWT authorization grant (RFC 7523, {@value #GRANT_TYPE}) in one realm, with no
 * external server: an identity provider of type {@code jwt-authorization-grant} trusts an RSA key
 * generated in the test JVM (its public key is stored in the provider's config), and this fixture
 * signs the assertions (RS256, hand-rolled with {@link Signature}).
 *
 * <p>What Keycloak needs (26.7 sources: {@code JWTAuthorizationGrantType}, {@code
 * DefaultJWTAuthorizationGrantValidator}, {@code JWTAuthorizationGrantIdentityProvider}):
 *
 * <ul>
 *   <li>the feature {@code jwt-authorization-grant}: default in 26.6 and 26.7, preview (off) in
 *       26.5, absent in 26.4; {@link #offered} says whether the server has it;
 *   <li>an enabled identity provider whose {@code config.issuer} equals the assertion's {@code iss}
 *       (unique per realm among such providers) and that verifies the signature: here {@code
 *       publicKeySignatureVerifier} (base64 X.509 SubjectPublicKeyInfo) with {@code useJwksUrl
 *       false};
 *   <li>a confidential client with the attributes {@code oauth2.jwt.authorization.grant.enabled =
 *       true} and {@code oauth2.jwt.authorization.grant.idp} naming the provider's alias ({@code
 *       ##}-separated for several);
 *   <li>a user linked to the provider with the assertion's {@code sub} as federated user id,
 *       enabled and without required actions;
 *   <li>an assertion with {@code iss}, {@code sub}, exactly one {@code aud} (the realm's issuer URL
 *       or its token endpoint), {@code exp} at most 300 s away (the provider's default), a fresh
 *       {@code jti} (reuse is refused) and an asymmetric {@code alg}.
 * </ul>
 *
 * <p>The grant issues no refresh token. Failures are {@code 400 invalid_grant} with Keycloak's
 * reason as {@code error_description} (e.g. {@code Invalid signature}).
 *
 * @param alias the identity provider's alias
 * @param issuer the issuer ({@code iss}) the provider trusts
 * @param keyId the key id ({@code kid}) of {@code key}, the provider's signing key
 */
public record JwtGrant(
    TestClient http, String realm, String alias, String issuer, String keyId, PrivateKey key) {

  /** The grant type of RFC 7523 §2.1. */
  public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";

  /** Client attribute: the client may use the grant (OIDCConfigAttributes). */
  public static final String CLIENT_ENABLED = "oauth2.jwt.authorization.grant.enabled";

  /** Client attribute: the aliases of the identity providers it may use, {@code ##}-separated. */
  public static final String CLIENT_IDPS = "oauth2.jwt.authorization.grant.idp";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final long LIFETIME_SECONDS = 60;

  /**
   * Creates the identity provider (a unique alias and issuer, a fresh 2048-bit RSA key) in {@code
   * realm}. Needs nothing else of the realm; fails when the server refuses the provider (e.g. the
   * feature is off: check {@link #offered} first).
   */
  public static JwtGrant setUp(TestClient http, String realm) {
    KeyPair pair;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      pair = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    String alias = Fixtures.unique("jwt-grant");
    String issuer = "https://" + alias + ".example.invalid/issuer";
    String keyId = alias + "-key";
    Map<String, String> config = new LinkedHashMap<>();
    config.put("issuer", issuer);
    config.put("useJwksUrl", "false");
    config.put(
        "publicKeySignatureVerifier",
        Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
    config.put("publicKeySignatureVerifierKeyId", keyId);
    Reply created =
        http.admin(
            "POST",
            "realms/" + realm + "/identity-provider/instances",
            Map.of(
                "alias",
                alias,
                "providerId",
                "jwt-authorization-grant",
                "enabled",
                true,
                "config",
                config));
    if (created.status() != 201) {
      throw new IllegalStateException("JWT authorization grant identity provider: " + created);
    }
    return new JwtGrant(http, realm, alias, issuer, keyId, pair.getPrivate());
  }

  /**
   * Whether the server's discovery document of {@code realm} lists the grant in {@code
   * grant_types_supported} (the feature {@code jwt-authorization-grant} is on).
   */
  public static boolean offered(TestClient http, String realm) {
    Reply reply =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(http.realmUrl(realm) + "/.well-known/openid-configuration"))
                .GET());
    if (reply.status() != 200) {
      throw new IllegalStateException("discovery: " + reply);
    }
    for (JsonNode grant : reply.json().path("grant_types_supported")) {
      if (GRANT_TYPE.equals(grant.asText())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Lets a confidential client use the grant with this identity provider: sets {@link
   * #CLIENT_ENABLED} and adds the alias to {@link #CLIENT_IDPS} (other aliases stay).
   */
  public void allow(String clientUuid) {
    String path = "realms/" + realm + "/clients/" + clientUuid;
    Reply read = http.admin("GET", path, null);
    if (read.status() != 200) {
      throw new IllegalStateException("client " + clientUuid + ": " + read);
    }
    ObjectNode client = (ObjectNode) read.json();
    ObjectNode attributes =
        client.path("attributes") instanceof ObjectNode existing
            ? existing
            : client.putObject("attributes");
    List<String> aliases = new ArrayList<>();
    String current = attributes.path(CLIENT_IDPS).asText("");
    if (!current.isEmpty()) {
      aliases.addAll(Arrays.asList(current.split("##")));
    }
    if (!aliases.contains(alias)) {
      aliases.add(alias);
    }
    attributes.put(CLIENT_ENABLED, "true");
    attributes.put(CLIENT_IDPS, String.join("##", aliases));
    Reply written = http.admin("PUT", path, client);
    if (written.status() != 204) {
      throw new IllegalStateException("client " + clientUuid + " attributes: " + written);
    }
  }

  /**
   * Links a user to this identity provider: assertions with {@code sub = subject} are this user.
   */
  public void link(String userId, String subject) {
    Reply linked =
        http.admin(
            "POST",
            "realms/" + realm + "/users/" + userId + "/federated-identity/" + alias,
            Map.of("identityProvider", alias, "userId", subject, "userName", subject));
    if (linked.status() != 204) {
      throw new IllegalStateException("federated identity " + subject + ": " + linked);
    }
  }

  /**
   * A fresh assertion for {@code subject}: {@code iss} this provider's issuer, {@code aud} the
   * realm's issuer URL, {@code iat} now, {@code exp} a minute later, a unique {@code jti}; RS256
   * with this provider's key.
   */
  public String assertion(String subject) {
    long now = Instant.now().getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", issuer);
    claims.put("sub", subject);
    claims.put("aud", http.realmUrl(realm));
    claims.put("iat", now);
    claims.put("exp", now + LIFETIME_SECONDS);
    claims.put("jti", UUID.randomUUID().toString());
    return sign(claims);
  }

  /** Signs {@code claims} (RS256, this provider's {@code kid}): any assertion a test wants. */
  public String sign(Map<String, Object> claims) {
    String input =
        B64URL.encodeToString(
                TestClient.toJson(Map.of("alg", "RS256", "typ", "JWT", "kid", keyId))
                    .getBytes(StandardCharsets.UTF_8))
            + "."
            + B64URL.encodeToString(TestClient.toJson(claims).getBytes(StandardCharsets.UTF_8));
    try {
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initSign(key);
      rs256.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + B64URL.encodeToString(rs256.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The grant with a fresh {@link #assertion} for {@code subject}; a null scope is left out. */
  public Reply token(String clientId, String secret, String subject, @Nullable String scope) {
    return tokenWith(clientId, secret, assertion(subject), scope);
  }

  /** The grant with the given assertion; a null scope is left out. */
  public Reply tokenWith(String clientId, String secret, String assertion, @Nullable String scope) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type", GRANT_TYPE,
            "client_id", clientId,
            "client_secret", secret,
            "assertion", assertion,
            "scope", scope));
  }
}
