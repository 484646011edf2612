package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.security.invariants.Model.Token;

/** I15: a listed policy's {@code clients} names only clients the token may read. */
final class ListedPoliciesNameReadableClients implements Checker {

  @Override
  public void listed(Model m, Token t, String collection, JsonNode page) {
    for (JsonNode member : page.path(collection)) {
      for (JsonNode client : member.path("clients")) {
        if (!t.scopes().decide("GET", "config/clients/" + client.asText()).allowed()) {
          m.violation(
              "I15",
              "policy "
                  + m.nameOfPolicy(member.path("id").asText())
                  + " in GET config/tokenPolicies names client "
                  + m.nameOfClient(client.asText())
                  + ", which "
                  + t.label()
                  + " may not read");
        }
      }
    }
  }
}
