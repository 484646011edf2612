package io.github.policyscopes.keycloak.rest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.keycloak.OAuth2Constants;

/**
 * Every rule of a client body ({@link ClientInput}), each refused with 400 and the field it names,
 * without a Keycloak: the body's fields on their own ({@link ClientInput.Body#parse}), then across
 * fields and over the client as it is ({@link ClientInput#of}).
 */
class ClientInputTest {

  private static final ClientView NOW =
      new ClientView(
          "id-1",
          "web-app",
          "Web app",
          "confidential",
          List.of("client_credentials"),
          List.of("https://app.example/cb"),
          List.of("p1"),
          true);

  @Test
  void theRulesReadNoKeycloak() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.keycloak..")
        .check(
            new ClassFileImporter()
                .importClasses(ClientInput.class, ClientInput.Body.class, ClientView.class));
  }

  // ---- each field on its own ----

  @Test
  void onlyKnownFieldsAreTaken() {
    assertThat(fieldOf(refusedParse("{\"clientId\":\"a\",\"secretx\":\"s\"}")))
        .isEqualTo("secretx");
  }

  @Test
  void aClientIdIsVisibleAsciiWithoutSpacesAndFitsAServiceAccountName() {
    assertThat(parse("{\"clientId\":\"a-b_c.d:e\"}").clientId()).isEqualTo("a-b_c.d:e");
    assertThat(parse("{\"clientId\":\"" + "a".repeat(ClientInput.MAX_CLIENT_ID) + "\"}").clientId())
        .hasSize(239);
    for (String bad :
        List.of("", "a b", "tab\\there", "é", "a".repeat(ClientInput.MAX_CLIENT_ID + 1))) {
      assertThat(fieldOf(refusedParse("{\"clientId\":\"" + bad + "\"}")))
          .as(bad)
          .isEqualTo("clientId");
    }
  }

  @Test
  void aNameIsAtMost255Characters() {
    assertThat(parse("{\"name\":\"" + "n".repeat(255) + "\"}").name()).hasSize(255);
    assertThat(fieldOf(refusedParse("{\"name\":\"" + "n".repeat(256) + "\"}"))).isEqualTo("name");
  }

  @Test
  void aTypeIsConfidentialOrPublic() {
    assertThat(parse("{\"type\":\"public\"}").type()).isEqualTo("public");
    assertThat(fieldOf(refusedParse("{\"type\":\"bearer-only\"}"))).isEqualTo("type");
  }

  @Test
  void grantTypesAreTheApisFourWithoutRepeats() {
    assertThat(
            parse("{\"grantTypes\":[\"password\",\"password\",\"authorization_code\"]}")
                .grantTypes())
        .containsExactly("password", "authorization_code");
    ApiError refused = refusedParse("{\"grantTypes\":[\"password\",\"implicit\"]}");
    assertThat(fieldOf(refused)).isEqualTo("grantTypes[1]");
    assertThat(refused.status()).isEqualTo(400);
  }

  @Test
  void theGrantNamesAreKeycloaks() {
    assertThat(ClientInput.CLIENT_CREDENTIALS).isEqualTo(OAuth2Constants.CLIENT_CREDENTIALS);
    assertThat(ClientInput.AUTHORIZATION_CODE).isEqualTo(OAuth2Constants.AUTHORIZATION_CODE);
    assertThat(ClientInput.PASSWORD).isEqualTo(OAuth2Constants.PASSWORD);
    assertThat(ClientInput.TOKEN_EXCHANGE).isEqualTo(OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE);
  }

  @Test
  void aRedirectUriIsAnAbsoluteHttpUriWithoutFragment() {
    assertThat(
            parse("{\"redirectUris\":[\"https://a.example/*\",\"http://localhost:8080/cb\"]}")
                .redirectUris())
        .hasSize(2);
    for (String bad :
        List.of(
            "/relative",
            "ftp://a.example/",
            "https://a.example/#frag",
            "https://a.example/a b",
            "https:///nohost",
            "https://a.example/" + "x".repeat(240))) {
      ApiError refused =
          refusedParse("{\"redirectUris\":[\"https://ok.example/\",\"" + bad + "\"]}");
      assertThat(fieldOf(refused)).as(bad).isEqualTo("redirectUris[1]");
    }
  }

  @Test
  void aTokenPolicyIdFitsAnIdKeycloakStores() {
    assertThat(parse("{\"tokenPolicies\":[\"p1\",\"p1\",\"p2\"]}").tokenPolicies())
        .containsExactly("p1", "p2");
    assertThat(fieldOf(refusedParse("{\"tokenPolicies\":[\"p1\",\"\"]}")))
        .isEqualTo("tokenPolicies[1]");
  }

  @Test
  void enabledIsABoolean() {
    assertThat(parse("{\"enabled\":false}").enabled()).isFalse();
    assertThat(fieldOf(refusedParse("{\"enabled\":\"no\"}"))).isEqualTo("enabled");
  }

  @Test
  void aFieldNotSentIsNull() {
    ClientInput.Body body = parse("{}");
    assertThat(body.clientId()).isNull();
    assertThat(body.grantTypes()).isNull();
    assertThat(body.tokenPolicies()).isNull();
  }

  // ---- across fields, over the client as it is ----

  @Test
  void aNewClientNeedsAClientIdAndGetsTheDefaults() {
    assertThat(fieldOf(refusedOf("{}", null))).isEqualTo("clientId");
    ClientInput input = ClientInput.of(parse("{\"clientId\":\"svc\"}"), null);
    assertThat(input)
        .isEqualTo(
            new ClientInput(
                "svc", null, true, List.of("client_credentials"), List.of(), List.of(), true));
  }

  @Test
  void aClientIdNeverChanges() {
    assertThat(fieldOf(refusedOf("{\"clientId\":\"other\"}", NOW))).isEqualTo("clientId");
    assertThat(ClientInput.of(parse("{\"clientId\":\"web-app\"}"), NOW).clientId())
        .isEqualTo("web-app");
    assertThat(ClientInput.of(parse("{}"), NOW).clientId()).isEqualTo("web-app");
  }

  @Test
  void whatTheBodyDoesNotSendStaysAsItIs() {
    ClientInput input = ClientInput.of(parse("{\"name\":\"New\"}"), NOW);
    assertThat(input)
        .isEqualTo(
            new ClientInput(
                "web-app",
                "New",
                true,
                List.of("client_credentials"),
                List.of("https://app.example/cb"),
                List.of("p1"),
                true));
  }

  @Test
  void clientCredentialsAndTokenExchangeNeedAConfidentialClient() {
    assertThat(fieldOf(refusedOf("{\"clientId\":\"c\",\"type\":\"public\"}", null)))
        .as("the default grant of a new client")
        .isEqualTo("grantTypes[0]");
    assertThat(
            fieldOf(
                refusedOf(
                    "{\"type\":\"public\",\"grantTypes\":[\"password\",\""
                        + ClientInput.TOKEN_EXCHANGE
                        + "\"]}",
                    NOW)))
        .isEqualTo("grantTypes[1]");
    assertThat(fieldOf(refusedOf("{\"type\":\"public\"}", NOW)))
        .as("the grants the client has")
        .isEqualTo("grantTypes[0]");
  }

  @Test
  void authorizationCodeNeedsARedirectUri() {
    assertThat(
            fieldOf(
                refusedOf("{\"clientId\":\"c\",\"grantTypes\":[\"authorization_code\"]}", null)))
        .isEqualTo("redirectUris");
    assertThat(
            fieldOf(
                refusedOf("{\"grantTypes\":[\"authorization_code\"],\"redirectUris\":[]}", NOW)))
        .isEqualTo("redirectUris");
    assertThat(ClientInput.of(parse("{\"grantTypes\":[\"authorization_code\"]}"), NOW).grantTypes())
        .as("the redirect URI it has")
        .containsExactly("authorization_code");
  }

  // ---- helpers ----

  private static ClientInput.Body parse(String json) {
    return ClientInput.Body.parse(object(json));
  }

  private static ApiError refusedParse(String json) {
    ApiError error = catchThrowableOfType(ApiError.class, () -> parse(json));
    assertThat(error).as(json).isNotNull();
    return error;
  }

  private static ApiError refusedOf(String json, @Nullable ClientView now) {
    ClientInput.Body body = parse(json);
    ApiError error = catchThrowableOfType(ApiError.class, () -> ClientInput.of(body, now));
    assertThat(error).as(json).isNotNull();
    return error;
  }

  /** The {@code field} the 400 names. */
  private static String fieldOf(ApiError error) {
    assertThat(error.status()).isEqualTo(400);
    try (var response = error.toResponse().build()) {
      JsonNode body = Json.MAPPER.readTree(String.valueOf(response.getEntity()));
      return body.path("field").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ObjectNode object(String json) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
