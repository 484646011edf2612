package io.github.policyscopes.keycloak.store.jpa;

import io.github.policyscopes.keycloak.store.RevisionEntity;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProvider;
import org.keycloak.connections.jpa.entityprovider.JpaEntityProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;

/**
 * Adds {@link RevisionEntity} to Keycloak's persistence unit, with its Liquibase changelog
 * (Keycloak runs it at start, in its own changelog table), and forgets a realm's revisions with the
 * realm.
 */
public final class RevisionEntityProviderFactory implements JpaEntityProviderFactory {

  private static final Logger LOG = Logger.getLogger(RevisionEntityProviderFactory.class);

  public static final String PROVIDER_ID = "policy-bound-scopes";

  private static final JpaEntityProvider PROVIDER =
      new JpaEntityProvider() {
        @Override
        public List<Class<?>> getEntities() {
          return List.of(RevisionEntity.class);
        }

        @Override
        public String getChangelogLocation() {
          return "META-INF/policy-bound-scopes-changelog.xml";
        }

        @Override
        public String getFactoryId() {
          return PROVIDER_ID;
        }

        @Override
        public void close() {}
      };

  @Override
  public JpaEntityProvider create(KeycloakSession session) {
    return PROVIDER;
  }

  @Override
  public void init(Config.Scope config) {}

  @Override
  public void postInit(KeycloakSessionFactory factory) {
    factory.register(
        event -> {
          if (event instanceof RealmModel.RealmRemovedEvent removed) {
            try {
              Revisions.removeRealm(removed.getKeycloakSession(), removed.getRealm().getId());
            } catch (LinkageError missing) {
              // a Keycloak without what Revisions needs (docs/adr/0027): the realm goes anyway;
              // its revision rows stay, unused
              LOG.warnf(
                  "revisions of removed realm %s not removed: %s",
                  removed.getRealm().getId(), missing);
            }
          }
        });
  }

  @Override
  public void close() {}

  @Override
  public String getId() {
    return PROVIDER_ID;
  }
}
