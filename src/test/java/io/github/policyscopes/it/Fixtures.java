package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.policyscopes.it.api.ConfigApi;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ClientScopeRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * What the ITs stand on: the demo realm's fixed clients and policies, and own policies and clients
 * created through Keycloak's admin REST API the way an operator does in the console (a policy is a
 * client scope carrying the policy mapper; binding makes it a default client scope of the client),
 * never touching the demo ones. {@link #boundClient} is "a policy, a client, bound". Writes go
 * through Keycloak's admin client ({@link #realm()}); what the tests assert as HTTP stays HTTP.
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
        createConfidentialClient(
            clientId,
            "serviceAccountsEnabled",
            true,
            "standardFlowEnabled",
            false,
            "webOrigins",
            List.of(origin));
    String policy = policy(prefix, ".:**", "web-origins");
    bind(uuid, policy);
    return new Bound(clientId, uuid, policy, api);
  }

  /** Creates a policy and returns its id (the client scope id). */
  public String createPolicy(String name, List<String> allowed, Integer lifetime, String mode) {
    ClientScopeRepresentation scope = new ClientScopeRepresentation();
    scope.setName(name);
    scope.setDescription(name + " (test policy)");
    scope.setProtocol("openid-connect");
    scope.setAttributes(
        Map.of("include.in.token.scope", "false", "display.on.consent.screen", "false"));
    String id = created(realm().clientScopes().create(scope));
    addPolicyMapper(id, allowed, lifetime, mode);
    return id;
  }

  /** Adds one more policy mapper to a policy's client scope (a policy of several mappers). */
  public void addPolicyMapper(
      String policyId, List<String> allowed, Integer lifetime, String mode) {
    ProtocolMapperRepresentation mapper =
        JSON.convertValue(mapper(allowed, lifetime, mode), ProtocolMapperRepresentation.class);
    var mappers = realm().clientScopes().get(policyId).getProtocolMappers();
    if (!mappers.getMappers().isEmpty()) {
      mapper.setName(unique("token policy")); // a scope's mapper names are unique
    }
    created(mappers.createMapper(mapper));
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

  /**
   * Replaces the allowed scopes of a policy, as the console's mapper form does. Plain HTTP, not the
   * admin client: the tests assert the console's answer itself (a 400 and the validation message in
   * its body), which the admin client would turn into an exception.
   */
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
    ClientRepresentation rep = new ClientRepresentation();
    rep.setClientId(clientId);
    rep.setEnabled(true);
    rep.setPublicClient(false);
    rep.setSecret(secret);
    rep.setServiceAccountsEnabled(true);
    rep.setDirectAccessGrantsEnabled(true);
    rep.setStandardFlowEnabled(false);
    // users signing in through a full-scope client could bring admin roles: the config API
    // refuses to act on such a client (KeycloakPower), so test clients map no role scope
    rep.setFullScopeAllowed(false);
    rep.setAttributes(
        Map.of(
            "standard.token.exchange.enabled", "true",
            "client_credentials.use_refresh_token", "false"));
    return created(realm().clients().create(rep));
  }

  /**
   * Adds {@code audience} (a clientId) to {@code aud} of the client's access tokens: Keycloak's
   * audience mapper on the client. An unbound client's token names no client of its own; with its
   * own clientId it is one the config API accepts (docs/adr/0026).
   */
  public void addAudience(String clientUuid, String audience) {
    Reply mapper =
        addClientMapper(
            clientUuid,
            Map.of(
                "name",
                "audience " + audience,
                "protocol",
                "openid-connect",
                "protocolMapper",
                "oidc-audience-mapper",
                "config",
                Map.of(
                    "included.client.audience", audience,
                    "access.token.claim", "true",
                    "id.token.claim", "false")));
    if (mapper.status() != 201) {
      throw new IllegalStateException("audience mapper: " + mapper);
    }
  }

  /** Adds a protocol mapper to the client; Keycloak's answer, to check. */
  public Reply addClientMapper(String clientUuid, Object mapper) {
    return client.admin(
        "POST", "realms/" + realm + "/clients/" + clientUuid + "/protocol-mappers/models", mapper);
  }

  /** A one-use initial access token of the realm, for a dynamic client registration. */
  public String initialAccessToken() {
    Reply iat =
        client.admin(
            "POST",
            "realms/" + realm + "/clients-initial-access",
            Map.of("expiration", 600, "count", 1));
    assertThat(iat).hasStatus(201);
    return iat.json().get("token").asText();
  }

  public void bind(String clientUuid, String policyId) {
    realm().clients().get(clientUuid).addDefaultClientScope(policyId);
  }

  /** Adds the policy to the client as an Optional client scope, as the console offers. */
  public void bindOptional(String clientUuid, String policyId) {
    realm().clients().get(clientUuid).addOptionalClientScope(policyId);
  }

  public void unbindOptional(String clientUuid, String policyId) {
    realm().clients().get(clientUuid).removeOptionalClientScope(policyId);
  }

  public void unbind(String clientUuid, String policyId) {
    realm().clients().get(clientUuid).removeDefaultClientScope(policyId);
  }

  /** The realm's events of one type for one client, newest first. */
  public List<JsonNode> events(String type, String clientId) {
    return realm().getEvents(List.of(type), clientId, null, null, null, null, null, null).stream()
        .map(event -> (JsonNode) JSON.valueToTree(event))
        .toList();
  }

  /**
   * Creates an enabled realm named {@code prefix-…} with {@code more} fields of its representation
   * (attributes, events); returns its name.
   */
  public static String createRealm(TestClient http, String prefix, Map<String, Object> more) {
    String name = unique(prefix);
    Map<String, Object> rep = new LinkedHashMap<>(more);
    rep.put("realm", name);
    rep.put("enabled", true);
    assertThat(http.admin("POST", "realms", rep)).as("create realm " + name).hasStatus(201);
    return name;
  }

  /** CIBA in poll mode, one second between polls (Keycloak refuses 0: a poll lock needs one). */
  public static final Map<String, String> CIBA_POLL =
      Map.of("cibaBackchannelTokenDeliveryMode", "poll", "cibaInterval", "1");

  /**
   * A protocol mapper's config for a String claim {@code claimName} in the access and ID tokens,
   * userinfo and introspection; mutable, for the mapper's own fields.
   */
  public static Map<String, String> claimConfig(String claimName) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("claim.name", claimName);
    config.put("jsonType.label", "String");
    config.put("access.token.claim", "true");
    config.put("id.token.claim", "true");
    config.put("userinfo.token.claim", "true");
    config.put("introspection.token.claim", "true");
    return config;
  }

  /** Keycloak's client registration policies' component type. */
  public static final String REGISTRATION_POLICY_TYPE =
      "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";

  /** The registration ceiling's component name in the ITs. */
  public static final String CEILING_COMPONENT = "token policy ceiling";

  /**
   * Adds a token policy ceiling for registrations of {@code subType} ({@code anonymous} or {@code
   * authenticated}) naming {@code policy}; returns Keycloak's answer (201 when it took it).
   */
  public Reply addCeiling(String subType, String policy) {
    String realmId = client.admin("GET", "realms/" + realm, null).json().get("id").asText();
    Map<String, Object> component = new LinkedHashMap<>();
    component.put("name", CEILING_COMPONENT);
    component.put("providerId", "pbs-token-policy-ceiling");
    component.put("providerType", REGISTRATION_POLICY_TYPE);
    component.put("parentId", realmId);
    component.put("subType", subType);
    component.put("config", Map.of("token-policy", List.of(policy)));
    return client.admin("POST", "realms/" + realm + "/components", component);
  }

  /** The client role that hands a client over to the config API (docs/contract.md §4). */
  public static final String HAND_OVER_ROLE = "config-api-managed";

  /** Hands a client over to the config API, as an operator does in the console (a client role). */
  public void handOver(String clientUuid) {
    realm()
        .clients()
        .get(clientUuid)
        .roles()
        .create(new RoleRepresentation(HAND_OVER_ROLE, null, false));
  }

  /** Takes a client back from the config API: deletes the hand-over role. */
  public void takeBack(String clientUuid) {
    realm().clients().get(clientUuid).roles().deleteRole(HAND_OVER_ROLE);
  }

  // Reads of Keycloak's JSON stay plain HTTP: tests compare it as the server sends it (a client
  // before and after a refused request, field by field); a trip through representation classes
  // and a second Jackson mapping would compare something else (nulls, fields the classes lack).

  /** Keycloak's representation of a client, read through admin REST. */
  public JsonNode keycloakClient(String clientUuid) {
    Reply reply = client.admin("GET", "realms/" + realm + "/clients/" + clientUuid, null);
    assertThat(reply).hasStatus(200);
    return reply.json();
  }

  /** A client's secret, read through admin REST. */
  public String keycloakSecret(String clientUuid) {
    return realm().clients().get(clientUuid).getSecret().getValue();
  }

  /** {@code rep} with {@code more} ({@code name, value, …}) put into it. */
  public static Map<String, Object> with(Map<String, Object> rep, Object... more) {
    for (int i = 0; i + 1 < more.length; i += 2) {
      rep.put((String) more[i], more[i + 1]);
    }
    return rep;
  }

  /**
   * A confidential client users sign in through: its service account, the password grant and the
   * code flow back to {@code redirectUri}; then {@code more} (name, value…).
   */
  public static Map<String, Object> signInClient(
      String clientId, String secret, String redirectUri, Object... more) {
    Map<String, Object> client =
        passwordClient(
            clientId, secret, "standardFlowEnabled", true, "redirectUris", List.of(redirectUri));
    return with(client, more);
  }

  /**
   * A confidential client with its service account and the password grant, no code flow; then
   * {@code more} (name, value…).
   */
  public static Map<String, Object> passwordClient(String clientId, String secret, Object... more) {
    Map<String, Object> client =
        confidentialClient(
            clientId,
            secret,
            "serviceAccountsEnabled",
            true,
            "directAccessGrantsEnabled",
            true,
            "standardFlowEnabled",
            false);
    return with(client, more);
  }

  /**
   * A confidential client's representation, enabled, with this secret, and {@code more} keys and
   * values (Keycloak's client representation fields).
   */
  public static Map<String, Object> confidentialClient(
      String clientId, String secret, Object... more) {
    Map<String, Object> client = new LinkedHashMap<>();
    client.put("clientId", clientId);
    client.put("enabled", true);
    client.put("publicClient", false);
    client.put("secret", secret);
    return with(client, more);
  }

  /**
   * Creates a {@link #confidentialClient} with secret {@link #SECRET} and {@code more}; returns its
   * internal id.
   */
  public String createConfidentialClient(String clientId, Object... more) {
    return createClientRepresentation(confidentialClient(clientId, SECRET, more));
  }

  /** Creates a client through admin REST from a full representation; returns its internal id. */
  public String createClientRepresentation(Map<String, Object> representation) {
    return created(
        realm().clients().create(JSON.convertValue(representation, ClientRepresentation.class)));
  }

  /**
   * A user's representation: enabled, with a verified email, names, and a password that is not
   * temporary (what a sign-in, the password grant or CIBA need).
   */
  public static Map<String, Object> user(
      String username, String password, String email, String firstName, String lastName) {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("username", username);
    user.put("enabled", true);
    user.put("email", email);
    user.put("emailVerified", true);
    user.put("firstName", firstName);
    user.put("lastName", lastName);
    user.put(
        "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)));
    return user;
  }

  /** Creates a user through admin REST from a representation; returns its id. */
  public String createUser(Map<String, Object> representation) {
    return created(
        realm().users().create(JSON.convertValue(representation, UserRepresentation.class)));
  }

  /** Creates a plain client scope (no policy mapper) from a representation; returns its id. */
  public String createClientScope(Map<String, Object> representation) {
    return created(
        realm()
            .clientScopes()
            .create(JSON.convertValue(representation, ClientScopeRepresentation.class)));
  }

  /** Keycloak's internal id of a client of the demo realm, by clientId. */
  public String internalId(String clientId) {
    List<ClientRepresentation> found = realm().clients().findByClientId(clientId);
    assertThat(found).as("client " + clientId).hasSize(1);
    return found.get(0).getId();
  }

  /** Whether Keycloak has a client with this clientId in the demo realm. */
  public boolean keycloakHasClient(String clientId) {
    return !realm().clients().findByClientId(clientId).isEmpty();
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

  // ---- Keycloak's admin client ----

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Keycloak> ADMIN = new ConcurrentHashMap<>();

  /**
   * The realm through Keycloak's admin client, signed in as the server's admin ({@code admin} /
   * {@code admin} in {@code master}, through {@code admin-cli}); one client per server.
   */
  public RealmResource realm() {
    return ADMIN
        .computeIfAbsent(
            client.baseUrl(),
            url ->
                KeycloakBuilder.builder()
                    .serverUrl(url)
                    .realm("master")
                    .clientId("admin-cli")
                    .username("admin")
                    .password("admin")
                    .grantType("password")
                    .build())
        .realm(realm);
  }

  /** The id of what a 201 answer created; fails on any other answer. */
  private static String created(Response response) {
    try (response) {
      if (response.getStatus() != 201) {
        throw new AssertionError(
            "create answered " + response.getStatus() + ": " + response.readEntity(String.class));
      }
      return CreatedResponseUtil.getCreatedId(response);
    }
  }
}
