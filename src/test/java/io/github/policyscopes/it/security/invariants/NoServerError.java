package io.github.policyscopes.it.security.invariants;

import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.security.invariants.Model.Power;
import io.github.policyscopes.it.security.invariants.Model.Seen;
import io.github.policyscopes.it.security.invariants.Model.Token;

/** I7: never a 5xx (nor no answer), from the config API, whoami or a token request. */
final class NoServerError implements Checker {

  @Override
  public void answer(Model m, Token t, String method, String path, Reply r) {
    if (r.status() >= 500 || r.status() == 0) {
      m.violation("I7", method + " " + path + " answered " + r);
    }
  }

  @Override
  public void power(Model m, Power power) {
    for (Seen seen : power.tokens()) {
      if (seen.issued().reply().status() >= 500) {
        m.violation(
            "I7",
            "token request (" + seen.issued().grant() + ") answered " + seen.issued().reply());
      }
      Reply whoami = seen.whoami();
      if (whoami != null && whoami.status() >= 500) {
        m.violation("I7", "whoami answered " + whoami);
      }
    }
  }
}
