package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.store.Revisions;
import io.github.policyscopes.policy.TokenPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The token policies a client body binds: each resolved once to the policy it stands for, named
 * only if the caller may read it and hand it out (I15, no escalation), config power only on a
 * confidential client (I13), and bound exactly (I9).
 */
final class ClientBindings {

  /** A named policy: its client scope and the policy read from it, once. */
  record Named(ClientScopeModel scope, TokenPolicy policy) {}

  private ClientBindings() {}

  /**
   * The named policies, each readable by the caller and covered by its token (no escalation by
   * binding). A policy the caller may not read answers exactly as an unknown one (I15). Each scope
   * is read once: a scope that stops being a policy meanwhile is unknown, never half-read.
   */
  static List<Named> resolve(RealmModel realm, Permissions permissions, List<String> ids) {
    List<Named> named = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      ClientScopeModel scope = readable(permissions, id) ? realm.getClientScopeById(id) : null;
      TokenPolicy policy =
          scope == null || !scope.getId().equals(id) ? null : PolicyStore.policyOf(scope);
      if (scope == null || policy == null) {
        throw ApiError.invalidField("tokenPolicies[" + i + "]", "no token policy " + id);
      }
      permissions.requireCanHandOut(policy.allowedScopes());
      named.add(new Named(scope, policy));
    }
    return named;
  }

  /**
   * Claims every policy the write binds anew ({@link Revisions}, in id order so that two writers
   * never wait on each other), then resolves them all afresh (the claims made the cache forget
   * them): a policy deleted on another node meanwhile is then found missing (400), and a delete
   * that comes after sees the binding in the database (409).
   */
  static List<Named> claim(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      @Nullable ClientModel client,
      List<String> ids) {
    Set<String> boundIds = new HashSet<>();
    if (client != null) {
      client.getClientScopes(true).values().forEach(scope -> boundIds.add(scope.getId()));
    }
    ids.stream()
        .filter(id -> !boundIds.contains(id))
        .distinct()
        .sorted()
        .forEach(id -> Writes.claim(session, realm, Revisions.Kind.POLICY, id, null));
    return resolve(realm, permissions, ids);
  }

  /**
   * Config power is for confidential clients (I13): a public client has no secret, so whoever runs
   * it (any user, for the password grant) would hold its policy's config grants. Binding a policy
   * with a config grant to a public client is refused, and so is turning such a client public.
   */
  static void requireConfigPowerIsConfidential(
      @Nullable ClientModel current,
      ClientInput input,
      List<Named> policies,
      Permissions permissions) {
    if (input.confidential()) {
      return;
    }
    String why = "grants config scopes, which only a confidential client may hold";
    boolean turningPublic = false;
    Set<String> bound = Set.of();
    if (current != null) {
      if (PolicyStore.boundTo(current, Map.of()).stream().anyMatch(TokenPolicy::hasConfigGrant)) {
        throw ApiError.invalidField("type", "the client's own policy " + why);
      }
      turningPublic = !current.isPublicClient();
      if (turningPublic
          && current.getClientScopes(true).values().stream()
              .filter(scope -> !readable(permissions, scope.getId()))
              .map(PolicyStore::policyOf)
              .anyMatch(policy -> policy != null && policy.hasConfigGrant())) {
        // a binding the caller cannot see stays, so it counts too
        throw ApiError.invalidField("type", "a token policy bound to it " + why);
      }
      bound = current.getClientScopes(true).keySet();
    }
    for (int i = 0; i < policies.size(); i++) {
      Named named = policies.get(i);
      if (named.policy().hasConfigGrant()) {
        boolean kept = turningPublic && bound.contains(named.scope().getName());
        throw ApiError.invalidField(
            kept ? "type" : "tokenPolicies[" + i + "]",
            "token policy " + named.scope().getId() + " " + why);
      }
    }
  }

  /**
   * Binds exactly the named policies (I9): Keycloak gives a new client the realm's default client
   * scopes, default and optional, and a policy among them would reach the client though nobody
   * named it. Every other policy scope is removed, as default and as optional scope. On an update
   * ({@code permissions} not null), a binding to a policy the caller may not read is neither shown
   * to it nor touched: the caller cannot name what it cannot see.
   */
  static void bindExactly(
      ClientModel client, List<Named> policies, @Nullable Permissions permissions) {
    Set<String> named = new HashSet<>();
    policies.forEach(p -> named.add(p.scope().getId()));
    client.getClientScopes(true).values().stream()
        .filter(PolicyStore::isPolicy)
        .filter(scope -> !named.contains(scope.getId()))
        .filter(scope -> permissions == null || readable(permissions, scope.getId()))
        .toList()
        .forEach(client::removeClientScope);
    client.getClientScopes(false).values().stream()
        .filter(PolicyStore::isPolicy)
        .filter(scope -> permissions == null || readable(permissions, scope.getId()))
        .toList()
        .forEach(client::removeClientScope);
    Set<String> current = client.getClientScopes(true).keySet();
    policies.stream()
        .map(Named::scope)
        .filter(scope -> !current.contains(scope.getName()))
        .forEach(scope -> client.addClientScope(scope, true));
  }

  /** Whether the caller may read the policy: views and errors name only those (I15). */
  static boolean readable(Permissions permissions, String policyId) {
    return permissions.canRead(TokenPolicyService.path(policyId));
  }
}
