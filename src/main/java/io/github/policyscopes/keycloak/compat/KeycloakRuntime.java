package io.github.policyscopes.keycloak.compat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.common.Profile;
import org.keycloak.common.Version;
import org.keycloak.models.RealmModel;

/**
 * The Keycloak this JAR runs in, decided once at class load: its version, whether the extension can
 * run on it, and which version-dependent mechanism it uses
 * (docs/adr/0027-capabilities-not-versions.md). It runs on 26.4 and any later Keycloak where every
 * capability it needs resolves ({@link Capabilities}), whatever the version says. Where one does
 * not, or the version is older or cannot be read, it <em>refuses</em>: token requests of clients
 * bound to a token policy answer a clear OAuth error instead of stock tokens, every other client is
 * untouched, and {@code /realms/{realm}/config} is not served (404). It never fails open.
 *
 * <p>{@code -Dpolicyscopes.keycloak.version=X} replaces the detected version and {@code
 * -Dpolicyscopes.capabilities.missing=name,…} makes capabilities count as missing: for the tests of
 * both paths.
 */
public final class KeycloakRuntime {

  private static final Logger LOG = Logger.getLogger("io.github.policyscopes");

  static final String OVERRIDE_PROPERTY = "policyscopes.keycloak.version";

  private static final String DETECTED = System.getProperty(OVERRIDE_PROPERTY, Version.VERSION);
  private static final Optional<KeycloakVersion> VERSION = KeycloakVersion.parse(DETECTED);
  private static final Map<String, String> MISSING = missingCapabilities();
  private static final boolean ACTIVE = MISSING.isEmpty();
  private static final boolean TOKEN_POST_PROCESSORS =
      classExists("org.keycloak.protocol.oidc.token.TokenPostProcessor");
  private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

  private KeycloakRuntime() {}

  /**
   * Whether the extension enforces token policies on this server; when not, it refuses the token
   * requests of bound clients ({@link #refusal}).
   */
  public static boolean active() {
    return ACTIVE;
  }

  /**
   * Why bound clients are refused here, as the {@code error_description} of the refusal: names the
   * extension and where to look, not the Keycloak version or what it lacks (anyone can provoke the
   * refusal with a public client's id; the start log's {@code ERROR} has the details).
   */
  public static String refusal() {
    return "policy-bound scopes cannot enforce this client's token policy on this Keycloak: the"
        + " token is refused rather than issued without its policy (the server log says what is"
        + " missing)";
  }

  /**
   * What this Keycloak lacks: a version older than {@link KeycloakVersion#OLDEST} or one that
   * cannot be read, and every capability that does not resolve.
   */
  private static Map<String, String> missingCapabilities() {
    Map<String, String> missing = new LinkedHashMap<>();
    if (VERSION.isEmpty()) {
      missing.put("version", "the version " + DETECTED + " cannot be read");
    } else if (VERSION.get().compareTo(KeycloakVersion.OLDEST) < 0) {
      missing.put("version", DETECTED + " is older than " + KeycloakVersion.OLDEST);
    }
    missing.putAll(Capabilities.missing());
    return missing;
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
          "Policy-bound scopes cannot run on Keycloak %s: missing %s. Token requests of clients"
              + " bound to a token policy are REFUSED (unauthorized_client) rather than issued"
              + " without their policy; every other client is untouched; /realms/{realm}/config is"
              + " not served. Install the extension's release for this Keycloak.",
          DETECTED,
          MISSING.entrySet().stream()
              .map(e -> e.getKey() + " (" + e.getValue() + ")")
              .collect(Collectors.joining(", ")));
      return;
    }
    if (!VERSION.map(KeycloakVersion::supported).orElse(false)) {
      LOG.warnf(
          "Policy-bound scopes runs on Keycloak %s, newer than the versions it was tested on (%s"
              + " to %s.x): every capability it needs resolved (%s)",
          DETECTED,
          KeycloakVersion.OLDEST,
          lineOf(KeycloakVersion.NEWEST_LINE),
          String.join(", ", Capabilities.names()));
    }
    LOG.infof(
        "Policy-bound scopes active on Keycloak %s (tested: %s to %s.x; capabilities resolved: %s);"
            + " refresh-token grant claim written by %s",
        DETECTED,
        KeycloakVersion.OLDEST,
        lineOf(KeycloakVersion.NEWEST_LINE),
        String.join(", ", Capabilities.names()),
        TOKEN_POST_PROCESSORS
            ? "a token post-processor"
            : "the grant wrapper, which re-signs the refresh token (no token post-processor SPI"
                + " before 26.6)");
  }

  /**
   * The feature that lets Keycloak read a client scope marked parameterized as {@code
   * name:parameter}: {@code PARAMETERIZED_SCOPES} in 26.7, {@code DYNAMIC_SCOPES} before (the enum
   * constant of the other version does not exist, so it is looked up by name, once); null if this
   * Keycloak has neither.
   */
  private static final Profile.@Nullable Feature PARAMETERIZED_FEATURE =
      feature("PARAMETERIZED_SCOPES", "DYNAMIC_SCOPES");

  private static Profile.@Nullable Feature feature(String... names) {
    for (String name : names) {
      try {
        return Profile.Feature.valueOf(name);
      } catch (IllegalArgumentException | LinkageError notThisVersion) {
        // the next name, or none
      }
    }
    return null;
  }

  /**
   * Whether Keycloak's parameterized (26.4–26.6: dynamic) client scopes are on; false if unknown.
   */
  public static boolean parameterizedScopesOn() {
    if (PARAMETERIZED_FEATURE == null) {
      return false;
    }
    try {
      return Profile.isFeatureEnabled(PARAMETERIZED_FEATURE);
    } catch (NullPointerException noProfile) {
      return false; // no profile loaded: off
    }
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
