package io.github.policyscopes.it.security.invariants;

import io.github.policyscopes.it.security.invariants.Held.ClientState;
import io.github.policyscopes.it.security.invariants.Model.ClientRef;
import io.github.policyscopes.it.security.invariants.Model.Token;
import org.jspecify.annotations.Nullable;

/**
 * I3: nothing succeeds on the secret, or as PUT or DELETE, of a client whose service account holds
 * a realm-management role.
 */
final class NoKeycloakPower implements Checker {

  @Override
  public void actedAs(Model m, Token t, ClientRef c, @Nullable ClientState before, String what) {
    if (c.privileged || (before != null && before.privileged())) {
      m.violation(
          "I3",
          what
              + " on "
              + c.name
              + " succeeded for "
              + t.label()
              + ", but its service account holds a realm-management role");
    }
  }
}
