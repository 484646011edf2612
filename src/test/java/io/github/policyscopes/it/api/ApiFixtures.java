package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.RealmAdmin;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo realm's fixed clients and policies, and own clients and policies created through
 * Keycloak's admin REST API (what an operator does in the console), never touching the demo ones.
 */
public final class ApiFixtures {

  public static final String CONFIG_POLICY_ID = "8cdb3f99-ceee-403d-a01d-daf392e18350";
  public static final String READ_ONLY_POLICY_ID = "5a0c3a5e-6f0b-4a3e-9a57-2d1a4e0b7c11";
  public static final String STICKY_DENY = "-:config/tokenPolicies/" + CONFIG_POLICY_ID;
  public static final String SECRET = "api-test-secret";

  public static final List<String> BUILT_IN_CLIENTS =
      List.of(
          "admin-cli",
          "security-admin-console",
          "realm-management",
          "broker",
          "account",
          "account-console");

  private final TestClient client;
  private final ConfigApi api;
  private final RealmAdmin admin;

  public ApiFixtures(TestClient client) {
    this.client = client;
    this.api = new ConfigApi(client);
    this.admin = new RealmAdmin(client, TestClient.REALM);
  }

  public ConfigApi api() {
    return api;
  }

  public RealmAdmin admin() {
    return admin;
  }

  /** A token of the demo client {@code config-admin} (secret {@code config-admin-secret}). */
  public String configAdmin(String scope) {
    return api.token("config-admin", "config-admin-secret", scope);
  }

  /** A token of the demo client {@code config-reader}: {@code .:**}. */
  public String configReader() {
    return api.token("config-reader", "config-reader-secret", ".:**");
  }

  /** The demo's full-power token: {@code *:**} plus the sticky deny on policy 8cdb…. */
  public String allPowerToken() {
    return configAdmin("*:**");
  }

  /** An own client bound to an own policy, both created through Keycloak's admin REST API. */
  public record Bound(String clientId, String uuid, String policyId, ConfigApi api) {
    public String token(String scope) {
      return api.token(clientId, SECRET, scope);
    }
  }

  /** Creates a policy with {@code allowed} and a confidential client bound to it. */
  public Bound boundClient(String prefix, List<String> allowed) {
    String policy = admin.createPolicy(RealmAdmin.unique(prefix + "-policy"), allowed, null, null);
    String clientId = RealmAdmin.unique(prefix + "-client");
    String uuid = admin.createClient(clientId, SECRET);
    admin.bind(uuid, policy);
    return new Bound(clientId, uuid, policy, api);
  }

  /** The client role that hands a client over to the config API (SPEC §4). */
  public static final String HAND_OVER_ROLE = "config-api-managed";

  /** Hands a client over to the config API, as an operator does in the console (a client role). */
  public void handOver(String clientUuid) {
    Reply created =
        client.admin(
            "POST",
            "realms/" + TestClient.REALM + "/clients/" + clientUuid + "/roles",
            Map.of("name", HAND_OVER_ROLE));
    assertThat(created).hasStatus(201);
  }

  /** Takes a client back from the config API: deletes the hand-over role. */
  public void takeBack(String clientUuid) {
    Reply deleted =
        client.admin(
            "DELETE",
            "realms/" + TestClient.REALM + "/clients/" + clientUuid + "/roles/" + HAND_OVER_ROLE,
            null);
    assertThat(deleted).hasStatus(204);
  }

  /** Keycloak's representation of a client, read through admin REST. */
  public JsonNode keycloakClient(String clientUuid) {
    Reply reply =
        client.admin("GET", "realms/" + TestClient.REALM + "/clients/" + clientUuid, null);
    assertThat(reply).hasStatus(200);
    return reply.json();
  }

  /** A client's secret, read through admin REST. */
  public String keycloakSecret(String clientUuid) {
    Reply reply =
        client.admin(
            "GET",
            "realms/" + TestClient.REALM + "/clients/" + clientUuid + "/client-secret",
            null);
    assertThat(reply).hasStatus(200);
    return reply.json().path("value").asText(null);
  }

  /** Creates a client through admin REST from a full representation; returns its internal id. */
  public String createClientRepresentation(Map<String, Object> representation) {
    Reply created = client.admin("POST", "realms/" + TestClient.REALM + "/clients", representation);
    assertThat(created).hasStatus(201);
    String location = created.header("Location");
    return location.substring(location.lastIndexOf('/') + 1);
  }

  /** Keycloak's internal id of a client of the demo realm, by clientId. */
  public String internalId(String clientId) {
    Reply reply =
        client.admin("GET", "realms/" + TestClient.REALM + "/clients?clientId=" + clientId, null);
    assertThat(reply).hasStatus(200);
    JsonNode found = reply.json();
    assertThat(found.size()).as("client " + clientId).isEqualTo(1);
    return found.get(0).get("id").asText();
  }

  /** Whether Keycloak has a client with this clientId in the demo realm. */
  public boolean keycloakHasClient(String clientId) {
    Reply reply =
        client.admin("GET", "realms/" + TestClient.REALM + "/clients?clientId=" + clientId, null);
    assertThat(reply).hasStatus(200);
    return reply.json().size() > 0;
  }

  /** The client scopes of the demo realm (each policy is one), as admin REST lists them. */
  public List<JsonNode> clientScopes() {
    Reply reply = client.admin("GET", "realms/" + TestClient.REALM + "/client-scopes", null);
    assertThat(reply).hasStatus(200);
    List<JsonNode> out = new ArrayList<>();
    reply.json().forEach(out::add);
    return out;
  }

  /** The admin events of the demo realm with this resource path, newest first. */
  public List<JsonNode> adminEvents(String resourcePath) {
    Reply reply =
        client.admin(
            "GET",
            "realms/" + TestClient.REALM + "/admin-events?max=100&resourcePath=" + resourcePath,
            null);
    assertThat(reply).hasStatus(200);
    List<JsonNode> out = new ArrayList<>();
    reply.json().forEach(out::add);
    return out;
  }

  /** {@code total} of a list endpoint ({@code config/tokenPolicies} or {@code config/clients}). */
  public int total(String token, String collection) {
    Reply reply = api.get(token, collection + "?max=1");
    assertThat(reply).hasStatus(200);
    return reply.json().get("total").asInt();
  }
}
