package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.scope.ConfigScope;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.resources.admin.AdminAuth;

/**
 * The verified bearer of a config API request: who asks. What it may do is {@link Permissions}.
 *
 * @param user the user the token stands for; null when Keycloak names none
 * @param scopes what the caller may do: the token's scopes as far as its client's current policies
 *     give them, plus those policies' denies ({@link CallerScopes}); every decision and escalation
 *     check uses these
 * @param tokenScopes the token's {@code "scope"} claim as issued, for explanations only
 */
record Caller(
    AccessToken token,
    ClientModel client,
    @Nullable UserModel user,
    ScopeSet scopes,
    ScopeSet tokenScopes) {

  /**
   * The token's config grants that do not count as issued: no current policy of its client gives
   * them, or only part of them (see {@link CallerScopes}).
   */
  List<String> ignored() {
    return tokenScopes.grants().stream()
        .filter(grant -> !scopes.grants().contains(grant))
        .map(ConfigScope::text)
        .toList();
  }

  /** The caller as Keycloak's admin events and client policies see an admin. */
  AdminAuth adminAuth(RealmModel realm) {
    return new AdminAuth(realm, token, user, client);
  }

  /** The user's name when a user (not a client's service account) is the caller, else null. */
  @Nullable String username() {
    if (user == null || user.getServiceAccountClientLink() != null) {
      return null;
    }
    return user.getUsername();
  }
}
