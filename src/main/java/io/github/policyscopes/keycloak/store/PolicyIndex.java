package io.github.policyscopes.keycloak.store;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Finds token policies and their bindings in the database, so that a page of the list costs a page
 * of work: no pass over every client scope and every client of the realm. The queries read
 * Keycloak's own tables through its JPA entities ({@code ClientScopeEntity}, {@code
 * ProtocolMapperEntity}, {@code ClientScopeClientMappingEntity}); a policy is what {@link
 * PolicyStore#isPolicy} says: a client scope carrying the policy mapper.
 *
 * <p>List order: the title ({@link PolicyStore#titleOf}: the description, or the name when there is
 * none), ignoring case as the database does, then the id, so that pages never overlap or skip.
 */
public final class PolicyIndex {

  private static final String POLICIES =
      " from ClientScopeEntity s where s.realmId = :realm and exists (select m.id from"
          + " ProtocolMapperEntity m where m.clientScope = s and m.protocolMapper = :mapper)";

  /** {@link PolicyStore#titleOf} in JPQL: the description, or the name when it is blank. */
  private static final String TITLE =
      "(case when s.description is null or trim(s.description) = '' then s.name"
          + " else s.description end)";

  private static final String IN_LIST_ORDER = " order by lower(" + TITLE + "), s.id";

  private PolicyIndex() {}

  /** How many token policies the realm holds. */
  public static long count(KeycloakSession session, RealmModel realm) {
    return Revisions.em(session)
        .createQuery("select count(s)" + POLICIES, Long.class)
        .setParameter("realm", realm.getId())
        .setParameter("mapper", PolicyStore.MAPPER_PROVIDER_ID)
        .getSingleResult();
  }

  /** The ids of one page of the realm's token policies, in list order. */
  public static List<String> ids(KeycloakSession session, RealmModel realm, int first, int max) {
    return Revisions.em(session)
        .createQuery("select s.id" + POLICIES + IN_LIST_ORDER, String.class)
        .setParameter("realm", realm.getId())
        .setParameter("mapper", PolicyStore.MAPPER_PROVIDER_ID)
        .setFirstResult(first)
        .setMaxResults(max)
        .getResultList();
  }

  /** The ids of all the realm's token policies, in list order (ids only: no model is loaded). */
  public static List<String> ids(KeycloakSession session, RealmModel realm) {
    return Revisions.em(session)
        .createQuery("select s.id" + POLICIES + IN_LIST_ORDER, String.class)
        .setParameter("realm", realm.getId())
        .setParameter("mapper", PolicyStore.MAPPER_PROVIDER_ID)
        .getResultList();
  }

  /**
   * Whether another policy of the realm (not {@code exceptId}) has this title, ignoring case as the
   * database does.
   */
  public static boolean titleTaken(
      KeycloakSession session, RealmModel realm, String title, String exceptId) {
    return Revisions.em(session)
            .createQuery(
                "select count(s)"
                    + POLICIES
                    + " and lower("
                    + TITLE
                    + ") = lower(:title)"
                    + " and s.id <> :except",
                Long.class)
            .setParameter("realm", realm.getId())
            .setParameter("mapper", PolicyStore.MAPPER_PROVIDER_ID)
            .setParameter("title", title)
            .setParameter("except", exceptId == null ? "" : exceptId)
            .getSingleResult()
        > 0;
  }

  /** Whether the realm has a client scope of this name (policy or not). */
  public static boolean nameTaken(KeycloakSession session, RealmModel realm, String name) {
    return Revisions.em(session)
            .createQuery(
                "select count(s) from ClientScopeEntity s where s.realmId = :realm and s.name = :name",
                Long.class)
            .setParameter("realm", realm.getId())
            .setParameter("name", name)
            .getSingleResult()
        > 0;
  }

  /**
   * Policy id → ids of the clients that have it as a default client scope (a binding), for the
   * given policies only, each list in client id order; a policy bound to nothing is absent.
   */
  public static Map<String, List<String>> boundClients(
      KeycloakSession session, Collection<String> policyIds) {
    Map<String, List<String>> bound = new LinkedHashMap<>();
    if (policyIds.isEmpty()) {
      return bound;
    }
    EntityManager em = Revisions.em(session);
    List<Object[]> rows =
        em.createQuery(
                "select m.clientScopeId, m.clientId from ClientScopeClientMappingEntity m"
                    + " where m.clientScopeId in :scopes and m.defaultScope = true"
                    + " order by m.clientId",
                Object[].class)
            .setParameter("scopes", policyIds)
            .getResultList();
    for (Object[] row : rows) {
      bound.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add((String) row[1]);
    }
    return bound;
  }
}
