package io.github.policyscopes.keycloak.compat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.keycloak.common.Profile;
import org.keycloak.common.Version;
import org.keycloak.models.RealmModel;

/**
 * The Keycloak this JAR runs in, decided once at class load: its version, whether the extension is
 * active on it, and which version-dependent mechanism it uses. One JAR serves 26.4 through 26.7; on
 * any other version the extension stays inactive: the token side behaves as stock Keycloak (no
 * policy is found for any client) and {@code /realms/{realm}/config} is not served (404).
 *
 * <p>{@code -Dpolicyscopes.keycloak.version=X} replaces the detected version: for trying the
 * extension on a version outside the tested range at one's own risk, and for the test that proves
 * the inactive path.
 */
public final class KeycloakRuntime {

  private static final Logger LOG = Logger.getLogger("io.github.policyscopes");

  static final String OVERRIDE_PROPERTY = "policyscopes.keycloak.version";

  private static final String DETECTED = System.getProperty(OVERRIDE_PROPERTY, Version.VERSION);
  private static final Optional<KeycloakVersion> VERSION = KeycloakVersion.parse(DETECTED);
  private static final boolean ACTIVE = VERSION.map(KeycloakVersion::supported).orElse(false);
  private static final boolean TOKEN_POST_PROCESSORS =
      classExists("org.keycloak.protocol.oidc.token.TokenPostProcessor");
  private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

  private KeycloakRuntime() {}

  /** Whether the extension does anything on this server. */
  public static boolean active() {
    return ACTIVE;
  }

  /**
   * Whether Keycloak runs token post-processors (SPI {@code token-interceptor}, 26.6+), which write
   * the refresh ceiling into refresh tokens; before 26.6 the grant wrapper re-signs the refresh
   * token itself.
   */
  public static boolean tokenPostProcessors() {
    return TOKEN_POST_PROCESSORS;
  }

  /** Logs, once per server start, the version found and what differs on it. */
  public static void announce() {
    if (!ANNOUNCED.compareAndSet(false, true)) {
      return;
    }
    if (!ACTIVE) {
      LOG.errorf(
          "Policy-bound scopes does not support Keycloak %s (supported: %s to %s.x): the extension"
              + " is INACTIVE. Token requests behave as in stock Keycloak (token policies are not"
              + " applied) and /realms/{realm}/config is not served. Install the release built"
              + " for this Keycloak version.",
          DETECTED, KeycloakVersion.OLDEST, lineOf(KeycloakVersion.NEWEST_LINE));
      return;
    }
    LOG.infof(
        "Policy-bound scopes active on Keycloak %s (supported: %s to %s.x); refresh-token grant"
            + " claim written by %s",
        DETECTED,
        KeycloakVersion.OLDEST,
        lineOf(KeycloakVersion.NEWEST_LINE),
        TOKEN_POST_PROCESSORS
            ? "a token post-processor"
            : "the grant wrapper, which re-signs the refresh token (no token post-processor SPI"
                + " before 26.6)");
  }

  /**
   * The feature that lets Keycloak read a client scope marked parameterized as {@code
   * name:parameter}: {@code PARAMETERIZED_SCOPES} in 26.7, {@code DYNAMIC_SCOPES} before (the enum
   * constant of the other version does not exist, so it is looked up by name).
   */
  private static final List<String> PARAMETERIZED_FEATURES =
      List.of("PARAMETERIZED_SCOPES", "DYNAMIC_SCOPES");

  /**
   * Whether Keycloak's parameterized (26.4–26.6: dynamic) client scopes are on; false if unknown.
   */
  public static boolean parameterizedScopesOn() {
    for (String name : PARAMETERIZED_FEATURES) {
      try {
        return Profile.isFeatureEnabled(Profile.Feature.valueOf(name));
      } catch (IllegalArgumentException | NullPointerException notThisVersion) {
        // the next name, or off
      }
    }
    return false;
  }

  /**
   * Whether Keycloak reads the Organizations scope as {@code organization:alias} in this realm: the
   * feature is on and the realm has organizations enabled (26.7's {@code Organizations.isEnabled},
   * which 26.4 does not have).
   */
  public static boolean organizationsOn(RealmModel realm) {
    return Profile.isFeatureEnabled(Profile.Feature.ORGANIZATION) && realm.isOrganizationsEnabled();
  }

  private static String lineOf(KeycloakVersion version) {
    return version.major() + "." + version.minor();
  }

  private static boolean classExists(String name) {
    try {
      Class.forName(name, false, KeycloakRuntime.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }
}
