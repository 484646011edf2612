package io.github.policyscopes.it.security.invariants;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.AdminRest;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The operator's side of the invariants: Keycloak's admin REST API on the demo realm ({@link
 * AdminRest}: a sequence makes hundreds of calls).
 */
public final class Admin {

  /** Everything a sequence creates is named with this prefix and removed before the next. */
  public static final String PREFIX = "inv";

  static final String MARKER_ROLE = Fixtures.HAND_OVER_ROLE;
  static final String MARKER_ATTRIBUTE = "pbs.managed";

  private final AdminRest rest;
  private @Nullable String realmManagement;
  private @Nullable JsonNode viewUsers;

  public Admin(TestClient http) {
    this.rest = new AdminRest(http);
  }

  /** {@code path} relative to {@code /admin/realms/demo/}. */
  Reply call(String method, String path, @Nullable Object body) {
    return rest.call(method, "realms/" + TestClient.REALM + "/" + path, body);
  }

  Reply get(String path) {
    return ok(call("GET", path, null));
  }

  Reply ok(Reply reply) {
    if (reply.status() / 100 != 2) {
      throw new IllegalStateException("admin REST: " + reply);
    }
    return reply;
  }

  private String created(Reply reply) {
    return ok(reply).createdId();
  }

  String createPolicy(String name, List<String> entries) {
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("name", name);
    scope.put("description", name + " (test policy)");
    scope.put("protocol", "openid-connect");
    scope.put(
        "attributes",
        Map.of("include.in.token.scope", "false", "display.on.consent.screen", "false"));
    String id = created(call("POST", "client-scopes", scope));
    ok(
        call(
            "POST",
            "client-scopes/" + id + "/protocol-mappers/models",
            Fixtures.mapper(entries, null, null)));
    return id;
  }

  String clientUuid(String clientId) {
    return get("clients?clientId=" + clientId).json().get(0).path("id").asText();
  }

  /**
   * A confidential client_credentials client bound to {@code policies}, with the internal id {@code
   * id} when not null; {@code handedOver}: the documented marker (client role {@code
   * config-api-managed}, and the older attribute); {@code privileged}: its service account gets
   * {@code realm-management/view-users}.
   */
  String createSetupClient(
      @Nullable String id,
      String clientId,
      String secret,
      List<String> policies,
      boolean handedOver,
      boolean privileged) {
    Map<String, Object> client =
        Fixtures.confidentialClient(
            clientId,
            secret,
            "serviceAccountsEnabled",
            true,
            "directAccessGrantsEnabled",
            false,
            "standardFlowEnabled",
            false);
    if (id != null) {
      client.put("id", id);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("client_credentials.use_refresh_token", "false");
    if (handedOver) {
      attributes.put(MARKER_ATTRIBUTE, "true");
    }
    client.put("attributes", attributes);
    String uuid = created(call("POST", "clients", client));
    for (String policy : policies) {
      ok(call("PUT", "clients/" + uuid + "/default-client-scopes/" + policy, null));
    }
    if (handedOver) {
      ok(call("POST", "clients/" + uuid + "/roles", Map.of("name", MARKER_ROLE)));
    }
    if (privileged) {
      grantViewUsers(uuid);
    }
    return uuid;
  }

  /** Gives the client's service account {@code realm-management/view-users}. */
  private void grantViewUsers(String uuid) {
    String management = realmManagement;
    JsonNode role = viewUsers;
    if (management == null || role == null) {
      management = clientUuid("realm-management");
      role = get("clients/" + management + "/roles/view-users").json();
      realmManagement = management;
      viewUsers = role;
    }
    String user = get("clients/" + uuid + "/service-account-user").json().path("id").asText();
    ok(call("POST", "users/" + user + "/role-mappings/clients/" + management, List.of(role)));
  }

  /** Deletes every client and policy a run created (names start with {@link #PREFIX}). */
  void removeSequenceLeftovers() {
    for (JsonNode c : get("clients?clientId=" + PREFIX + "&search=true&max=1000").json()) {
      if (c.path("clientId").asText().startsWith(PREFIX)) {
        call("DELETE", "clients/" + c.path("id").asText(), null);
      }
    }
    for (JsonNode s : get("client-scopes").json()) {
      if (s.path("name").asText().startsWith(PREFIX)) {
        call("DELETE", "client-scopes/" + s.path("id").asText(), null);
      }
    }
  }
}
