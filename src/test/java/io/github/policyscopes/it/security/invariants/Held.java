package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import io.github.policyscopes.scope.ConfigScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What Keycloak holds, read as the operator through the admin REST API: the ground truth. */
final class Held {

  static final String MAPPER = "pbs-token-policy";
  static final String CC = "client_credentials";
  static final String PASSWORD = "password";

  private Held() {}

  /** Every token policy of the realm: client scope name → id and stored entries. */
  record Scopes(Map<String, String> ids, Map<String, List<String>> entries) {
    static Scopes read(Admin admin) {
      Map<String, String> ids = new HashMap<>();
      Map<String, List<String>> entries = new HashMap<>();
      for (JsonNode scope : admin.get("client-scopes").json()) {
        ids.put(scope.path("name").asText(), scope.path("id").asText());
        List<String> stored = storedEntries(scope.path("protocolMappers"));
        if (stored != null) {
          entries.put(scope.path("id").asText(), stored);
        }
      }
      return new Scopes(ids, entries);
    }
  }

  /** The entries of every policy mapper in {@code mappers}, as Keycloak reads them back. */
  static @Nullable List<String> storedEntries(JsonNode mappers) {
    List<String> out = null;
    for (JsonNode m : mappers) {
      if (MAPPER.equals(m.path("protocolMapper").asText())) {
        if (out == null) {
          out = new ArrayList<>();
        }
        out.addAll(readBack(m.path("config").path("allowedScopes").asText("")));
      }
    }
    return out;
  }

  /**
   * A stored {@code allowedScopes} value as Keycloak's multivalue config reads it: split on {@code
   * ##}; a JSON array if a fix stores it that way.
   */
  static List<String> readBack(String stored) {
    List<String> out = new ArrayList<>();
    if (stored.trim().startsWith("[")) {
      try {
        ConfigApi.JSON.readTree(stored).forEach(n -> out.add(n.asText()));
        return out;
      } catch (java.io.IOException notJson) {
        // read it as Keycloak would
      }
    }
    for (String e : stored.split("##")) {
      if (!e.isBlank()) {
        out.add(e.trim());
      }
    }
    return out;
  }

  /** A token request of a client: the grant type and Keycloak's answer. */
  record Issued(String grant, Reply reply) {
    String jwt() {
      return reply.json().path("access_token").asText();
    }

    ScopeSet claim() {
      return ScopeSet.parse(ConfigApi.scopeOf(jwt()));
    }
  }

  /** A client as the operator sees it, with the grants its policies hold. */
  record ClientState(
      JsonNode rep, List<String> policyIds, List<ConfigScope> storedGrants, boolean privileged) {

    /** The client, or null when Keycloak has no such client (any more). */
    static @Nullable ClientState of(Env env, String uuid, Scopes scopes) {
      Reply reply = env.admin().call("GET", "clients/" + uuid, null);
      if (reply.status() == 404) {
        return null;
      }
      JsonNode rep = reply.json();
      List<String> policyIds = new ArrayList<>();
      List<String> entries = new ArrayList<>();
      for (String field : List.of("defaultClientScopes", "optionalClientScopes")) {
        for (JsonNode name : rep.path(field)) {
          String id = scopes.ids().get(name.asText());
          List<String> held = id == null ? null : scopes.entries().get(id);
          if (held != null) {
            policyIds.add(id);
            entries.addAll(held);
          }
        }
      }
      List<String> own = storedEntries(rep.path("protocolMappers"));
      if (own != null) {
        entries.addAll(own);
      }
      boolean privileged = env.fx().privilegedClients.contains(uuid);
      return new ClientState(rep, policyIds, ScopeSet.of(entries).grants(), privileged);
    }

    boolean isPublic() {
      return rep.path("publicClient").asBoolean();
    }

    /**
     * The token requests the client can make, with Keycloak's answers: client credentials with its
     * secret, password as the demo user; each asks for every config grant there is, and asks again
     * without a scope when that is {@code invalid_scope} (an unbound client is stock).
     */
    List<Issued> tokens(Env env) {
      List<Issued> out = new ArrayList<>();
      if (!rep.path("enabled").asBoolean()) {
        return out;
      }
      TestClient http = env.http();
      String clientId = rep.path("clientId").asText();
      String secret = isPublic() ? null : rep.path("secret").asText(null);
      if (!isPublic() && rep.path("serviceAccountsEnabled").asBoolean() && secret != null) {
        Reply cc = http.clientCredentials(clientId, secret, env.fx().request);
        if (cc.status() == 400) {
          env.stats().requests++;
          cc =
              http.token(
                  TestClient.REALM,
                  TestClient.form(
                      "grant_type", CC, "client_id", clientId, "client_secret", secret));
        }
        add(env, out, CC, cc);
      }
      if (rep.path("directAccessGrantsEnabled").asBoolean()) {
        Reply pw = password(http, clientId, secret, env.fx().request);
        if (pw.status() == 400) {
          env.stats().requests++;
          pw = password(http, clientId, secret, null);
        }
        add(env, out, PASSWORD, pw);
      }
      return out;
    }

    private static Reply password(
        TestClient http, String clientId, @Nullable String secret, @Nullable String scope) {
      return http.token(
          TestClient.REALM,
          TestClient.form(
              "grant_type", PASSWORD,
              "client_id", clientId,
              "client_secret", secret,
              "username", "demo",
              "password", "demo",
              "scope", scope));
    }

    private static void add(Env env, List<Issued> out, String grant, Reply reply) {
      env.stats().requests++;
      out.add(new Issued(grant, reply));
    }
  }
}
