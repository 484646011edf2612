package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import jakarta.ws.rs.core.MultivaluedHashMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.keycloak.OAuth2Constants;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.RefreshToken;
import org.keycloak.util.JsonSerialization;

/**
 * What a refreshed or exchanged token may not exceed, read from the presented token: its {@value
 * Issuance#GRANT_CLAIM} claim (or its plain scopes), the expiry it carries, and nothing from a
 * token that cannot be read (fail closed).
 */
class GrantKindTest {

  /** A refresh token as Keycloak writes one, with this extension's claims, unsigned. */
  private static String jws(Object body) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
    return header + "." + b64.encodeToString(JsonSerialization.writeValueAsBytes(body)) + ".c2ln";
  }

  private static GrantKind.Presented refreshed(String token) {
    MultivaluedHashMap<String, String> form = new MultivaluedHashMap<>();
    form.putSingle(OAuth2Constants.REFRESH_TOKEN, token);
    return new GrantKind.Refreshed().presented(form);
  }

  private static RefreshToken refreshToken() {
    AccessToken access = new AccessToken();
    access.id("a1").issuer("https://kc/realms/demo").subject("user").exp(2_000_000_000L);
    access.issuedFor("client");
    access.setSessionId("session");
    RefreshToken refresh = new RefreshToken(access, null, "session");
    refresh.setScope("openid profile *:config/tokenPolicies");
    return refresh;
  }

  @Test
  void theGrantClaimIsTheCeilingAndItsNotAfterTheExpiry() throws Exception {
    RefreshToken refresh = refreshToken();
    refresh.setOtherClaims(Issuance.GRANT_CLAIM, "openid *:config/tokenPolicies");
    refresh.setOtherClaims(Issuance.NOT_AFTER_CLAIM, 1_900_000_000L);
    refresh.setOtherClaims("nested", java.util.Map.of("a", List.of(1, 2)));

    GrantKind.Presented presented = refreshed(jws(refresh));

    assertThat(presented.grant()).containsExactly("openid", "*:config/tokenPolicies");
    assertThat(presented.expiry()).isEqualTo(1_900_000_000L);
  }

  @Test
  void withoutTheGrantClaimOnlyThePlainScopesAndAGrantOfAnotherTypeCountsAsNone() throws Exception {
    RefreshToken refresh = refreshToken();
    assertThat(refreshed(jws(refresh)).grant()).containsExactly("openid", "profile");
    refresh.setOtherClaims(Issuance.GRANT_CLAIM, List.of("*:**"));
    refresh.setOtherClaims(Issuance.NOT_AFTER_CLAIM, "later");
    GrantKind.Presented presented = refreshed(jws(refresh));
    assertThat(presented.grant()).containsExactly("openid", "profile");
    assertThat(presented.expiry()).isNull();
  }

  @Test
  void anUnreadableTokenGivesNothing() throws Exception {
    assertThat(refreshed("not-a-jws")).isEqualTo(GrantKind.Presented.NOTHING);
    assertThat(refreshed(jws(java.util.Map.of("scope", List.of("a")))))
        .isEqualTo(GrantKind.Presented.NOTHING);
    assertThat(refreshed(jws(java.util.Map.of("exp", "soon"))))
        .isEqualTo(GrantKind.Presented.NOTHING);
    assertThat(new GrantKind.Refreshed().presented(new MultivaluedHashMap<>()))
        .isEqualTo(GrantKind.Presented.NOTHING);
  }

  @Test
  void anExchangedTokenGivesItsScopeAndExpiry() throws Exception {
    AccessToken subject = new AccessToken();
    subject.id("a1").issuer("https://kc/realms/demo").subject("user").exp(1_800_000_000L);
    subject.setScope("openid .:**");
    subject.setOtherClaims("email", "a@example.com");
    MultivaluedHashMap<String, String> form = new MultivaluedHashMap<>();
    form.putSingle(OAuth2Constants.SUBJECT_TOKEN, jws(subject));

    GrantKind.Presented presented = new GrantKind.Exchanged().presented(form);

    assertThat(presented.grant()).containsExactly("openid", ".:**");
    assertThat(presented.expiry()).isEqualTo(1_800_000_000L);
    // the same as Keycloak's own reading of it
    AccessToken read = new JWSInput(jws(subject)).readJsonContent(AccessToken.class);
    assertThat(presented.expiry()).isEqualTo(read.getExp());
  }

  /** The ceiling as read before: Keycloak's whole refresh token bound to its class. */
  private static GrantKind.Presented boundAsKeycloakDoes(String token) {
    try {
      RefreshToken refresh = new JWSInput(token).readJsonContent(RefreshToken.class);
      Object grant = refresh.getOtherClaims().get(Issuance.GRANT_CLAIM);
      Object notAfter = refresh.getOtherClaims().get(Issuance.NOT_AFTER_CLAIM);
      Long expiry = notAfter instanceof Number n ? n.longValue() : null;
      if (grant instanceof String granted) {
        return new GrantKind.Presented(Scopes.split(granted), expiry);
      }
      return new GrantKind.Presented(
          Scopes.split(refresh.getScope()).stream()
              .filter(s -> !Scope.isConfigScopeSyntax(s))
              .toList(),
          expiry);
    } catch (Exception unreadable) {
      return GrantKind.Presented.NOTHING;
    }
  }

  private static String rawJws(String json) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(json.getBytes(StandardCharsets.UTF_8))
        + ".c2ln";
  }

  @Test
  void theOnePassReadGivesWhatBindingKeycloaksTokenGave() throws Exception {
    Random random = new Random(21);
    List<Object> values =
        List.of(
            "openid *:config/tokenPolicies",
            "profile email",
            "",
            1_900_000_000L,
            1.9e9,
            true,
            List.of("openid"),
            java.util.Map.of("nested", List.of(1, java.util.Map.of("scope", "*:**"))));
    List<String> names = List.of(Issuance.GRANT_CLAIM, Issuance.NOT_AFTER_CLAIM, "scope", "other");
    for (int i = 0; i < 2_000; i++) {
      java.util.Map<String, Object> claims = new java.util.LinkedHashMap<>();
      claims.put("exp", 2_000_000_000L);
      for (String name : names) {
        if (random.nextBoolean()) {
          claims.put(name, values.get(random.nextInt(values.size())));
        }
      }
      String token = jws(claims);
      Object scope = claims.get("scope");
      if (scope == null || scope instanceof String) {
        assertThat(refreshed(token)).as("%s", claims).isEqualTo(boundAsKeycloakDoes(token));
      } else {
        // Keycloak's class coerces "scope": true or 1.9e9 to a string; read here, it fails closed
        assertThat(refreshed(token)).as("%s", claims).isEqualTo(GrantKind.Presented.NOTHING);
      }
    }
  }

  @Test
  void aClaimGivenTwiceCountsAsItsLastValueAndABrokenPayloadAsNothing() {
    String twice = "{\"policy_grant\":\"*:**\",\"exp\":2000000000,\"policy_grant\":\"openid\"}";
    assertThat(refreshed(rawJws(twice)).grant()).containsExactly("openid");
    assertThat(refreshed(rawJws(twice))).isEqualTo(boundAsKeycloakDoes(rawJws(twice)));
    for (String broken :
        List.of("{\"policy_grant\":\"openid\"", "[1]", "\"openid\"", "{\"scope\":}", "")) {
      assertThat(refreshed(rawJws(broken))).as(broken).isEqualTo(GrantKind.Presented.NOTHING);
    }
    String nulls = "{\"scope\":null,\"policy_grant\":\"openid\",\"exp\":2000000000}";
    assertThat(refreshed(rawJws(nulls))).isEqualTo(boundAsKeycloakDoes(rawJws(nulls)));
    assertThat(refreshed(rawJws(nulls)).grant()).containsExactly("openid");
    String plain = "{\"scope\":\"openid *:**\",\"policy_grant\":null}";
    assertThat(refreshed(rawJws(plain)).grant()).containsExactly("openid");
    assertThat(refreshed(rawJws(plain))).isEqualTo(boundAsKeycloakDoes(rawJws(plain)));
    assertThat(refreshed("a.b.c.d")).isEqualTo(GrantKind.Presented.NOTHING);
    assertThat(refreshed("a.%%%.c")).isEqualTo(GrantKind.Presented.NOTHING);
  }
}
