package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which audiences the config API accepts (docs/adr/0026). */
class ApiAudienceTest {

  @Test
  void aTokenMustNameItsOwnClient() {
    ApiAudience rule = ApiAudience.CLIENT_ONLY;
    assertThat(rule.accepts(new String[] {"account", "svc"}, "svc")).isTrue();
    assertThat(rule.accepts(new String[] {"other-service"}, "svc")).isFalse();
    assertThat(rule.accepts(new String[] {}, "svc")).isFalse();
    assertThat(rule.accepts(null, "svc")).isFalse();
    assertThat(rule.accepts(new String[] {"SVC"}, "svc")).as("exactly").isFalse();
  }

  @Test
  void aConfiguredAudienceOfTheApiIsThenTheOnlyOne() {
    ApiAudience rule = ApiAudience.of(new String[] {" config-api ", "", "ops-api"});
    assertThat(rule.configured()).containsExactlyInAnyOrder("config-api", "ops-api");
    assertThat(rule.accepts(new String[] {"config-api"}, "svc")).isTrue();
    assertThat(rule.accepts(new String[] {"svc", "ops-api"}, "svc")).isTrue();
    assertThat(rule.accepts(new String[] {"other-service"}, "svc")).isFalse();
    // the client itself is in the aud of every token its policy governs, those meant for other
    // services too: once the API has an audience of its own, naming the client is not enough
    assertThat(rule.accepts(new String[] {"backend", "svc"}, "svc")).isFalse();
    assertThat(rule.accepts(new String[] {"svc"}, "svc")).isFalse();
    assertThat(ApiAudience.of(null)).isEqualTo(ApiAudience.CLIENT_ONLY);
  }
}
