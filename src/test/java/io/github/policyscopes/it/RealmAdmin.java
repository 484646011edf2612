package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an operator does in the admin console, through the same admin REST calls the console makes:
 * create a token policy (a client scope carrying the policy mapper), bind it to a client (a default
 * client scope), edit it.
 */
public final class RealmAdmin {

  private final TestClient http;
  private final String realm;

  public RealmAdmin(TestClient http, String realm) {
    this.http = http;
    this.realm = realm;
  }

  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates a policy and returns its id (the client scope id). */
  public String createPolicy(String name, List<String> allowed, Integer lifetime, String mode) {
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("name", name);
    scope.put("description", name + " (test policy)");
    scope.put("protocol", "openid-connect");
    scope.put(
        "attributes",
        Map.of("include.in.token.scope", "false", "display.on.consent.screen", "false"));
    Reply created = http.admin("POST", "realms/" + realm + "/client-scopes", scope);
    assertThat(created).hasStatus(201);
    String id = idFrom(created);
    Reply mapper =
        http.admin(
            "POST",
            "realms/" + realm + "/client-scopes/" + id + "/protocol-mappers/models",
            mapper(allowed, lifetime, mode));
    assertThat(mapper).hasStatus(201);
    return id;
  }

  public static Map<String, Object> mapper(List<String> allowed, Integer lifetime, String mode) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("allowedScopes", String.join("##", allowed));
    if (lifetime != null) {
      config.put("accessTokenLifetime", lifetime.toString());
    }
    if (mode != null) {
      config.put("disallowedScopes", mode);
    }
    Map<String, Object> mapper = new LinkedHashMap<>();
    mapper.put("name", "token policy");
    mapper.put("protocol", "openid-connect");
    mapper.put("protocolMapper", "pbs-token-policy");
    mapper.put("config", config);
    return mapper;
  }

  /** Replaces the allowed scopes of a policy, as the console's mapper form does. */
  public Reply editPolicy(String policyId, List<String> allowed, Integer lifetime, String mode) {
    String models = "realms/" + realm + "/client-scopes/" + policyId + "/protocol-mappers/models";
    JsonNode existing = http.admin("GET", models, null).json().get(0);
    Map<String, Object> mapper = mapper(allowed, lifetime, mode);
    mapper.put("id", existing.get("id").asText());
    return http.admin("PUT", models + "/" + existing.get("id").asText(), mapper);
  }

  /**
   * Creates a confidential client with service account and direct grants, token exchange allowed;
   * returns its internal id.
   */
  public String createClient(String clientId, String secret) {
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("clientId", clientId);
    client.put("enabled", true);
    client.put("publicClient", false);
    client.put("secret", secret);
    client.put("serviceAccountsEnabled", true);
    client.put("directAccessGrantsEnabled", true);
    client.put("standardFlowEnabled", false);
    // users signing in through a full-scope client could bring admin roles: the config API
    // refuses to act on such a client (KeycloakPower), so test clients map no role scope
    client.put("fullScopeAllowed", false);
    client.put(
        "attributes",
        Map.of(
            "standard.token.exchange.enabled", "true",
            "client_credentials.use_refresh_token", "false"));
    Reply created = http.admin("POST", "realms/" + realm + "/clients", client);
    assertThat(created).hasStatus(201);
    return idFrom(created);
  }

  public void bind(String clientUuid, String policyId) {
    Reply bound =
        http.admin(
            "PUT",
            "realms/" + realm + "/clients/" + clientUuid + "/default-client-scopes/" + policyId,
            null);
    assertThat(bound).hasStatus(204);
  }

  public void unbind(String clientUuid, String policyId) {
    Reply unbound =
        http.admin(
            "DELETE",
            "realms/" + realm + "/clients/" + clientUuid + "/default-client-scopes/" + policyId,
            null);
    assertThat(unbound).hasStatus(204);
  }

  /** The realm's events of one type for one client, newest first. */
  public List<JsonNode> events(String type, String clientId) {
    JsonNode events =
        http.admin("GET", "realms/" + realm + "/events?type=" + type + "&client=" + clientId, null)
            .json();
    List<JsonNode> list = new ArrayList<>();
    events.forEach(list::add);
    return list;
  }

  private static String idFrom(Reply created) {
    String location = created.header("Location");
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
