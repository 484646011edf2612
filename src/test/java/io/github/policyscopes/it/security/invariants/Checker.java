package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.security.invariants.Held.ClientState;
import io.github.policyscopes.it.security.invariants.Held.Scopes;
import io.github.policyscopes.it.security.invariants.Model.ClientRef;
import io.github.policyscopes.it.security.invariants.Model.Power;
import io.github.policyscopes.it.security.invariants.Model.Token;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One invariant of docs/contract.md §7, checked where it can be seen: each hook gets what the model
 * saw at one point of a sequence and reports a breach through {@link Model#violation} (which fails
 * the run with the sequence as it ran). A checker only reads; the model makes the requests.
 */
public interface Checker {

  /** Every checker, in the order they look at the same observation. */
  static List<Checker> all() {
    return List.of(
        new NoServerError(),
        new ScopesDecide(),
        new ListedPoliciesNameReadableClients(),
        new OnlyManagedClientsListed(),
        new NoKeycloakPower(),
        new NoEscalation(),
        new PublicClientsHoldNoConfigGrant());
  }

  /** An answer of the config API to {@code method path} with token {@code t}. */
  default void answer(Model m, Token t, String method, String path, Reply r) {}

  /** A 2xx act-as request (update, delete, the secret) on {@code c}; {@code before}: as it was. */
  default void actedAs(Model m, Token t, ClientRef c, @Nullable ClientState before, String what) {}

  /** A 2xx list of {@code collection} ({@code tokenPolicies} or {@code clients}) for {@code t}. */
  default void listed(Model m, Token t, String collection, JsonNode page) {}

  /** After each step: the policies of the realm as Keycloak holds them. */
  default void held(Model m, Scopes scopes) {}

  /** After each step: a client made or changed through the API, and the tokens it gets. */
  default void power(Model m, Power power) {}
}
