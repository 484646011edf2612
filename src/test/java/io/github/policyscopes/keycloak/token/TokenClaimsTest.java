package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.AddressClaimSet;
import org.keycloak.representations.IDToken;
import org.keycloak.util.JsonSerialization;

/**
 * One claim of a real Keycloak token read by {@link TokenClaims} is what serializing the whole
 * token gives for it, for the claims Keycloak models as fields and those in its map of other
 * claims.
 */
class TokenClaimsTest {

  @Test
  void everyClaimReadsAsTheSerializedTokenHasIt() throws Exception {
    Random random = new Random(21);
    for (int i = 0; i < 300; i++) {
      for (Object token : List.of(accessToken(random), idToken(random), response(random))) {
        JsonNode serialized = JsonSerialization.mapper.valueToTree(token);
        TokenClaims claims = new TokenClaims(token);
        Set<String> names = new TreeSet<>(modelled(token.getClass()));
        serialized.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains(token instanceof IDToken ? "typ" : "token_type");
        for (String name : names) {
          JsonNode node = serialized.get(name);
          Object expected =
              node == null ? null : JsonSerialization.mapper.convertValue(node, Object.class);
          Object read = claims.get(name);
          if (name.equals("aud") && expected instanceof String one) {
            // Keycloak models aud as an array and serializes one audience bare: it reads as the
            // array, and ClaimDiff takes a scalar and a one-element array alike
            assertThat(read).isEqualTo(List.of(one));
          } else {
            assertThat(read).as("%s of %s", name, token.getClass()).isEqualTo(expected);
          }
        }
        assertThat(claims.get("not-a-claim")).isNull();
      }
    }
  }

  @Test
  void theStandardClaimsAreReadThroughTheirGettersCalledDirectly() {
    for (Class<?> type : List.of(AccessToken.class, IDToken.class)) {
      for (String claim : List.of("email", "email_verified", "preferred_username", "given_name")) {
        assertThat(TokenClaims.readsDirectly(type, claim)).as("%s of %s", claim, type).isTrue();
      }
    }
    assertThat(TokenClaims.readsDirectly(AccessTokenResponse.class, "access_token")).isTrue();
  }

  /** The claims a token class models as properties (serialized or, when unset, not). */
  private static Set<String> modelled(Class<?> type) throws Exception {
    Set<String> names = new TreeSet<>();
    JsonSerializer<Object> serializer =
        JsonSerialization.mapper.getSerializerProviderInstance().findValueSerializer(type);
    if (serializer instanceof BeanSerializerBase bean) {
      bean.properties().forEachRemaining(p -> names.add(p.getName()));
    }
    return names;
  }

  @Test
  void aClaimSetThroughItIsTheOneTheTokenSerializesWith() throws Exception {
    AccessToken token = accessToken(new Random(5));
    TokenClaims claims = new TokenClaims(token);
    claims.set("email", null);
    claims.set("given_name", "Ann");
    claims.set("custom", Map.of("a", List.of(1, 2)));
    claims.set("custom", null);
    ObjectNode serialized = JsonSerialization.mapper.valueToTree(token);
    assertThat(serialized.has("email")).isFalse();
    assertThat(serialized.get("given_name").asText()).isEqualTo("Ann");
    assertThat(serialized.has("custom")).isFalse();
    assertThat(token.getGivenName()).isEqualTo("Ann");
  }

  private static AccessToken accessToken(Random random) {
    AccessToken token = new AccessToken();
    fill(token, random);
    if (random.nextBoolean()) {
      token.setRealmAccess(new AccessToken.Access().addRole("r" + random.nextInt(3)));
    }
    if (random.nextBoolean()) {
      token.addAccess("api").addRole("read");
    }
    if (random.nextBoolean()) {
      token.setAllowedOrigins(Set.of("https://a.example"));
    }
    if (random.nextBoolean()) {
      token.setScope("openid email");
    }
    return token;
  }

  private static IDToken idToken(Random random) {
    IDToken token = new IDToken();
    fill(token, random);
    return token;
  }

  private static AccessTokenResponse response(Random random) {
    AccessTokenResponse response = new AccessTokenResponse();
    response.setToken("t" + random.nextInt());
    response.setExpiresIn(random.nextInt(600));
    if (random.nextBoolean()) {
      response.setScope("openid email");
    }
    response.setOtherClaims("extra", List.of("x", random.nextInt(9)));
    return response;
  }

  /** Random standard claims (fields of the token classes) and other claims. */
  private static void fill(IDToken token, Random random) {
    token.id("id-" + random.nextInt(1000));
    if (random.nextBoolean()) {
      token.issuedFor("client-" + random.nextInt(3));
      token.nbf((long) random.nextInt(1000));
      token.type("Bearer");
      token.setSessionId("sid-" + random.nextInt(3));
      token.setNonce("n" + random.nextInt(9));
    }
    token.issuer("https://kc.example/realms/r");
    token.subject("s" + random.nextInt(10));
    token.iat((long) random.nextInt(1_000_000));
    token.exp((long) random.nextInt(1_000_000));
    if (random.nextBoolean()) {
      token.audience("a", "b");
    } else if (random.nextBoolean()) {
      token.audience("a");
    }
    if (random.nextBoolean()) {
      token.setName("Name " + random.nextInt(5));
      token.setGivenName("G");
      token.setFamilyName("F");
    }
    if (random.nextBoolean()) {
      token.setEmail("u" + random.nextInt(5) + "@example.com");
      token.setEmailVerified(random.nextBoolean());
    }
    if (random.nextBoolean()) {
      token.setUpdatedAt((long) random.nextInt(100_000));
    }
    if (random.nextBoolean()) {
      AddressClaimSet address = new AddressClaimSet();
      address.setLocality("L");
      address.setCountry("C");
      token.setAddress(address);
    }
    if (random.nextBoolean()) {
      token.getOtherClaims().put("groups", List.of("g1", "g2"));
    }
    if (random.nextBoolean()) {
      token.getOtherClaims().put("nested", Map.of("k", Map.of("v", random.nextInt(3))));
    }
  }
}
