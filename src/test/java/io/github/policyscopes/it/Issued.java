package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The token of one {@code client_credentials} request, as the token response, the JWT and
 * introspection each state its scope.
 */
public record Issued(Reply response, JsonNode claims, JsonNode introspection) {

  /** Issues a token in the demo realm; fails unless the request is 200. */
  public static Issued issue(TestClient client, String clientId, String secret, String scope) {
    return issue(client, TestClient.REALM, clientId, secret, scope);
  }

  /** Issues a token in {@code realm}; fails unless the request is 200. */
  public static Issued issue(
      TestClient client, String realm, String clientId, String secret, String scope) {
    Reply response =
        client.token(
            realm,
            TestClient.form(
                "grant_type", "client_credentials",
                "client_id", clientId,
                "client_secret", secret,
                "scope", scope));
    assertThat(response).hasStatus(200);
    String token = response.json().get("access_token").asText();
    JsonNode introspection = client.introspect(realm, clientId, secret, token).json();
    return new Issued(response, TestClient.claims(token), introspection);
  }

  /**
   * The token is active and the response, the JWT and introspection all say scope {@code expected}.
   */
  public static void assertSameScopeEverywhere(Issued issued, String expected) {
    assertThat(issued.responseScope()).as("token response scope").isEqualTo(expected);
    assertThat(issued.claimScope()).as("access token scope claim").isEqualTo(expected);
    assertThat(issued.introspection().get("active").asBoolean()).as("active").isTrue();
    assertThat(issued.introspectedScope()).as("introspected scope").isEqualTo(expected);
  }

  public String responseScope() {
    return response.json().has("scope") ? response.json().get("scope").asText() : null;
  }

  public String claimScope() {
    return claims.has("scope") ? claims.get("scope").asText() : null;
  }

  public String introspectedScope() {
    return introspection.has("scope") ? introspection.get("scope").asText() : null;
  }
}
