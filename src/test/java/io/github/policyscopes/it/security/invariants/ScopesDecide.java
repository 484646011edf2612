package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.security.invariants.Model.Token;

/**
 * I2: a 2xx answer only for a request the token's scopes allow (deny wins); a list shows only
 * members the token may read, and {@code total} counts them.
 */
final class ScopesDecide implements Checker {

  @Override
  public void answer(Model m, Token t, String method, String path, Reply r) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    if (r.is2xx() && !t.scopes().decide(method, bare).allowed()) {
      m.violation(
          "I2",
          method
              + " "
              + bare
              + " succeeded for "
              + t.label()
              + " although its scopes ("
              + t.scopes()
              + ") do not allow it: "
              + r);
    }
  }

  @Override
  public void listed(Model m, Token t, String collection, JsonNode page) {
    JsonNode members = page.path(collection);
    if (page.path("total").asInt(-1) != members.size()) {
      m.violation(
          "I2",
          "GET config/"
              + collection
              + " for "
              + t.label()
              + ": total "
              + page.path("total")
              + " but "
              + members.size()
              + " members listed");
    }
    for (JsonNode member : members) {
      String id = member.path("id").asText();
      String path = "config/" + collection + "/" + id;
      if (!t.scopes().decide("GET", path).allowed()) {
        String name = collection.equals("clients") ? m.nameOfClient(id) : m.nameOfPolicy(id);
        m.violation(
            "I2",
            "GET config/"
                + collection
                + " shows "
                + name
                + " to "
                + t.label()
                + ", whose scopes deny GET "
                + path
                + " ("
                + t.scopes()
                + ")");
      }
    }
  }
}
