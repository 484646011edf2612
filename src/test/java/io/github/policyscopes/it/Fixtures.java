package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the ITs stand on: the demo realm's fixed clients and policies, and own policies and clients
 * created through Keycloak's admin REST API the way an operator does in the console (a policy is a
 * client scope carrying the policy mapper; binding makes it a default client scope of the client),
 * never touching the demo ones. {@link #boundClient} is "a policy, a client, bound".
 */
public final class Fixtures {

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
  private final String realm;
  private final ConfigApi api;

  /** Fixtures of the demo realm. */
  public Fixtures(TestClient client) {
    this(client, TestClient.REALM);
  }

  /** Fixtures of another realm: the admin REST calls go there (the config API stays demo's). */
  public Fixtures(TestClient client, String realm) {
    this.client = client;
    this.realm = realm;
    this.api = new ConfigApi(client);
  }

  public ConfigApi api() {
    return api;
  }

  /** {@code prefix-} and eight random hex digits: a name no other test uses. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
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

  // ---- a policy, a client, bound ----

  /**
   * An own client (secret {@link #SECRET}) bound to an own policy, both created through Keycloak's
   * admin REST API.
   */
  public record Bound(String clientId, String uuid, String policyId, ConfigApi api) {
    /** An access token of a {@code client_credentials} request; fails unless it is 200. */
    public String token(String scope) {
      return api.token(clientId, SECRET, scope);
    }
  }

  /** Creates a policy with {@code allowed} and a confidential client bound to it. */
  public Bound boundClient(String prefix, List<String> allowed) {
    return boundClient(prefix, allowed, null, null);
  }

  /**
   * Creates a policy ({@code lifetime} in seconds and {@code mode} ({@code disallowedScopes}) when
   * not null) and a confidential client bound to it.
   */
  public Bound boundClient(String prefix, List<String> allowed, Integer lifetime, String mode) {
    return clientBoundTo(prefix, createPolicy(unique(prefix + "-policy"), allowed, lifetime, mode));
  }

  /** {@link #boundClient}, and the client handed over to the config API ({@link #handOver}). */
  public Bound handedOver(String prefix, List<String> allowed) {
    Bound bound = boundClient(prefix, allowed);
    handOver(bound.uuid());
    return bound;
  }

  /** Creates a confidential client (secret {@link #SECRET}) bound to each of these policies. */
  public Bound clientBoundTo(String prefix, String... policyIds) {
    String clientId = unique(prefix + "-client");
    String uuid = createClient(clientId, SECRET);
    for (String policy : policyIds) {
      bind(uuid, policy);
    }
    return new Bound(clientId, uuid, policyIds[0], api);
  }

  /** Creates a policy named {@code prefix-…} with these allowed scopes; returns its id. */
  public String policy(String prefix, String... allowed) {
    return createPolicy(unique(prefix), List.of(allowed), null, null);
  }

  /**
   * A confidential client (secret {@link #SECRET}) with web origin {@code origin}, bound to a
   * policy {@code .:**} that also allows Keycloak's {@code web-origins} scope.
   */
  public Bound browserClient(String prefix, String origin) {
    String clientId = unique(prefix + "-client");
    String uuid =
        createClientRepresentation(
            Map.of(
                "clientId", clientId,
                "enabled", true,
                "publicClient", false,
                "secret", SECRET,
                "serviceAccountsEnabled", true,
                "standardFlowEnabled", false,
                "webOrigins", List.of(origin)));
    String policy = policy(prefix, ".:**", "web-origins");
    bind(uuid, policy);
    return new Bound(clientId, uuid, policy, api);
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
    Reply created = client.admin("POST", "realms/" + realm + "/client-scopes", scope);
    assertThat(created).hasStatus(201);
    String id = idFrom(created);
    Reply mapper =
        client.admin(
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
    JsonNode existing = client.admin("GET", models, null).json().get(0);
    Map<String, Object> mapper = mapper(allowed, lifetime, mode);
    mapper.put("id", existing.get("id").asText());
    return client.admin("PUT", models + "/" + existing.get("id").asText(), mapper);
  }

  /**
   * Creates a confidential client with service account and direct grants, token exchange allowed;
   * returns its internal id.
   */
  public String createClient(String clientId, String secret) {
    Map<String, Object> rep = new LinkedHashMap<>();
    rep.put("clientId", clientId);
    rep.put("enabled", true);
    rep.put("publicClient", false);
    rep.put("secret", secret);
    rep.put("serviceAccountsEnabled", true);
    rep.put("directAccessGrantsEnabled", true);
    rep.put("standardFlowEnabled", false);
    // users signing in through a full-scope client could bring admin roles: the config API
    // refuses to act on such a client (KeycloakPower), so test clients map no role scope
    rep.put("fullScopeAllowed", false);
    rep.put(
        "attributes",
        Map.of(
            "standard.token.exchange.enabled", "true",
            "client_credentials.use_refresh_token", "false"));
    Reply created = client.admin("POST", "realms/" + realm + "/clients", rep);
    assertThat(created).hasStatus(201);
    return idFrom(created);
  }

  public void bind(String clientUuid, String policyId) {
    Reply bound =
        client.admin(
            "PUT",
            "realms/" + realm + "/clients/" + clientUuid + "/default-client-scopes/" + policyId,
            null);
    assertThat(bound).hasStatus(204);
  }

  public void unbind(String clientUuid, String policyId) {
    Reply unbound =
        client.admin(
            "DELETE",
            "realms/" + realm + "/clients/" + clientUuid + "/default-client-scopes/" + policyId,
            null);
    assertThat(unbound).hasStatus(204);
  }

  /** The realm's events of one type for one client, newest first. */
  public List<JsonNode> events(String type, String clientId) {
    JsonNode events =
        client
            .admin("GET", "realms/" + realm + "/events?type=" + type + "&client=" + clientId, null)
            .json();
    List<JsonNode> list = new ArrayList<>();
    events.forEach(list::add);
    return list;
  }

  /** The client role that hands a client over to the config API (SPEC §4). */
  public static final String HAND_OVER_ROLE = "config-api-managed";

  /** Hands a client over to the config API, as an operator does in the console (a client role). */
  public void handOver(String clientUuid) {
    Reply created =
        client.admin(
            "POST",
            "realms/" + realm + "/clients/" + clientUuid + "/roles",
            Map.of("name", HAND_OVER_ROLE));
    assertThat(created).hasStatus(201);
  }

  /** Takes a client back from the config API: deletes the hand-over role. */
  public void takeBack(String clientUuid) {
    Reply deleted =
        client.admin(
            "DELETE",
            "realms/" + realm + "/clients/" + clientUuid + "/roles/" + HAND_OVER_ROLE,
            null);
    assertThat(deleted).hasStatus(204);
  }

  /** Keycloak's representation of a client, read through admin REST. */
  public JsonNode keycloakClient(String clientUuid) {
    Reply reply = client.admin("GET", "realms/" + realm + "/clients/" + clientUuid, null);
    assertThat(reply).hasStatus(200);
    return reply.json();
  }

  /** A client's secret, read through admin REST. */
  public String keycloakSecret(String clientUuid) {
    Reply reply =
        client.admin("GET", "realms/" + realm + "/clients/" + clientUuid + "/client-secret", null);
    assertThat(reply).hasStatus(200);
    return reply.json().path("value").asText(null);
  }

  /** Creates a client through admin REST from a full representation; returns its internal id. */
  public String createClientRepresentation(Map<String, Object> representation) {
    Reply created = client.admin("POST", "realms/" + realm + "/clients", representation);
    assertThat(created).hasStatus(201);
    return idFrom(created);
  }

  /** Keycloak's internal id of a client of the demo realm, by clientId. */
  public String internalId(String clientId) {
    Reply reply = client.admin("GET", "realms/" + realm + "/clients?clientId=" + clientId, null);
    assertThat(reply).hasStatus(200);
    JsonNode found = reply.json();
    assertThat(found.size()).as("client " + clientId).isEqualTo(1);
    return found.get(0).get("id").asText();
  }

  /** Whether Keycloak has a client with this clientId in the demo realm. */
  public boolean keycloakHasClient(String clientId) {
    Reply reply = client.admin("GET", "realms/" + realm + "/clients?clientId=" + clientId, null);
    assertThat(reply).hasStatus(200);
    return reply.json().size() > 0;
  }

  /** The client scopes of the demo realm (each policy is one), as admin REST lists them. */
  public List<JsonNode> clientScopes() {
    Reply reply = client.admin("GET", "realms/" + realm + "/client-scopes", null);
    assertThat(reply).hasStatus(200);
    List<JsonNode> out = new ArrayList<>();
    reply.json().forEach(out::add);
    return out;
  }

  /** The admin events of the demo realm with this resource path, newest first. */
  public List<JsonNode> adminEvents(String resourcePath) {
    Reply reply =
        client.admin(
            "GET", "realms/" + realm + "/admin-events?max=100&resourcePath=" + resourcePath, null);
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

  private static String idFrom(Reply created) {
    String location = created.header("Location");
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
