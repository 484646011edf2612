package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.ProviderMessages;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.PolicyValidator;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.policy.ScopeSet;
import io.github.policyscopes.policy.TokenPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperContainerModel;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ProtocolMapperConfigException;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.representations.AccessToken;

/**
 * The token policy as Keycloak sees it: a protocol mapper whose config is the policy. It runs for
 * exactly the clients the policy is bound to, in every flow, and sets the access token's {@code
 * scope} claim to the granted set, its lifetime, and the client itself as an audience (so that the
 * client can introspect its own tokens).
 */
public final class TokenPolicyMapper extends AbstractOIDCProtocolMapper
    implements OIDCAccessTokenMapper {

  /**
   * Message key of the validation error. Keycloak resolves it from the theme's {@code messages}
   * bundle, which includes this JAR's {@code theme-resources/messages/messages_en.properties}.
   */
  static final String INVALID_POLICY_KEY = "pbs.invalidPolicy";

  static final String DISPLAY_TYPE_KEY = "pbs.mapper.displayType";
  static final String HELP_TEXT_KEY = "pbs.mapper.help";

  /** Runs after Keycloak's own mappers, which never touch {@code scope}. */
  private static final int PRIORITY = 100;

  private static final List<ProviderConfigProperty> CONFIG =
      ProviderConfigurationBuilder.create()
          .property()
          .name(PolicyStore.ALLOWED_SCOPES)
          .label("pbs.allowedScopes.label")
          .helpText("pbs.allowedScopes.help")
          .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
          .add()
          .property()
          .name(PolicyStore.ACCESS_TOKEN_LIFETIME)
          .label("pbs.accessTokenLifetime.label")
          .helpText("pbs.accessTokenLifetime.help")
          .type(ProviderConfigProperty.STRING_TYPE)
          .add()
          .property()
          .name(PolicyStore.DISALLOWED_SCOPES)
          .label("pbs.disallowedScopes.label")
          .helpText("pbs.disallowedScopes.help")
          .type(ProviderConfigProperty.LIST_TYPE)
          .options("ignore", "reject")
          .defaultValue("ignore")
          .add()
          .build();

  @Override
  public String getId() {
    return PolicyStore.MAPPER_PROVIDER_ID;
  }

  @Override
  public String getDisplayType() {
    // the console shows a mapper's display type as it is: resolve the key here
    return ProviderMessages.text(DISPLAY_TYPE_KEY);
  }

  @Override
  public String getDisplayCategory() {
    return TOKEN_MAPPER_CATEGORY;
  }

  @Override
  public String getHelpText() {
    return ProviderMessages.text(HELP_TEXT_KEY);
  }

  @Override
  public List<ProviderConfigProperty> getConfigProperties() {
    return CONFIG;
  }

  @Override
  public int getPriority() {
    return PRIORITY;
  }

  @Override
  public void validateConfig(
      KeycloakSession session,
      RealmModel realm,
      ProtocolMapperContainerModel container,
      ProtocolMapperModel mapper)
      throws ProtocolMapperConfigException {
    Map<String, String> config = mapper.getConfig();
    List<PolicyValidator.FieldError> errors =
        PolicyValidator.validate(
            mapper.getName(),
            PolicyStore.splitMultivalue(config.get(PolicyStore.ALLOWED_SCOPES)),
            lifetime(config.get(PolicyStore.ACCESS_TOKEN_LIFETIME)),
            config.get(PolicyStore.DISALLOWED_SCOPES));
    if (!errors.isEmpty()) {
      String message =
          errors.stream()
              .map(e -> e.field() + ": " + e.message())
              .collect(Collectors.joining("; "));
      // The console shows the exception message ("error") in the alert's title and the key's text,
      // "Invalid token policy: {0}" with the message, as its description ("error_description").
      // Were the key ever missing, Keycloak would use the message itself as a MessageFormat
      // pattern: quote what MessageFormat would read, so that a scope with ' or { is no 500.
      String formatSafe = message.replace("'", "''").replace("{", "'{'").replace("}", "'}'");
      throw new ProtocolMapperConfigException(INVALID_POLICY_KEY, formatSafe, message);
    }
  }

  private static Integer lifetime(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      return Integer.MIN_VALUE; // reported by the validator as out of range
    }
  }

  /**
   * Bypasses the access-token/lightweight switches of the base class on purpose: a policy always
   * applies to the tokens of the clients it is bound to.
   */
  @Override
  public AccessToken transformAccessToken(
      AccessToken token,
      ProtocolMapperModel mapper,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext clientSessionCtx) {
    ClientModel client = clientSessionCtx.getClientSession().getClient();
    Issuance issuance = Issuance.current(session);
    EffectivePolicy policy = issuance != null ? issuance.policy() : policyOf(client);
    if (policy == null) {
      return token; // e.g. the admin console's token preview of an unbound client
    }
    List<String> requested = issuance == null ? List.of() : issuance.requested();
    List<String> ceiling = issuance == null ? null : issuance.ceiling();
    List<String> keycloakScopes = ScopeSet.split(token.getScope());
    if (issuance != null && issuance.explicit()) {
      // Keycloak was handed only part of the request (or none of it, and then re-grants what the
      // refreshed or exchanged token had): count only what was asked and the default client scopes
      Set<String> defaults = issuance.defaultScopes();
      keycloakScopes =
          keycloakScopes.stream()
              .filter(s -> requested.contains(s) || defaults.contains(s))
              .toList();
    }

    GrantResult result = Issuance.decide(requested, keycloakScopes, ceiling, policy);
    token.setScope(result.scopeString().isEmpty() ? null : result.scopeString());
    if (policy.accessTokenLifetime() != null && token.getIat() != null) {
      token.exp(token.getIat() + policy.accessTokenLifetime());
    }
    if (!token.hasAudience(client.getClientId())) {
      token.addAudience(client.getClientId());
    }
    if (issuance != null) {
      issuance.record(result);
    }
    return token;
  }

  private static EffectivePolicy policyOf(ClientModel client) {
    List<TokenPolicy> policies = PolicyStore.boundTo(client);
    return policies.isEmpty() ? null : PolicyStore.merged(policies);
  }
}
