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
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.Provider;

/**
 * Compare-and-set for the config API across every node of a cluster. A resource's ETag includes its
 * revision ({@link RevisionEntity}); a write first {@linkplain #claim claims} the resource: it
 * locks the revision row in the database, in the transaction that then writes the resource, bumps
 * it, and makes Keycloak's cache forget the resource for the rest of the transaction, so that what
 * the write checks and changes is what the database holds after every earlier writer committed, not
 * what this node's cache still shows. A second writer that saw the same revision waits for the
 * first to commit and then finds a newer revision, so its {@code If-Match} fails: one winner, the
 * others 412, whichever node each one reached. docs/adr/0017-cluster-compare-and-set.md.
 */
public final class Revisions {

  /** What a revision belongs to. A client's secret shares its client's revision. */
  public enum Kind {
    POLICY("policy"),
    CLIENT("client");

    private final String segment;

    Kind(String segment) {
      this.segment = segment;
    }
  }

  /** A concurrent first write created the row meanwhile: this write lost the race. */
  public static final class Conflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Conflict(Throwable cause) {
      super("the resource was changed by a concurrent write", cause);
    }
  }

  /** The database did not grant the lock (timeout, deadlock, connection lost): try again. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy(Throwable cause) {
      super("the database did not grant the write lock", cause);
    }
  }

  private Revisions() {}

  /** The row's key: realm, kind and id, so that no id of another realm or kind can share it. */
  static String key(RealmModel realm, Kind kind, String id) {
    return realm.getId() + "/" + kind.segment + "/" + id;
  }

  /**
   * The resource's current revision: 0 while no write through the config API recorded one, then the
   * row's version + 1 (a new row has version 0), so that every write moves it.
   */
  public static long current(KeycloakSession session, RealmModel realm, Kind kind, String id) {
    List<Long> found =
        em(session)
            .createQuery("select r.version from RevisionEntity r where r.id = :id", Long.class)
            .setParameter("id", key(realm, kind, id))
            .getResultList();
    return found.isEmpty() ? 0 : found.get(0) + 1;
  }

  /** The revision of a resource just created through the API ({@link #created}). */
  public static final long FIRST = 1;

  /** Records the {@link #FIRST} revision of a resource this transaction creates. */
  public static void created(KeycloakSession session, RealmModel realm, Kind kind, String id) {
    EntityManager em = em(session);
    em.persist(new RevisionEntity(key(realm, kind, id), realm.getId(), System.currentTimeMillis()));
  }

  /**
   * Claims a resource for this transaction: waits for any other writer of it, on any node, to
   * commit, bumps its revision when this transaction commits, and has Keycloak's cache forget it in
   * this transaction (the write then reads it from the database). Returns the revision before this
   * write, the one a matching {@code If-Match} was computed from.
   *
   * @throws Conflict when a concurrent first write created the row meanwhile
   * @throws Busy when the database did not grant the lock
   */
  public static long claim(KeycloakSession session, RealmModel realm, Kind kind, String id) {
    EntityManager em = em(session);
    String key = key(realm, kind, id);
    long now = System.currentTimeMillis();
    long before;
    try {
      RevisionEntity row = em.find(RevisionEntity.class, key, LockModeType.PESSIMISTIC_WRITE);
      if (row != null) {
        before = row.version() + 1;
        row.touch(now);
      } else {
        em.persist(new RevisionEntity(key, realm.getId(), now));
        before = 0;
      }
      em.flush(); // a concurrent first writer waits on the key here, then fails
    } catch (ModelDuplicateException concurrent) {
      // Keycloak's entity manager reports the primary key taken as ModelDuplicateException
      throw new Conflict(concurrent);
    } catch (PersistenceException | ModelException refused) {
      throw new Busy(refused);
    }
    forgetCached(session, realm, kind, id);
    return before;
  }

  /** Forgets a deleted resource's revision, in the transaction that deletes it. */
  public static void deleted(KeycloakSession session, RealmModel realm, Kind kind, String id) {
    RevisionEntity row = em(session).find(RevisionEntity.class, key(realm, kind, id));
    if (row != null) {
      em(session).remove(row);
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
   * Keycloak's realm cache ({@code CacheRealmProvider}) forgets the resource for the rest of this
   * transaction (and everywhere after it commits): reads then go to the database. No cache, nothing
   * to forget.
   */
  private static void forgetCached(
      KeycloakSession session, RealmModel realm, Kind kind, String id) {
    Provider cache = session.getProvider(CACHE);
    if (cache == null) {
      return;
    }
    try {
      if (kind == Kind.POLICY) {
        SCOPE_INVALIDATION.invoke(cache, id, realm.getId());
      } else {
        var client = realm.getClientById(id);
        CLIENT_INVALIDATION.invoke(
            cache, id, client == null ? null : client.getClientId(), realm.getId());
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The session's entity manager: the one Keycloak's own JPA stores write through, so a claim and
   * the resource's write share one database transaction. Keycloak's {@code JpaConnectionProvider}
   * and {@code CacheRealmProvider} are looked up by name: their modules are not resolvable as Maven
   * dependencies (see pom.xml).
   */
  static EntityManager em(KeycloakSession session) {
    try {
      return (EntityManager) ENTITY_MANAGER.invoke(session.getProvider(JPA_CONNECTIONS));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Class<? extends Provider> JPA_CONNECTIONS =
      providerClass("org.keycloak.connections.jpa.JpaConnectionProvider");
  private static final MethodHandle ENTITY_MANAGER =
      method(JPA_CONNECTIONS, "getEntityManager", MethodType.methodType(EntityManager.class));
  private static final Class<? extends Provider> CACHE =
      providerClass("org.keycloak.models.cache.CacheRealmProvider");
  private static final MethodHandle SCOPE_INVALIDATION =
      method(
          CACHE,
          "registerClientScopeInvalidation",
          MethodType.methodType(void.class, String.class, String.class));
  private static final MethodHandle CLIENT_INVALIDATION =
      method(
          CACHE,
          "registerClientInvalidation",
          MethodType.methodType(void.class, String.class, String.class, String.class));

  private static Class<? extends Provider> providerClass(String name) {
    try {
      return Class.forName(name, false, Revisions.class.getClassLoader())
          .asSubclass(Provider.class);
    } catch (ClassNotFoundException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static MethodHandle method(Class<?> owner, String name, MethodType type) {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(owner, name, type)
          .asType(type.insertParameterTypes(0, Provider.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
