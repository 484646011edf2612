package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static io.github.policyscopes.it.TestClient.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * docs/contract.md, a token for someone else (issue 20, class 6; docs/adr/0026): the config API
 * accepts a token only when its {@code aud} names the client it was issued to ({@code azp}), or the
 * audience configured for the API. A token exchanged for another audience (RFC 8693 {@code
 * audience}) was minted for that service, not for the API: 401 {@code invalid_token}, at whoami as
 * at any route. The same exchange with the requester itself as audience is accepted.
 */
class ConfigApiAudienceIT extends OnSharedKeycloak {

  private static final String EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
  private static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";

  /**
   * A bound client whose tokens may also name {@code other} as audience (Keycloak's audience mapper
   * on the client): what a token exchange for {@code audience=other} needs.
   */
  private static Fixtures.Bound requesterFor(String other) {
    Fixtures.Bound requester =
        fixtures.boundClient("aud-requester", List.of("openid", ".:config/**"));
    fixtures.addAudience(requester.uuid(), other);
    return requester;
  }

  private static String exchange(Fixtures.Bound requester, String audience) {
    String subject = requester.token(".:config/**");
    Reply exchanged =
        http.token(
            TestClient.REALM,
            form(
                "grant_type", EXCHANGE,
                "client_id", requester.clientId(),
                "client_secret", Fixtures.SECRET,
                "subject_token", subject,
                "subject_token_type", ACCESS_TOKEN,
                "audience", audience,
                "scope", ".:config/**"));
    assertThat(exchanged).as("the exchange itself").hasStatus(200);
    return exchanged.json().get("access_token").asText();
  }

  private static List<String> audience(String token) {
    JsonNode aud = TestClient.claims(token).path("aud");
    List<String> values = new ArrayList<>();
    if (aud.isTextual()) {
      values.add(aud.asText());
    } else {
      aud.forEach(value -> values.add(value.asText()));
    }
    return values;
  }

  /**
   * Runs {@code test} with another service and a requester whose tokens may name it as audience
   * ({@link #requesterFor}); removes all three afterwards.
   */
  private static void withOtherService(BiConsumer<String, Fixtures.Bound> test) {
    String other = Fixtures.unique("other-service");
    String otherUuid = fixtures.createClient(other, Fixtures.SECRET);
    Fixtures.Bound requester = requesterFor(other);
    try {
      test.accept(other, requester);
    } finally {
      delete("clients/" + requester.uuid());
      delete("client-scopes/" + requester.policyId());
      delete("clients/" + otherUuid);
    }
  }

  private static void delete(String path) {
    http.admin("DELETE", "realms/demo/" + path, null);
  }

  @Test
  void aTokenExchangedForAnotherServiceIsRefusedAtWhoamiAndAtARead() {
    withOtherService(
        (other, requester) -> {
          String token = exchange(requester, other);
          assertThat(audience(token))
              .as("Keycloak keeps only the requested audience")
              .contains(other)
              .doesNotContain(requester.clientId());
          assertThat(ConfigApi.scopeOf(token)).contains(".:config/**");

          for (String path : List.of("config/whoami", "config/tokenPolicies")) {
            Reply refused = api.get(token, path);
            assertThat(refused).as(path).isInvalidToken();
            assertThat(refused.header("WWW-Authenticate")).contains("audience");
            assertThat(refused.body()).doesNotContain(token);
          }
        });
  }

  @Test
  void theSameExchangeWithTheRequesterAsAudienceIsAccepted() {
    withOtherService(
        (other, requester) -> {
          String token = exchange(requester, requester.clientId());
          assertThat(audience(token)).contains(requester.clientId()).doesNotContain(other);

          Reply me = api.get(token, "config/whoami");
          assertThat(me).hasStatus(200);
          assertThat(me.json().path("clientId").asText()).isEqualTo(requester.clientId());
          assertThat(api.get(token, "config/tokenPolicies")).hasStatus(200);
        });
  }
}
