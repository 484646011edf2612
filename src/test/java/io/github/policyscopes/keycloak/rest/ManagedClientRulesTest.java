package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.keycloak.store.HandOver;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pure rules behind managed clients: which policies hold config power, which ids are
 * Keycloak's.
 */
class ManagedClientRulesTest {

  @Test
  void aConfigGrantIsAReadOrWriteConfigScope() {
    assertThat(grants(List.of("openid", "*:**"))).isTrue();
    assertThat(grants(List.of(".:config/clients/*"))).isTrue();
    assertThat(grants(List.of("openid", "profile", "email"))).isFalse();
    assertThat(grants(List.of("-:config/**"))).as("a deny").isFalse();
    assertThat(grants(List.of())).isFalse();
  }

  @Test
  void aMalformedGrantCountsAsAGrant() {
    // fail closed: an entry that looks like a grant but does not parse is treated as one
    assertThat(grants(List.of("*:config//x"))).isTrue();
    assertThat(grants(List.of("-:config//x"))).isFalse();
  }

  @Test
  void keycloakOwnedClientIdsAreReserved() {
    for (String id :
        List.of(
            "admin-permissions",
            "realm-management",
            "broker",
            "account",
            "account-console",
            "admin-cli",
            "security-admin-console",
            "master-realm",
            "demo-realm")) {
      assertThat(HandOver.isReserved(id)).as(id).isTrue();
    }
    for (String id : List.of("config-admin", "web-app", "realm", "my-realm-app")) {
      assertThat(HandOver.isReserved(id)).as(id).isFalse();
    }
  }

  private static boolean grants(List<String> entries) {
    return new io.github.policyscopes.policy.TokenPolicy("id", "t", entries, null, null)
        .hasConfigGrant();
  }
}
