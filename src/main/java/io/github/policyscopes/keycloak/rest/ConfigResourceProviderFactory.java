package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/**
 * Serves {@code /realms/{realm}/config}, and holds the extension's options: whether its meters
 * carry a {@code client_id} tag ({@link PolicyMetrics}), and the audiences the config API accepts
 * instead of a token's own client ({@link ApiAudience}).
 */
public final class ConfigResourceProviderFactory implements RealmResourceProviderFactory {

  public static final String PROVIDER_ID = "config";

  private volatile ApiAudience audience = ApiAudience.CLIENT_ONLY;

  @Override
  public @Nullable RealmResourceProvider create(KeycloakSession session) {
    if (!KeycloakRuntime.active()) {
      return null; // an unsupported Keycloak: /realms/{realm}/config answers 404 as without us
    }
    return new RealmResourceProvider() {
      @Override
      public Object getResource() {
        return new ConfigResource(session, audience);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void init(Config.Scope config) {
    PolicyMetrics.configure(config);
    audience = ApiAudience.of(config.getArray(ApiAudience.OPTION));
  }

  @Override
  public List<ProviderConfigProperty> getConfigMetadata() {
    return ProviderConfigurationBuilder.create()
        .property()
        .name(PolicyMetrics.CLIENT_ID_TAG_OPTION)
        .type(ProviderConfigProperty.BOOLEAN_TYPE)
        .helpText(
            "Tag the token policy and config API meters with the client's clientId (one series"
                + " per client). Needs --metrics-enabled=true.")
        .defaultValue(false)
        .add()
        .property()
        .name(ApiAudience.OPTION)
        .type(ProviderConfigProperty.STRING_TYPE)
        .helpText(
            "Audiences (comma-separated) of the config API, e.g. the clientId of a client that"
                + " stands for the API. When set, a token must name one of them in aud (its own"
                + " client is then not enough); when not set, it must name the client it was"
                + " issued to.")
        .add()
        .build();
  }

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    KeycloakRuntime.announce();
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
