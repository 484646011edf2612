package io.github.policyscopes.keycloak.compat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the extension needs of Keycloak is probed, not assumed from the version
 * (docs/adr/0027-capabilities-not-versions.md): against the Keycloak API this JAR is compiled with,
 * every capability resolves; one named as missing counts as missing.
 */
class CapabilitiesTest {

  @AfterEach
  void clear() {
    System.clearProperty(Capabilities.SIMULATE_MISSING);
  }

  /**
   * The API jars of the build answer every probe but one: {@code revisions} needs Keycloak's JPA
   * and cache modules, which only the distribution has (on a server the ITs start, the extension
   * runs, so it resolves there). Here its absence shows the probe answering instead of failing.
   */
  @Test
  void everyCapabilityOfTheApiItIsBuiltForResolves() {
    assertThat(Capabilities.names())
        .containsExactly(
            "auth-result-getters",
            "secret-rotation-context",
            "revisions",
            "features",
            "client-scope-parameterized",
            "realm-grant-config",
            "client-policy-manager");
    assertThat(Capabilities.missing()).containsOnlyKeys("revisions");
  }

  @Test
  void aCapabilityNamedMissingIsMissing() {
    System.setProperty(Capabilities.SIMULATE_MISSING, " secret-rotation-context ,, unknown-name");
    assertThat(Capabilities.missing())
        .containsOnlyKeys("secret-rotation-context", "revisions")
        .extractingByKey("secret-rotation-context")
        .asString()
        .contains("simulated");
  }
}
