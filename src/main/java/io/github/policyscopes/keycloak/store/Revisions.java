package io.github.policyscopes.keycloak.store;

import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/**
 * Compare-and-set for the config API across every node of a cluster. A resource's ETag includes its
 * revision ({@link RevisionEntity}); a write first {@linkplain #claim claims} the revision: it
 * locks the row in the database, in the transaction that then writes the resource, and bumps it. A
 * second writer that saw the same revision waits for the first to commit and then finds a newer
 * revision, so its {@code If-Match} fails: one winner, the others 412, whichever node each one
 * reached. Reads go to the database, never to a node's cache.
 * docs/adr/0017-cluster-compare-and-set.md.
 */
public final class Revisions {

  /** Thrown when two first writers of a resource race to create its row: the loser answers 412. */
  public static final class Conflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Conflict(Throwable cause) {
      super("the resource was changed by a concurrent write", cause);
    }
  }

  private Revisions() {}

  /** The key of a client's secret, which has a revision of its own. */
  public static String secretOf(String clientId) {
    return clientId + "/secret";
  }

  /**
   * The resource's current revision: 0 while no write through the config API recorded one, then the
   * row's version + 1 (a new row has version 0), so that every write moves it.
   */
  public static long current(KeycloakSession session, String key) {
    List<Long> found =
        em(session)
            .createQuery("select r.version from RevisionEntity r where r.id = :id", Long.class)
            .setParameter("id", key)
            .getResultList();
    return found.isEmpty() ? 0 : found.get(0) + 1;
  }

  /**
   * Takes the resource's revision for this transaction: waits for any other writer of it, on any
   * node, to commit, and bumps it when this transaction commits. Returns the revision before this
   * write, the one a matching {@code If-Match} was computed from.
   *
   * @throws Conflict when a concurrent first write created the row meanwhile
   */
  public static long claim(KeycloakSession session, RealmModel realm, String key) {
    EntityManager em = em(session);
    long now = System.currentTimeMillis();
    try {
      RevisionEntity row = em.find(RevisionEntity.class, key, LockModeType.PESSIMISTIC_WRITE);
      if (row != null) {
        long before = row.version() + 1;
        row.touch(now);
        em.flush();
        return before;
      }
      em.persist(new RevisionEntity(key, realm.getId(), now));
      em.flush(); // a concurrent first writer waits on the key here, then fails
      return 0;
    } catch (PersistenceException | ModelDuplicateException concurrent) {
      // Keycloak's entity manager reports the primary key taken as ModelDuplicateException
      throw new Conflict(concurrent);
    }
  }

  /** Forgets the revisions of a removed realm. */
  public static void removeRealm(KeycloakSession session, String realmId) {
    em(session)
        .createQuery("delete from RevisionEntity r where r.realmId = :realm")
        .setParameter("realm", realmId)
        .executeUpdate();
  }

  /**
   * The session's entity manager: the one Keycloak's own JPA stores write through, so a claim and
   * the resource's write share one database transaction. Keycloak's {@code JpaConnectionProvider}
   * is looked up by name (keycloak-model-jpa is not resolvable as a Maven dependency; see pom.xml).
   */
  private static EntityManager em(KeycloakSession session) {
    try {
      return (EntityManager) ENTITY_MANAGER.invoke(session.getProvider(JPA_CONNECTIONS));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Class<? extends Provider> JPA_CONNECTIONS;
  private static final MethodHandle ENTITY_MANAGER;

  static {
    try {
      JPA_CONNECTIONS =
          Class.forName(
                  "org.keycloak.connections.jpa.JpaConnectionProvider",
                  false,
                  Revisions.class.getClassLoader())
              .asSubclass(Provider.class);
      ENTITY_MANAGER =
          MethodHandles.publicLookup()
              .findVirtual(
                  JPA_CONNECTIONS, "getEntityManager", MethodType.methodType(EntityManager.class))
              .asType(MethodType.methodType(EntityManager.class, Provider.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
