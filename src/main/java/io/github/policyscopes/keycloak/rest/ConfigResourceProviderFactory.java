package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.services.resource.RealmResourceProvider;
import org.keycloak.services.resource.RealmResourceProviderFactory;

/** Serves {@code /realms/{realm}/config}. */
public final class ConfigResourceProviderFactory implements RealmResourceProviderFactory {

  public static final String PROVIDER_ID = "config";

  @Override
  public RealmResourceProvider create(KeycloakSession session) {
    if (!KeycloakRuntime.active()) {
      return null; // an unsupported Keycloak: /realms/{realm}/config answers 404 as without us
    }
    return new RealmResourceProvider() {
      @Override
      public Object getResource() {
        return new ConfigResource(session);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void init(Config.Scope config) {}

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
