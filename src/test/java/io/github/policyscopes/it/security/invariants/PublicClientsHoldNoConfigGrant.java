package io.github.policyscopes.it.security.invariants;

import io.github.policyscopes.it.security.invariants.Model.Power;
import io.github.policyscopes.it.security.invariants.Model.Seen;
import io.github.policyscopes.scope.ConfigScope;

/** I13: a public client's token carries no config grant. */
final class PublicClientsHoldNoConfigGrant implements Checker {

  @Override
  public void power(Model m, Power power) {
    if (!power.state().isPublic()) {
      return;
    }
    for (Seen seen : power.tokens()) {
      if (seen.issued().reply().status() != 200) {
        continue;
      }
      for (ConfigScope g : seen.issued().claim().grants()) {
        m.violation(
            "I13",
            "public client "
                + power.client().name
                + " got the config grant "
                + g.text()
                + " ("
                + seen.issued().grant()
                + ")");
      }
    }
  }
}
