package io.github.policyscopes.keycloak.store;

import io.github.policyscopes.policy.PolicyList;
import io.github.policyscopes.scope.Footprint;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Finds token policies and their bindings in the database, so that a page of the list costs a page
 * of views: no request loads every client scope or walks every client of the realm. The queries
 * read Keycloak's own tables through its JPA entities ({@code ClientScopeEntity}, {@code
 * ProtocolMapperEntity}, {@code ClientScopeClientMappingEntity}) and return ids and titles only; a
 * policy is what {@link PolicyStore#isPolicy} says: a client scope carrying the policy mapper.
 *
 * <p>The rules stay in Java, where the rest of the product has them: the title is {@link
 * PolicyStore#titleOf} (the description, or the name when it is blank), the list order is the title
 * ignoring case ({@link String#CASE_INSENSITIVE_ORDER}) then the id, and two titles clash when they
 * are {@link String#equalsIgnoreCase} — the same on H2 and PostgreSQL, whatever their collation.
 */
public final class PolicyIndex {

  private PolicyIndex() {}

  /**
   * Every token policy of the realm, id and title, in list order: one query over the realm's client
   * scopes, read from the database (the cache of {@link PolicyCache#list} calls this on a miss).
   */
  public static PolicyList load(KeycloakSession session, RealmModel realm) {
    List<Object[]> rows =
        Revisions.em(session)
            .createQuery(
                "select s.id, s.name, s.description from ClientScopeEntity s"
                    + " where s.realmId = :realm and exists (select m.id from ProtocolMapperEntity m"
                    + " where m.clientScope = s and m.protocolMapper = :mapper)",
                Object[].class)
            .setParameter("realm", realm.getId())
            .setParameter("mapper", PolicyStore.MAPPER_PROVIDER_ID)
            .getResultList();
    List<PolicyList.Entry> listed = new ArrayList<>(rows.size());
    for (Object[] row : rows) {
      listed.add(
          new PolicyList.Entry(
              (String) row[0], PolicyStore.titleOf((String) row[1], (String) row[2])));
    }
    return PolicyList.of(listed);
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

  /** A client that has a policy as a client scope: its id and its clientId. */
  public record BoundClient(String id, String clientId) {}

  /**
   * The clients that have a policy as a client scope, each list in client id order: {@code bound}
   * as a Default client scope (a binding: the policy governs them), the first {@link #MAX_BOUND} of
   * {@code boundCount}; {@code optional} as an Optional one (the policy does nothing for them,
   * docs/adr/0032), the first {@link #MAX_OPTIONAL} of {@code optionalCount}. Bounded: a ceiling
   * policy may bind thousands of self-registered clients (docs/adr/0035).
   */
  public record Bindings(
      List<BoundClient> bound, int boundCount, List<BoundClient> optional, int optionalCount) {

    /** Whether the policy binds more clients than {@link #bound} holds. */
    public boolean boundTruncated() {
      return boundCount > bound.size();
    }

    /** A conservative estimate of the heap these bindings retain. */
    public long estimatedBytes() {
      long bytes =
          Footprint.object(4) + Footprint.list(bound.size()) + Footprint.list(optional.size());
      for (BoundClient c : bound) {
        bytes += Footprint.object(2) + Footprint.string(c.id()) + Footprint.string(c.clientId());
      }
      for (BoundClient c : optional) {
        bytes += Footprint.object(2) + Footprint.string(c.id()) + Footprint.string(c.clientId());
      }
      return bytes;
    }
  }

  /** How many Default bindings of one policy {@link #bindings} keeps (and a view names at most). */
  public static final int MAX_BOUND = 100;

  /** How many Optional bindings of one policy are kept by {@link #bindings}. */
  public static final int MAX_OPTIONAL = 50;

  /**
   * The ids of every client that has the policy as a default client scope (a binding), in client id
   * order, unbounded: for the checks of a write (deleting or rewriting a policy must see every
   * client it governs), never for a view.
   */
  public static List<String> boundClientIds(KeycloakSession session, String policyId) {
    return Revisions.em(session)
        .createQuery(
            "select m.clientId from ClientScopeClientMappingEntity m"
                + " where m.clientScopeId = :scope and m.defaultScope = true order by m.clientId",
            String.class)
        .setParameter("scope", policyId)
        .getResultList();
  }

  /** The bindings of one policy ({@link #bindings}). */
  public static Bindings bindingsOf(KeycloakSession session, String policyId) {
    Bindings b = bindings(session, List.of(policyId)).get(policyId);
    return b != null ? b : new Bindings(List.of(), 0, List.of(), 0);
  }

  /**
   * Policy id → the clients that have it as a client scope, Default or Optional, with their
   * clientIds, for the given policies only (a page of them); every policy asked for is present.
   * Bounded whatever the bindings: one query counts them; the policies with few bindings are read
   * in one query, each other one by two queries of at most {@link #MAX_BOUND} and {@link
   * #MAX_OPTIONAL} rows.
   */
  public static Map<String, Bindings> bindings(
      KeycloakSession session, Collection<String> policyIds) {
    Map<String, Bindings> all = new LinkedHashMap<>();
    if (policyIds.isEmpty()) {
      return all;
    }
    EntityManager em = Revisions.em(session);
    Map<String, Integer> boundCount = new HashMap<>();
    Map<String, Integer> optionalCount = new HashMap<>();
    for (Object[] row :
        em.createQuery(
                "select m.clientScopeId, m.defaultScope, count(m)"
                    + " from ClientScopeClientMappingEntity m where m.clientScopeId in :scopes"
                    + " group by m.clientScopeId, m.defaultScope",
                Object[].class)
            .setParameter("scopes", policyIds)
            .getResultList()) {
      (Boolean.TRUE.equals(row[1]) ? boundCount : optionalCount)
          .put((String) row[0], ((Number) row[2]).intValue());
    }
    List<String> small = new ArrayList<>();
    Map<String, List<BoundClient>> bound = new HashMap<>();
    Map<String, List<BoundClient>> optional = new HashMap<>();
    for (String id : policyIds) {
      int b = boundCount.getOrDefault(id, 0);
      int o = optionalCount.getOrDefault(id, 0);
      if (b == 0 && o == 0) {
        continue;
      }
      if (b <= MAX_BOUND && o <= MAX_OPTIONAL) {
        small.add(id);
      } else {
        bound.put(id, clients(em, List.of(id), true, MAX_BOUND).getOrDefault(id, List.of()));
        optional.put(id, clients(em, List.of(id), false, MAX_OPTIONAL).getOrDefault(id, List.of()));
      }
    }
    if (!small.isEmpty()) {
      bound.putAll(clients(em, small, true, Integer.MAX_VALUE));
      optional.putAll(clients(em, small, false, Integer.MAX_VALUE));
    }
    for (String id : policyIds) {
      all.put(
          id,
          new Bindings(
              List.copyOf(bound.getOrDefault(id, List.of())),
              boundCount.getOrDefault(id, 0),
              List.copyOf(optional.getOrDefault(id, List.of())),
              optionalCount.getOrDefault(id, 0)));
    }
    return all;
  }

  /** Policy id → its Default ({@code bound}) or Optional clients, in client id order. */
  private static Map<String, List<BoundClient>> clients(
      EntityManager em, Collection<String> policyIds, boolean bound, int max) {
    Map<String, List<BoundClient>> out = new HashMap<>();
    for (Object[] row :
        em.createQuery(
                "select m.clientScopeId, m.clientId, c.clientId"
                    + " from ClientScopeClientMappingEntity m, ClientEntity c"
                    + " where m.clientScopeId in :scopes and c.id = m.clientId"
                    + " and m.defaultScope = :bound order by m.clientId",
                Object[].class)
            .setParameter("scopes", policyIds)
            .setParameter("bound", bound)
            .setMaxResults(max)
            .getResultList()) {
      out.computeIfAbsent((String) row[0], k -> new ArrayList<>())
          .add(new BoundClient((String) row[1], (String) row[2]));
    }
    return out;
  }
}
