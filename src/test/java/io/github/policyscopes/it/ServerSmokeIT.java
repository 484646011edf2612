package io.github.policyscopes.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KeycloakServerExtension.class)
class ServerSmokeIT {

  @Test
  void theExtensionIsLoaded(TestClient client) {
    TestClient.Reply info = client.admin("GET", "serverinfo", null);

    assertThat(info.status()).isEqualTo(200);
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
    TestClient.Reply realm = client.admin("GET", "realms/demo", null);

    assertThat(realm.status()).isEqualTo(200);
    assertThat(realm.json().path("realm").asText()).isEqualTo("demo");
  }
}
