package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class ServerSmokeIT extends OnSharedKeycloak {

  @Test
  void theExtensionIsLoaded(TestClient client) {
    Reply info = client.admin("GET", "serverinfo", null);

    assertThat(info).hasStatus(200);
    JsonNode providers = info.json().path("providers");
    assertThat(providers.path("protocol-mapper").path("providers").has("pbs-token-policy"))
        .as("our protocol mapper is registered")
        .isTrue();
    assertThat(providers.path("realm-restapi-extension").path("providers").has("config"))
        .as("the config REST API is registered")
        .isTrue();
  }

  @Test
  void theDemoRealmIsImported(TestClient client) {
    Reply realm = client.admin("GET", "realms/demo", null);

    assertThat(realm).hasStatus(200).hasJson("/realm", "demo");
  }

  /**
   * The admin console loads its texts from {@code /resources/{realm}/admin/{locale}}: the theme's
   * {@code messages} bundle, into which Keycloak merges every provider JAR's {@code
   * theme-resources/messages/messages_en.properties}.
   */
  @Test
  void theConsoleMessagesCarryOurLabelsAndHelpTexts(TestClient client) {
    Map<String, String> messages = new HashMap<>();
    for (String realm : List.of("master", "demo")) {
      Reply reply =
          client.send(
              HttpRequest.newBuilder(
                  URI.create(client.baseUrl() + "/resources/" + realm + "/admin/en")));
      assertThat(reply).hasStatus(200);
      reply.json().forEach(m -> messages.put(m.get("key").asText(), m.get("value").asText()));
      assertThat(messages)
          .containsEntry("pbs.allowedScopes.label", "Allowed scopes")
          .containsEntry("pbs.accessTokenLifetime.label", "Access token lifetime")
          .containsEntry("pbs.disallowedScopes.label", "Disallowed scopes")
          .containsKeys(
              "pbs.allowedScopes.help",
              "pbs.accessTokenLifetime.help",
              "pbs.disallowedScopes.help");
    }
  }

  /** The console shows a mapper type's name and help text as they are: they arrive resolved. */
  @Test
  void theMapperTypeArrivesInEnglish(TestClient client) {
    JsonNode types = client.admin("GET", "serverinfo", null).json().path("protocolMapperTypes");
    JsonNode ours = null;
    for (JsonNode type : types.path("openid-connect")) {
      if (type.path("id").asText().equals("pbs-token-policy")) {
        ours = type;
      }
    }
    assertThat(ours).isNotNull();
    assertThat(ours.path("name").asText()).isEqualTo("Token policy (policy-bound scopes)");
    assertThat(ours.path("helpText").asText()).startsWith("Binds the scopes");
    assertThat(ours.path("properties").get(0).path("label").asText())
        .as("config labels stay keys: the console resolves them")
        .isEqualTo("pbs.allowedScopes.label");
  }

  @Test
  void aMalformedPolicyIsRefusedWithTheBundlesText(TestClient client) {
    Fixtures admin = new Fixtures(client);
    String policy = admin.policy("smoke-policy", ".:**");

    Reply refused = admin.editPolicy(policy, List.of("*:a//b"), null, null);

    assertThat(refused)
        .hasStatus(400)
        .hasJson(
            "/error_description",
            "Invalid token policy: Allowed scopes, entry 1: \"*:a//b\": empty path segment at"
                + " position 4")
        .hasError("Allowed scopes, entry 1: \"*:a//b\": empty path segment at position 4");
    client.admin("DELETE", "realms/demo/client-scopes/" + policy, null);
  }
}
