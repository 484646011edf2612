package io.github.policyscopes.keycloak.registration;

import io.github.policyscopes.keycloak.store.PolicyStore;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientregistration.policy.AbstractClientRegistrationPolicyFactory;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

/**
 * The client registration policy "Token policy ceiling" (Clients → Client registration, anonymous
 * or authenticated access policies): one property, the token policy every client registered through
 * dynamic client registration is bound to (docs/adr/0029). The console offers the realm's token
 * policies; saving checks that the name is one, valid, and that no other ceiling with another
 * policy is configured for the same kind of registration.
 */
public final class TokenPolicyCeilingFactory extends AbstractClientRegistrationPolicyFactory {

  /** The provider id (the component's {@code providerId}). */
  public static final String PROVIDER_ID = "pbs-token-policy-ceiling";

  /** The config key: the client scope name of the token policy to bind. */
  public static final String TOKEN_POLICY = "token-policy";

  @Override
  public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
    return new TokenPolicyCeiling(session, model);
  }

  @Override
  public String getId() {
    return PROVIDER_ID;
  }

  @Override
  public String getHelpText() {
    return "Binds a token policy (policy-bound scopes) to every client registered through dynamic"
        + " client registration, whatever the registrant sends, and keeps it bound on registration"
        + " updates; a registration asking for scopes the policy does not allow is refused.";
  }

  @Override
  public List<ProviderConfigProperty> getConfigProperties() {
    return getConfigProperties(null);
  }

  @Override
  public List<ProviderConfigProperty> getConfigProperties(@Nullable KeycloakSession session) {
    ProviderConfigProperty property = new ProviderConfigProperty();
    property.setName(TOKEN_POLICY);
    property.setLabel("pbs.ceiling.tokenPolicy.label");
    property.setHelpText("pbs.ceiling.tokenPolicy.help");
    property.setType(ProviderConfigProperty.LIST_TYPE);
    RealmModel realm = session == null ? null : session.getContext().getRealm();
    if (realm != null) {
      property.setOptions(
          realm
              .getClientScopesStream()
              .filter(PolicyStore::isPolicy)
              .map(ClientScopeModel::getName)
              .sorted()
              .toList());
    }
    return List.of(property);
  }

  @Override
  public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
      throws ComponentValidationException {
    List<String> values = model.getConfig() == null ? null : model.getConfig().get(TOKEN_POLICY);
    if (values == null || values.size() != 1) {
      throw new ComponentValidationException(
          "Token policy ceiling: name exactly one token policy (" + TOKEN_POLICY + ")");
    }
    String name = values.get(0);
    try {
      CeilingScope.resolve(realm, name);
    } catch (CeilingScope.Unavailable e) {
      throw new ComponentValidationException("Token policy ceiling: " + e.getMessage());
    }
    boolean another =
        ceilingsOf(realm, model.getSubType())
            .filter(c -> !Objects.equals(c.getId(), model.getId()))
            .anyMatch(c -> !Objects.equals(configuredPolicy(c), name));
    if (another) {
      throw new ComponentValidationException(
          "Token policy ceiling: another ceiling with another token policy is configured for "
              + model.getSubType()
              + " registration; bound policies unite, so there can be one");
    }
  }

  /** The ceilings configured in {@code realm} for one kind of registration ({@code subType}). */
  static Stream<ComponentModel> ceilingsOf(RealmModel realm, @Nullable String subType) {
    return realm
        .getComponentsStream(realm.getId(), ClientRegistrationPolicy.class.getName())
        .filter(c -> PROVIDER_ID.equals(c.getProviderId()))
        .filter(c -> Objects.equals(c.getSubType(), subType));
  }

  /** The token policy a ceiling names; null when none is configured. */
  static @Nullable String configuredPolicy(ComponentModel component) {
    return component.getConfig() == null ? null : component.getConfig().getFirst(TOKEN_POLICY);
  }
}
