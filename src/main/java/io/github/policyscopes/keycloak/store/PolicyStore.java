package io.github.policyscopes.keycloak.store;

import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.TokenPolicy;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ProtocolMapperContainerModel;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/**
 * Token policies in Keycloak's own model: a policy is a client scope carrying this project's
 * protocol mapper ({@value #MAPPER_PROVIDER_ID}), whose config ({@link PolicyConfig}) holds the
 * policy; binding a policy to a client makes it one of the client's default client scopes. A mapper
 * put straight on a client is a per-client policy. See docs/adr/0003-policy-storage.md.
 *
 * <p>One definition of "the policies that govern a client" serves issuance, the API's views and
 * every check: every policy mapper on the client's default client scopes and on the client itself
 * (docs/adr/0008-every-policy-mapper-grants.md). Nothing outside this package knows the mapper's
 * config keys or the multivalue encoding.
 */
public final class PolicyStore {

  /** Provider id of the protocol mapper that carries a policy. */
  public static final String MAPPER_PROVIDER_ID = "pbs-token-policy";

  /** The name the config API gives the mapper it creates. */
  private static final String MAPPER_NAME = "token policy";

  private static final Logger LOG = Logger.getLogger(PolicyStore.class);

  /**
   * Merged policies by content: a new version of a policy is a new key, the old one ages out.
   * Bounded by weight ({@link CacheBudget#MERGED_POLICIES_BYTES}): the policies of the key and the
   * compiled merge, estimated.
   */
  private static final LoadingCache<List<TokenPolicy>, EffectivePolicy> MERGED =
      CacheBudget.weighed(
          CacheBudget.MERGED_POLICIES_BYTES,
          PolicyStore::parse,
          e -> mergedWeight(e.key(), e.value()));

  private PolicyStore() {}

  // ---- what governs a client ----

  /** The policies that govern a client, one per policy mapper; empty for an unbound client. */
  public static List<TokenPolicy> boundTo(ClientModel client) {
    return boundTo(client, client.getClientScopes(true));
  }

  /** As {@link #boundTo(ClientModel)}, given the client's default client scopes. */
  public static List<TokenPolicy> boundTo(
      ClientModel client, Map<String, ClientScopeModel> defaultScopes) {
    List<TokenPolicy> policies = new ArrayList<>(1);
    for (ClientScopeModel scope : defaultScopes.values()) {
      policyMappers(scope)
          .forEach(
              m ->
                  policies.add(
                      PolicyConfig.readStored(m.getConfig())
                          .toPolicy(scope.getId(), titleOf(scope))));
    }
    policyMappers(client)
        .forEach(
            m ->
                policies.add(
                    PolicyConfig.readStored(m.getConfig())
                        .toPolicy(client.getId(), client.getClientId())));
    return policies;
  }

  /**
   * What the client's tokens may carry now: its policies merged, without config grants for a public
   * client (config power is for confidential clients); null for a client that no policy governs. An
   * entry {@code name:*} covers {@code name:value} of the client scopes of the client that Keycloak
   * parameterizes ({@link ParameterizedClientScopes}, docs/adr/0030).
   */
  public static @Nullable EffectivePolicy effectiveFor(ClientModel client) {
    return effectiveFor(client, client.getClientScopes(true));
  }

  /** As {@link #effectiveFor(ClientModel)}, given the client's default client scopes. */
  public static @Nullable EffectivePolicy effectiveFor(
      ClientModel client, Map<String, ClientScopeModel> defaultScopes) {
    return effectiveFor(client, defaultScopes, () -> client.getClientScopes(false));
  }

  /**
   * As {@link #effectiveFor(ClientModel)}, given the client's default client scopes and a way to
   * its optional ones (read only when a policy entry may be parameterized).
   */
  public static @Nullable EffectivePolicy effectiveFor(
      ClientModel client,
      Map<String, ClientScopeModel> defaultScopes,
      Supplier<Map<String, ClientScopeModel>> optionalScopes) {
    if (!KeycloakRuntime.active()) {
      // a Keycloak the extension cannot run on: the grant wrapper and the policy mapper refuse
      // bound clients (docs/adr/0027); nothing here decides for them
      return null;
    }
    List<TokenPolicy> policies = boundTo(client, defaultScopes);
    if (policies.isEmpty()) {
      return null;
    }
    EffectivePolicy merged = merged(policies);
    if (merged.mayHaveParameterPatterns()) {
      // name:* covers name:value only for the client scopes Keycloak parameterizes (ADR 0030)
      merged =
          merged.withParameters(
              ParameterizedClientScopes.of(
                  client.getRealm(),
                  Stream.concat(
                      defaultScopes.values().stream(),
                      Stream.of(optionalScopes).flatMap(o -> o.get().values().stream()))));
    }
    return client.isPublicClient() || client.isBearerOnly() ? merged.withoutConfigGrants() : merged;
  }

  /**
   * The policies merged and parsed, cached by their content: a policy is parsed and validated once
   * per version, not once per token. A policy with an invalid entry grants no config scope (logged
   * once per version).
   */
  public static EffectivePolicy merged(List<TokenPolicy> policies) {
    return MERGED.get(List.copyOf(policies));
  }

  /** The estimated bytes of a cached merge: its key's policies and the merged policy. */
  static long mergedWeight(List<TokenPolicy> policies, EffectivePolicy merged) {
    long bytes = Footprint.list(policies.size()) + merged.estimatedBytes();
    for (TokenPolicy p : policies) {
      bytes += p.estimatedBytes();
    }
    return bytes;
  }

  private static EffectivePolicy parse(List<TokenPolicy> policies) {
    EffectivePolicy merged = EffectivePolicy.merge(policies);
    for (String title : merged.broken()) {
      LOG.errorf(
          "Token policy \"%s\" holds an invalid entry: it grants no config scope until it is"
              + " fixed (see the policy's warnings in the config API)",
          printable(title));
    }
    return merged;
  }

  // ---- one policy ----

  /**
   * A policy's title is its client scope's description, or its name when there is none: Keycloak
   * allows no spaces in client scope names (docs/adr/0003-policy-storage.md).
   */
  public static String titleOf(ClientScopeModel scope) {
    return titleOf(scope.getName(), scope.getDescription());
  }

  /** {@link #titleOf(ClientScopeModel)} from a client scope's name and description. */
  static String titleOf(String name, @Nullable String description) {
    return description == null || description.isBlank() ? name : description;
  }

  /**
   * The client attribute naming the token policy ceiling a client was registered under (the id of
   * the policy's client scope): set when dynamic client registration binds the ceiling
   * (keycloak.registration, docs/adr/0029), read at every token request of an unbound client.
   */
  public static final String CEILING_ATTRIBUTE = "pbs.registration.ceiling";

  /** Why a client registered under a token policy ceiling that it has lost is refused. */
  public static final String CEILING_LOST =
      "The client was registered under a token policy ceiling that is no longer bound to it";

  /** Whether the client was registered under a token policy ceiling (docs/adr/0029). */
  public static boolean registeredUnderCeiling(ClientModel client) {
    String ceiling = client.getAttribute(CEILING_ATTRIBUTE);
    return ceiling != null && !ceiling.isBlank();
  }

  /** As {@link #ceilingLost(ClientModel, Map)}, with the client's default client scopes. */
  public static boolean ceilingLost(ClientModel client) {
    return ceilingLost(client, client.getClientScopes(true));
  }

  /**
   * Whether a client registered under a token policy ceiling has lost it: the ceiling's client
   * scope is no longer bound to it as a token policy (unbound in the console, made optional, its
   * policy mapper removed, the scope deleted). Such a client is refused, never given stock tokens;
   * an administrator who means to release it empties the attribute too.
   */
  public static boolean ceilingLost(ClientModel client, Map<String, ClientScopeModel> defaults) {
    String ceiling = client.getAttribute(CEILING_ATTRIBUTE);
    return registeredUnderCeiling(client)
        && defaults.values().stream()
            .noneMatch(scope -> scope.getId().equals(ceiling) && isPolicy(scope));
  }

  /** True when the client scope is a token policy, i.e. carries this project's mapper. */
  public static boolean isPolicy(ClientScopeModel scope) {
    return policyMappers(scope).findAny().isPresent();
  }

  /** How many policy mappers the client scope carries (more than one: all of them grant). */
  public static long mapperCount(ClientScopeModel scope) {
    return policyMappers(scope).count();
  }

  /**
   * How many policy mappers the client scope will carry once {@code saved} (a policy mapper being
   * created or updated in the admin console) is saved: the others, and it.
   */
  public static long mapperCountAfterSaving(ClientScopeModel scope, ProtocolMapperModel saved) {
    return policyMappers(scope).filter(m -> !m.getId().equals(saved.getId())).count() + 1;
  }

  /** A policy scope's config: every policy mapper on it, merged. Null when it is no policy. */
  public static @Nullable PolicyConfig configOf(ClientScopeModel scope) {
    return policyMappers(scope)
        .map(m -> PolicyConfig.read(m.getConfig()))
        .reduce(PolicyConfig::mergedWith)
        .orElse(null);
  }

  /** The policy a policy scope stands for (all its mappers merged); null when it is no policy. */
  public static @Nullable TokenPolicy policyOf(ClientScopeModel scope) {
    PolicyConfig config = configOf(scope);
    return config == null ? null : config.toPolicy(scope.getId(), titleOf(scope));
  }

  /**
   * Creates a policy: a client scope named {@code name}, titled, with one policy mapper; the mapper
   * records {@code warnings} for the admin console ({@link PolicyConfig#WARNINGS}).
   */
  public static ClientScopeModel create(
      RealmModel realm, String name, String title, PolicyConfig config, List<String> warnings) {
    requireValid(config);
    ClientScopeModel scope = realm.addClientScope(name);
    scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    scope.setDescription(title);
    scope.setIncludeInTokenScope(false);
    scope.setDisplayOnConsentScreen(false);
    ProtocolMapperModel mapper = new ProtocolMapperModel();
    mapper.setName(MAPPER_NAME);
    mapper.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    mapper.setProtocolMapper(MAPPER_PROVIDER_ID);
    mapper.setConfig(config.toConfig(warnings));
    scope.addProtocolMapper(mapper);
    return scope;
  }

  /**
   * Replaces a policy: its title and config; a scope that carried several policy mappers keeps one,
   * holding the whole new policy, and the {@code warnings} for the admin console.
   */
  public static void update(
      ClientScopeModel scope, String title, PolicyConfig config, List<String> warnings) {
    requireValid(config);
    scope.setDescription(title);
    List<ProtocolMapperModel> mappers = policyMappers(scope).toList();
    ProtocolMapperModel kept = mappers.get(0);
    kept.setConfig(config.toConfig(warnings));
    scope.updateProtocolMapper(kept);
    mappers.stream().skip(1).forEach(scope::removeProtocolMapper);
  }

  private static void requireValid(PolicyConfig config) {
    if (!config.isValid()) {
      throw new IllegalArgumentException("invalid policy config: " + config.problems());
    }
  }

  private static Stream<ProtocolMapperModel> policyMappers(ProtocolMapperContainerModel container) {
    return container.getProtocolMappersStream().filter(PolicyStore::isPolicyMapper);
  }

  /** Whether a protocol mapper is a token policy (this project's mapper). */
  public static boolean isPolicyMapper(ProtocolMapperModel mapper) {
    return MAPPER_PROVIDER_ID.equals(mapper.getProtocolMapper());
  }

  /** A value made safe for one log line: control characters escaped as {@code \\uXXXX}. */
  public static String printable(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)
          || Character.getType(c) == Character.FORMAT
          || (c > 0x7E && c < 0xA0)
          || c == '\u2028'
          || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
