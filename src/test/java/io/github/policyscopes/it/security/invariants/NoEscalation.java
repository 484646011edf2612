package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.access.EscalationCheck;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.security.invariants.Held.ClientState;
import io.github.policyscopes.it.security.invariants.Held.Scopes;
import io.github.policyscopes.it.security.invariants.Model.ClientRef;
import io.github.policyscopes.it.security.invariants.Model.PolicyRef;
import io.github.policyscopes.it.security.invariants.Model.Power;
import io.github.policyscopes.it.security.invariants.Model.Seen;
import io.github.policyscopes.it.security.invariants.Model.Token;
import io.github.policyscopes.scope.ConfigScope;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * I1: every config grant a client made or changed through the API holds (stored in its policies,
 * and in the tokens it gets) is covered by a token that created or changed the client or wrote one
 * of its policies ({@link EscalationCheck#withinPower}); {@code whoami} allows none of the
 * protected writes no such token may do; acting as a client succeeds only for a token that covers
 * every config grant the client's policies hold.
 */
final class NoEscalation implements Checker {

  @Override
  public void actedAs(Model m, Token t, ClientRef c, @Nullable ClientState before, String what) {
    if (before == null) {
      return;
    }
    for (ConfigScope g : before.storedGrants()) {
      if (!EscalationCheck.withinPower(t.scopes(), g)) {
        m.violation(
            "I1",
            what
                + " on "
                + c.name
                + " succeeded for "
                + t.label()
                + " ("
                + t.scopes()
                + "), which does not cover "
                + g.text()
                + " held by its policies");
      }
    }
  }

  @Override
  public void held(Model m, Scopes scopes) {
    List<PolicyRef> written = new ArrayList<>(m.policies);
    m.setupPolicies.values().stream().filter(p -> !p.writers.isEmpty()).forEach(written::add);
    for (PolicyRef p : written) {
      List<String> stored = scopes.entries().get(p.id);
      for (ConfigScope g : ScopeSet.of(stored == null ? List.of() : stored).grants()) {
        if (p.writers.stream().noneMatch(a -> EscalationCheck.withinPower(a.scopes(), g))) {
          m.violation(
              "I1",
              "policy "
                  + p.name
                  + " holds "
                  + g.text()
                  + " as Keycloak reads it back ("
                  + stored
                  + "), which none of its writers "
                  + p.writers.stream().map(a -> a.label() + "=" + a.scopes()).toList()
                  + " covers");
        }
      }
    }
  }

  @Override
  public void power(Model m, Power power) {
    ClientRef c = power.client();
    List<Token> authors = power.authors();
    for (ConfigScope g : power.state().storedGrants()) {
      requireCovered(m, c, authors, g, "its stored policies hold");
    }
    for (Seen seen : power.tokens()) {
      Reply whoami = seen.whoami();
      if (whoami == null) {
        continue; // not issued
      }
      String grant = seen.issued().grant();
      for (ConfigScope g : seen.issued().claim().grants()) {
        requireCovered(m, c, authors, g, "its " + grant + " token carries");
      }
      JsonNode who = whoami.jsonOrEmpty();
      String policyK = "config/tokenPolicies/" + Fixed.K;
      if (who.path("decision").path("allowed").asBoolean(false)
          && authors.stream().noneMatch(a -> a.scopes().decide("PUT", policyK).allowed())) {
        m.violation(
            "I1",
            "whoami: "
                + c.name
                + "'s "
                + grant
                + " token may PUT the demo's config policy K, which none of its authors may: "
                + who);
      }
      List<String> effective = new ArrayList<>();
      who.path("scopes").path("grants").forEach(n -> effective.add(n.asText()));
      who.path("scopes").path("denies").forEach(n -> effective.add(n.asText()));
      ScopeSet server = ScopeSet.of(effective);
      for (Fixed.Target target : m.fx.protectedTargets) {
        if (server.decide(target.method(), target.path()).allowed()
            && authors.stream()
                .noneMatch(a -> a.scopes().decide(target.method(), target.path()).allowed())) {
          m.violation(
              "I1",
              c.name
                  + "'s "
                  + grant
                  + " token may "
                  + target.method()
                  + " "
                  + target.name()
                  + " (whoami: "
                  + server
                  + "), which none of its authors "
                  + authors
                  + " may");
        }
      }
    }
  }

  private static void requireCovered(
      Model m, ClientRef c, List<Token> authors, ConfigScope g, String where) {
    if (authors.stream().noneMatch(a -> EscalationCheck.withinPower(a.scopes(), g))) {
      m.violation(
          "I1",
          c.name
              + ": "
              + where
              + " "
              + g.text()
              + ", which none of the tokens that made it "
              + authors
              + " covers ("
              + authors.stream().map(a -> a.label() + "=" + a.scopes()).toList()
              + ")");
    }
  }
}
