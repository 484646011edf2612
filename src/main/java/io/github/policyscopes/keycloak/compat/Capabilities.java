package io.github.policyscopes.keycloak.compat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.keycloak.common.Profile;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.endpoints.request.AuthorizationEndpointRequest;
import org.keycloak.protocol.oidc.grants.ciba.channel.CIBAAuthenticationRequest;
import org.keycloak.protocol.oidc.grants.ciba.clientpolicy.context.BackchannelAuthenticationRequestContext;
import org.keycloak.protocol.oidc.grants.ciba.endpoints.request.BackchannelAuthenticationEndpointRequest;
import org.keycloak.protocol.oidc.grants.device.clientpolicy.context.DeviceAuthorizationRequestContext;
import org.keycloak.services.clientpolicy.DefaultClientPolicyManager;
import org.keycloak.services.clientpolicy.context.AuthorizationRequestContext;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * What the extension needs of the running Keycloak beyond its stable SPIs, each probed once at
 * start (docs/adr/0027-capabilities-not-versions.md): the methods it resolves at run time ({@link
 * ClientPolicyContexts}, {@code store.Revisions}) and those that were renamed, deprecated or added
 * across 26.x. A capability that does not resolve makes the extension refuse tokens for bound
 * clients instead of letting them be issued unconstrained ({@link KeycloakRuntime}).
 *
 * <p>{@value #SIMULATE_MISSING} (a JVM option, comma-separated capability names) makes those count
 * as missing: for the test of the refusing path, and for an operator who wants to see it.
 */
public final class Capabilities {

  static final String SIMULATE_MISSING = "policyscopes.capabilities.missing";

  /**
   * Resolves its method handles when it initializes; named, not imported: compat is below store.
   */
  private static final String REVISIONS = "io.github.policyscopes.keycloak.store.Revisions";

  private Capabilities() {}

  /** Each capability by name, with its probe: null when it resolves, else what is missing. */
  private static Map<String, Supplier<@Nullable String>> probes() {
    Map<String, Supplier<@Nullable String>> probes = new LinkedHashMap<>();
    probes.put(
        "auth-result-getters",
        () -> methods(AuthenticationManager.AuthResult.class, "getToken", "getClient", "getUser"));
    probes.put(
        "secret-rotation-context",
        () ->
            ClientPolicyContexts.resolved()
                ? null
                : "no known ClientSecretRotationContext constructor");
    probes.put(
        "revisions",
        () -> {
          try {
            // its method handles resolve when the class initializes
            Class.forName(REVISIONS, true, Capabilities.class.getClassLoader());
            return null;
          } catch (ClassNotFoundException | LinkageError | RuntimeException unresolved) {
            return "the JPA entity manager or the realm cache invalidation: " + unresolved;
          }
        });
    probes.put(
        "features",
        () -> {
          for (String feature : List.of("TOKEN_EXCHANGE", "ORGANIZATION", "AUTHORIZATION")) {
            try {
              Profile.Feature.valueOf(feature);
            } catch (IllegalArgumentException absent) {
              return "Profile.Feature." + feature;
            }
          }
          return null;
        });
    probes.put(
        "client-scope-parameterized", () -> methods(ClientScopeModel.class, "isDynamicScope"));
    probes.put(
        "realm-grant-config",
        () ->
            methods(
                RealmModel.class,
                "getOAuth2DeviceConfig",
                "getCibaPolicy",
                "isOrganizationsEnabled",
                "getMasterAdminClient"));
    probes.put(
        "client-policy-manager",
        () -> {
          try {
            // the grant's scopes decided where they are asked for (keycloak.token)
            var unused = DefaultClientPolicyManager.class.getConstructor(KeycloakSession.class);
            // and what it reads of the requests where scopes are asked (AuthorizationRequests)
            return firstMissing(
                methods(DefaultClientPolicyManager.class, "triggerOnEvent"),
                methods(AuthorizationRequestContext.class, "getAuthorizationEndpointRequest"),
                methods(AuthorizationEndpointRequest.class, "getScope"),
                methods(DeviceAuthorizationRequestContext.class, "getRequest"),
                methods(
                    BackchannelAuthenticationRequestContext.class,
                    "getRequest",
                    "getParsedRequest"),
                methods(BackchannelAuthenticationEndpointRequest.class, "getScope"),
                methods(CIBAAuthenticationRequest.class, "getScope", "setScope"));
          } catch (NoSuchMethodException absent) {
            return "DefaultClientPolicyManager(KeycloakSession)";
          }
        });
    return probes;
  }

  /** The capabilities that do not resolve on this Keycloak, by name, with what is missing. */
  static Map<String, String> missing() {
    Set<String> simulated =
        Arrays.stream(System.getProperty(SIMULATE_MISSING, "").split(","))
            .map(String::trim)
            .filter(name -> !name.isEmpty())
            .collect(Collectors.toSet());
    Map<String, String> missing = new LinkedHashMap<>();
    probes()
        .forEach(
            (name, probe) -> {
              String problem;
              try {
                problem =
                    simulated.contains(name)
                        ? "simulated (-D" + SIMULATE_MISSING + ")"
                        : probe.get();
              } catch (LinkageError | RuntimeException failed) {
                problem = failed.toString();
              }
              if (problem != null) {
                missing.put(name, problem);
              }
            });
    return missing;
  }

  /** The names of every capability probed. */
  static Set<String> names() {
    return probes().keySet();
  }

  private static @Nullable String firstMissing(@Nullable String... problems) {
    for (String problem : problems) {
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static @Nullable String methods(Class<?> type, String... names) {
    for (String name : names) {
      boolean found = Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(name));
      if (!found) {
        return type.getName() + "#" + name;
      }
    }
    return null;
  }
}
