package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A client secret's ETag and answer ({@link ClientSecrets}). */
class ClientSecretsTest {

  @Test
  void theEtagIsStrongAndChangesWithTheSecretTheClientAndTheRevision() {
    String etag = ClientSecrets.etag("c1", "s3cr3t-value", 7);
    assertThat(etag).startsWith("\"").endsWith("\"").doesNotContain("s3cr3t").hasSize(26);
    assertThat(ClientSecrets.etag("c1", "s3cr3t-value", 7)).isEqualTo(etag);
    assertThat(ClientSecrets.etag("c1", "other", 7)).isNotEqualTo(etag);
    assertThat(ClientSecrets.etag("c1", "s3cr3t-value", 8)).isNotEqualTo(etag);
    assertThat(ClientSecrets.etag("c2", "s3cr3t-value", 7)).isNotEqualTo(etag);
  }

  @Test
  void noSecretHasAnEtagAndAnAnswer() {
    assertThat(ClientSecrets.etag("c1", null, 7)).isEqualTo(ClientSecrets.etag("c1", "", 7));
    // Map.of would throw: a confidential client Keycloak holds no secret for is no 500
    Map<String, Object> expected = new HashMap<>();
    expected.put("secret", null);
    assertThat(new ClientSecrets.Secret(null, "\"e\"").body()).isEqualTo(expected);
    assertThat(new ClientSecrets.Secret("s", "\"e\"").body()).isEqualTo(Map.of("secret", "s"));
  }
}
