package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.security.invariants.Model.Token;

/**
 * MANAGED: {@code config/clients} lists only clients created through it or handed over (binding is
 * not a hand-over), never a built-in one.
 */
final class OnlyManagedClientsListed implements Checker {

  @Override
  public void listed(Model m, Token t, String collection, JsonNode page) {
    if (!collection.equals("clients")) {
      return;
    }
    for (JsonNode member : page.path(collection)) {
      String id = member.path("id").asText();
      String clientId = member.path("clientId").asText();
      if (!m.fx.managed(m, id) || Fixtures.BUILT_IN_CLIENTS.contains(clientId)) {
        m.violation(
            "MANAGED",
            "GET config/clients lists "
                + m.nameOfClient(id)
                + " ("
                + clientId
                + "), which was neither created through the API nor handed over");
      }
    }
  }
}
