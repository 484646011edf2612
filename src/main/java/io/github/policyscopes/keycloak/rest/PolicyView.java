package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyEntry;
import io.github.policyscopes.keycloak.store.PolicyIndex;
import io.github.policyscopes.keycloak.store.PolicyWarnings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The representation of a token policy (docs/contract.md §4), built from its {@link PolicyEntry}:
 * the same for a list, a {@code GET} and a write's answer (so an ETag of one matches the others).
 * The clients it names are those handed over to the API that the caller may read; of a policy bound
 * to more than {@link PolicyIndex#MAX_BOUND} clients, only the first {@link PolicyIndex#MAX_BOUND}
 * (by id) are considered, and a warning says that there are more (docs/adr/0035).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PolicyView(
    String id,
    String title,
    List<String> allowedScopes,
    @Nullable Integer accessTokenLifetime,
    String disallowedScopes,
    List<String> clients,
    List<BoundClient> boundClients,
    List<String> warnings) {

  /** A bound client in a view: its API id and its clientId (what an operator recognises). */
  record BoundClient(String id, String clientId) {}

  /** The ids of the policies that are realm default client scopes (default or optional). */
  static Set<String> realmDefaults(RealmModel realm) {
    Set<String> ids = new HashSet<>();
    realm.getDefaultClientScopesStream(true).forEach(s -> ids.add(s.getId()));
    realm.getDefaultClientScopesStream(false).forEach(s -> ids.add(s.getId()));
    return ids;
  }

  /** The view of one policy for this caller. */
  static PolicyView of(
      KeycloakSession session,
      RealmModel realm,
      PolicyEntry entry,
      Set<String> realmDefaults,
      Permissions permissions) {
    List<String> warnings = new ArrayList<>(entry.contentWarnings());
    if (realmDefaults.contains(entry.id())) {
      warnings.add(PolicyWarnings.REALM_DEFAULT);
    }
    PolicyIndex.Bindings bindings = entry.bindings();
    // Optional bindings: only the clients the caller may read are named, the others not counted
    List<String> optionalNamed = new ArrayList<>();
    for (PolicyIndex.BoundClient c : bindings.optional()) {
      if (optionalNamed.size() == PolicyWarnings.MAX_NAMED) {
        break;
      }
      if (shown(session, realm, permissions, c.id())) {
        optionalNamed.add(c.clientId());
      }
    }
    String optional = PolicyWarnings.optional(optionalNamed, bindings.optionalCount(), false);
    if (optional != null) {
      warnings.add(optional);
    }
    List<BoundClient> bound =
        bindings.bound().stream()
            .filter(c -> shown(session, realm, permissions, c.id()))
            .map(c -> new BoundClient(c.id(), c.clientId()))
            .sorted(Comparator.comparing(BoundClient::id))
            .toList();
    if (bindings.boundTruncated()) {
      // no count: a caller learns nothing about clients it may not read but that there are more
      warnings.add(
          "Bound to more than "
              + PolicyIndex.MAX_BOUND
              + " clients: only the first "
              + PolicyIndex.MAX_BOUND
              + " by id are considered for clients and boundClients.");
    }
    return new PolicyView(
        entry.id(),
        entry.title(),
        entry.allowedSorted(),
        entry.config().accessTokenLifetime(),
        entry.config().disallowedScopes().value(),
        bound.stream().map(BoundClient::id).toList(),
        bound,
        List.copyOf(warnings));
  }

  /** Whether a view may name the client: handed over to the API and readable by the caller. */
  private static boolean shown(
      KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    if (!permissions.canRead(ManagedClientService.path(id))) {
      return false;
    }
    ClientModel client = session.clients().getClientById(realm, id);
    return client != null && HandOver.isHandedOver(client);
  }
}
