package io.github.policyscopes.keycloak.store;

import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.TokenPolicy;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.ScopeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ProtocolMapperModel;

/**
 * Token policies live in Keycloak's own model: a policy is a client scope carrying one protocol
 * mapper of this project, whose config holds the policy; binding a policy to a client makes it one
 * of the client's default client scopes. A mapper put straight on a client is a per-client policy.
 * See docs/adr/0003-policy-storage.md.
 */
public final class PolicyStore {

  /** Provider id of the protocol mapper that carries a policy. */
  public static final String MAPPER_PROVIDER_ID = "pbs-token-policy";

  public static final String ALLOWED_SCOPES = "allowedScopes";
  public static final String ACCESS_TOKEN_LIFETIME = "accessTokenLifetime";
  public static final String DISALLOWED_SCOPES = "disallowedScopes";

  /** How the admin console joins the values of a multivalued mapper field. */
  public static final String MULTIVALUE_SEPARATOR = "##";

  private static final Logger LOG = Logger.getLogger(PolicyStore.class);

  private static final int MAX_CACHED = 4096;
  private static final Map<List<TokenPolicy>, EffectivePolicy> MERGED = new ConcurrentHashMap<>();

  private PolicyStore() {}

  /** The policies bound to a client; empty for a client that no policy governs. */
  public static List<TokenPolicy> boundTo(ClientModel client) {
    return boundTo(client, client.getClientScopes(true));
  }

  /** As {@link #boundTo(ClientModel)}, given the client's default client scopes. */
  public static List<TokenPolicy> boundTo(
      ClientModel client, Map<String, ClientScopeModel> defaultScopes) {
    List<TokenPolicy> policies = new ArrayList<>(1);
    for (ClientScopeModel scope : defaultScopes.values()) {
      policyMappers(scope.getProtocolMappersStream())
          .forEach(m -> policies.add(toPolicy(scope.getId(), titleOf(scope), m)));
    }
    policyMappers(client.getProtocolMappersStream())
        .forEach(m -> policies.add(toPolicy(client.getId(), client.getClientId(), m)));
    return policies;
  }

  /**
   * A policy's title is its client scope's description, or its name when there is none: Keycloak
   * allows no spaces in client scope names (docs/adr/0003-policy-storage.md).
   */
  public static String titleOf(ClientScopeModel scope) {
    String description = scope.getDescription();
    return description == null || description.isBlank() ? scope.getName() : description;
  }

  /** True when the client scope is a token policy, i.e. carries this project's mapper. */
  public static boolean isPolicy(ClientScopeModel scope) {
    return policyMappers(scope.getProtocolMappersStream()).findAny().isPresent();
  }

  private static Stream<ProtocolMapperModel> policyMappers(Stream<ProtocolMapperModel> mappers) {
    return mappers.filter(m -> MAPPER_PROVIDER_ID.equals(m.getProtocolMapper()));
  }

  /** Reads a policy from a mapper's config, as stored (entries are parsed by {@link #merged}). */
  public static TokenPolicy toPolicy(String id, String title, ProtocolMapperModel mapper) {
    Map<String, String> config = mapper.getConfig();
    return new TokenPolicy(
        id,
        title,
        splitMultivalue(config.get(ALLOWED_SCOPES)),
        parseLifetime(config.get(ACCESS_TOKEN_LIFETIME), title),
        parseMode(config.get(DISALLOWED_SCOPES), title));
  }

  /**
   * The policies of a client merged and parsed, cached by their content: a policy is parsed once
   * per version, not once per token. Stored config is validated on every write through the admin
   * API; an entry that still does not parse (a hand-edited import, say) is logged and grants
   * nothing.
   */
  public static EffectivePolicy merged(List<TokenPolicy> policies) {
    if (MERGED.size() > MAX_CACHED) {
      MERGED.clear(); // policies are few; this only bounds memory against churn
    }
    return MERGED.computeIfAbsent(List.copyOf(policies), PolicyStore::parse);
  }

  private static EffectivePolicy parse(List<TokenPolicy> policies) {
    for (TokenPolicy policy : policies) {
      for (String entry : policy.allowedScopes()) {
        try {
          Scope.parse(entry);
        } catch (ScopeParseException e) {
          LOG.warnf(
              "Token policy %s: ignoring malformed entry: %s", policy.title(), e.getMessage());
        }
      }
    }
    return EffectivePolicy.merge(policies);
  }

  public static List<String> splitMultivalue(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(MULTIVALUE_SEPARATOR))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  public static String joinMultivalue(List<String> values) {
    return String.join(MULTIVALUE_SEPARATOR, values);
  }

  private static Integer parseLifetime(String value, String title) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      int seconds = Integer.parseInt(value.trim());
      if (seconds >= TokenPolicy.MIN_LIFETIME && seconds <= TokenPolicy.MAX_LIFETIME) {
        return seconds;
      }
    } catch (NumberFormatException ignored) {
      // logged below
    }
    LOG.warnf("Token policy %s: ignoring invalid access token lifetime '%s'", title, value);
    return null;
  }

  private static DisallowedScopesMode parseMode(String value, String title) {
    if (value == null || value.isBlank()) {
      return DisallowedScopesMode.IGNORE;
    }
    try {
      return DisallowedScopesMode.parse(value);
    } catch (IllegalArgumentException e) {
      // fail closed: an unreadable mode rejects rather than silently granting less than asked
      LOG.warnf("Token policy %s: unknown disallowed-scopes mode '%s', using reject", title, value);
      return DisallowedScopesMode.REJECT;
    }
  }
}
