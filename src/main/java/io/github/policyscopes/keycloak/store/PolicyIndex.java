package io.github.policyscopes.keycloak.store;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
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

  /** One policy in the list: its id and its title. */
  public record Listed(String id, String title) {}

  private static final Comparator<Listed> LIST_ORDER =
      Comparator.comparing(Listed::title, String.CASE_INSENSITIVE_ORDER).thenComparing(Listed::id);

  private PolicyIndex() {}

  /** Every token policy of the realm, id and title, in list order. */
  public static List<Listed> inListOrder(KeycloakSession session, RealmModel realm) {
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
    List<Listed> listed = new ArrayList<>(rows.size());
    for (Object[] row : rows) {
      listed.add(
          new Listed((String) row[0], PolicyStore.titleOf((String) row[1], (String) row[2])));
    }
    listed.sort(LIST_ORDER);
    return listed;
  }

  /** Whether another policy of the realm (not {@code exceptId}) has this title, ignoring case. */
  public static boolean titleTaken(
      KeycloakSession session, RealmModel realm, String title, @Nullable String exceptId) {
    return inListOrder(session, realm).stream()
        .anyMatch(p -> !p.id().equals(exceptId) && p.title().equalsIgnoreCase(title));
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
   * as a Default client scope (a binding: the policy governs them), {@code optional} as an Optional
   * one (the policy does nothing for them, docs/adr/0032), of which only the first {@link
   * #MAX_OPTIONAL} are kept and {@code optionalCount} counts all.
   */
  public record Bindings(List<BoundClient> bound, List<BoundClient> optional, int optionalCount) {

    static final Bindings NONE = new Bindings(List.of(), List.of(), 0);

    /** The ids of the bound clients. */
    public List<String> boundIds() {
      return bound.stream().map(BoundClient::id).toList();
    }
  }

  /** How many Optional bindings of one policy are kept by {@link #bindings}. */
  public static final int MAX_OPTIONAL = 50;

  /**
   * Policy id → ids of the clients that have it as a default client scope (a binding), for the
   * given policies only, each list in client id order; a policy bound to nothing is absent.
   */
  public static Map<String, List<String>> boundClients(
      KeycloakSession session, Collection<String> policyIds) {
    Map<String, List<String>> bound = new LinkedHashMap<>();
    bindings(session, policyIds)
        .forEach(
            (policy, b) -> {
              if (!b.bound().isEmpty()) {
                bound.put(policy, b.boundIds());
              }
            });
    return bound;
  }

  /** The bindings of one policy: {@link #bindings} for its id alone. */
  public static Bindings bindingsOf(KeycloakSession session, String policyId) {
    return entry(bindings(session, List.of(policyId)), policyId);
  }

  /**
   * The entry of {@code policyId} in what {@link #bindings} answered: there is one for every id
   * asked for, so a missing one is a bug of the caller.
   */
  public static Bindings entry(Map<String, Bindings> bindings, String policyId) {
    Bindings entry = bindings.get(policyId);
    if (entry == null) {
      throw new IllegalArgumentException("the bindings of policy " + policyId + " were not read");
    }
    return entry;
  }

  /**
   * Policy id → the clients that have it as a client scope, Default or Optional, with their
   * clientIds: one query over Keycloak's client scope mappings joined to its clients, for the given
   * policies only (a page of them). Every policy asked for is present.
   */
  public static Map<String, Bindings> bindings(
      KeycloakSession session, Collection<String> policyIds) {
    Map<String, Bindings> all = new LinkedHashMap<>();
    if (policyIds.isEmpty()) {
      return all;
    }
    Map<String, List<BoundClient>> bound = new LinkedHashMap<>();
    Map<String, List<BoundClient>> optional = new LinkedHashMap<>();
    Map<String, Integer> optionalCount = new LinkedHashMap<>();
    EntityManager em = Revisions.em(session);
    List<Object[]> rows =
        em.createQuery(
                "select m.clientScopeId, m.clientId, c.clientId, m.defaultScope"
                    + " from ClientScopeClientMappingEntity m, ClientEntity c"
                    + " where m.clientScopeId in :scopes and c.id = m.clientId"
                    + " order by m.clientId",
                Object[].class)
            .setParameter("scopes", policyIds)
            .getResultList();
    for (Object[] row : rows) {
      String policy = (String) row[0];
      BoundClient client = new BoundClient((String) row[1], (String) row[2]);
      if (Boolean.TRUE.equals(row[3])) {
        bound.computeIfAbsent(policy, k -> new ArrayList<>()).add(client);
      } else {
        List<BoundClient> kept = optional.computeIfAbsent(policy, k -> new ArrayList<>());
        if (kept.size() < MAX_OPTIONAL) {
          kept.add(client);
        }
        optionalCount.merge(policy, 1, Integer::sum);
      }
    }
    for (String id : policyIds) {
      all.put(
          id,
          new Bindings(
              List.copyOf(bound.getOrDefault(id, List.of())),
              List.copyOf(optional.getOrDefault(id, List.of())),
              optionalCount.getOrDefault(id, 0)));
    }
    return all;
  }
}
