package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;

/**
 * A ceiling for self-registered clients (docs/adr/0029, docs/ai-agents.md): the client registration
 * policy "Token policy ceiling" binds one token policy to every client registered through dynamic
 * client registration. The registrant is a real third-party client, the official MCP TypeScript SDK
 * ({@code src/test/node/mcp-register}), registering anonymously as an MCP agent does; the
 * authenticated path (an initial access token, Keycloak's own representation) is plain HTTP.
 *
 * <p>One realm of its own: registration policies are realm-wide. It also holds a second policy as a
 * realm default client scope (docs/adr/0015), which a registered client must not inherit.
 */
class RegistrationCeilingIT extends OnSharedKeycloak {

  private static final String CEILING = "agent-ceiling";
  private static final List<String> CEILING_ALLOWS = List.of("email", "phone");
  private static final String WIDE = "wide-default";

  /** The id of {@link #WIDE}. */
  private static String wideId;

  private static final String COMPONENT_NAME = Fixtures.CEILING_COMPONENT;
  private static final String POLICY_TYPE = Fixtures.REGISTRATION_POLICY_TYPE;

  private static String baseUrl;
  private static String realm;
  private static String ceilingId;
  private static Fixtures admin;
  private static NodeScript mcp;

  @BeforeAll
  static void realmWithACeiling(TestClient client) {
    mcp = NodeScript.install("mcp-register");
    baseUrl = client.baseUrl();
    realm = Fixtures.createRealm(client, "dcr", Map.of());
    admin = new Fixtures(client, realm);
    ceilingId = admin.createPolicy(CEILING, CEILING_ALLOWS, null, null);
    // a policy every new client gets (ADR 0015): a registered client must not inherit it
    wideId = admin.createPolicy(WIDE, List.of("email", "phone", "profile", "address"), null, null);
    String wide = wideId;
    assertThat(
            client.admin("PUT", "realms/" + realm + "/default-default-client-scopes/" + wide, null))
        .hasStatus(204);
    trustLocalhostForAnonymousRegistration(client);
    for (String subType : List.of("anonymous", "authenticated")) {
      assertThat(admin.addCeiling(subType, CEILING)).hasStatus(201);
    }
  }

  /** Keycloak's anonymous "Trusted Hosts" policy, opened to this machine (the agent's host). */
  private static void trustLocalhostForAnonymousRegistration(TestClient client) {
    JsonNode trusted = null;
    for (JsonNode c : components(client)) {
      if ("trusted-hosts".equals(c.path("providerId").asText())) {
        trusted = c;
      }
    }
    assertThat(trusted).as("Keycloak's default trusted-hosts policy").isNotNull();
    ObjectNode config = (ObjectNode) trusted.get("config");
    config.putArray("trusted-hosts").add("localhost").add("127.0.0.1");
    assertThat(
            client.admin(
                "PUT", "realms/" + realm + "/components/" + trusted.get("id").asText(), trusted))
        .hasStatus(204);
  }

  private static List<JsonNode> components(TestClient client) {
    Reply reply = client.admin("GET", "realms/" + realm + "/components?type=" + POLICY_TYPE, null);
    assertThat(reply).hasStatus(200);
    List<JsonNode> out = new ArrayList<>();
    reply.json().forEach(out::add);
    return out;
  }

  // ---- the MCP SDK registers itself ----

  @Test
  void anMcpClientThatRegistersItselfIsBoundToTheCeilingAndNothingElse(TestClient client) {
    JsonNode registration = registerWithMcpSdk(null);

    String clientId = registration.get("client_id").asText();
    assertThat(defaultScopes(client, clientId)).contains(CEILING).doesNotContain(WIDE);
    assertThat(optionalScopes(client, clientId)).doesNotContain(CEILING, WIDE);

    Reply token = clientCredentials(client, registration, "phone address");
    // profile (a realm default) and address (optional) are beyond the ceiling: dropped
    assertGrantedTheCeiling(token);
  }

  @Test
  void aRegistrantNamingItsOwnScopesIsStillBound(TestClient client) {
    JsonNode registration = registerWithMcpSdk("email phone");

    String clientId = registration.get("client_id").asText();
    assertThat(defaultScopes(client, clientId)).contains(CEILING).doesNotContain(WIDE);
    Reply token = clientCredentials(client, registration, "email phone");
    assertGrantedTheCeiling(token);
  }

  @Test
  void aRegistrantSendingItsOwnDefaultClientScopesIsStillBound(TestClient client) {
    Reply created =
        registerDefault(
            client,
            "own-defaults",
            "secret",
            "s3cret",
            "serviceAccountsEnabled",
            true,
            "defaultClientScopes",
            List.of("basic", "email"),
            "optionalClientScopes",
            List.of("phone"));

    assertThat(created).hasStatus(201);
    String clientId = created.json().get("clientId").asText();
    assertThat(created.json().get("defaultClientScopes").toString()).contains(CEILING);
    assertThat(defaultScopes(client, clientId)).contains(CEILING, "email").doesNotContain(WIDE);
    Reply token = client.clientCredentials(realm, clientId, "s3cret", "phone");
    assertGrantedTheCeiling(token);
  }

  // ---- updates keep it bound ----

  @Test
  void aRegistrationAccessTokenCannotUnbindTheCeiling(TestClient client) {
    JsonNode registration = registerWithMcpSdk(null);
    String clientId = registration.get("client_id").asText();
    // RFC 7592 management, which the SDK does not do: Keycloak's own representation
    String url = client.realmUrl(realm) + "/clients-registrations/default/" + clientId;

    Reply current = registrationRequest(client, "GET", url, registrationToken(registration), null);
    assertThat(current).hasStatus(200);
    ObjectNode rep = (ObjectNode) current.json();
    String rat = rep.get("registrationAccessToken").asText();
    ArrayNode withoutCeiling = without(rep.get("defaultClientScopes"), CEILING);
    ObjectNode unbinding = rep.deepCopy();
    unbinding.set("defaultClientScopes", withoutCeiling);
    unbinding.remove("registrationAccessToken");

    Reply refused = registrationRequest(client, "PUT", url, rat, unbinding);

    assertRefused(refused).contains(COMPONENT_NAME).contains("stays bound");
    assertThat(defaultScopes(client, clientId)).contains(CEILING);

    // the same representation keeping the ceiling is an ordinary update
    ObjectNode keeping = rep.deepCopy();
    keeping.remove("registrationAccessToken");
    keeping.put("name", "renamed agent");
    Reply updated = registrationRequest(client, "PUT", url, rat, keeping);
    assertThat(updated).hasStatus(200);
    assertThat(defaultScopes(client, clientId)).contains(CEILING);
  }

  // ---- what the policy cannot allow is refused with Keycloak's error ----

  @Test
  void aRegistrationAskingForAScopeThePolicyCannotAllowIsRefused() {
    JsonNode refused = mcp.run("register.mjs", issuer(), "email address");

    assertSdkRefused(refused)
        .contains("Policy '" + COMPONENT_NAME + "' rejected request to client-registration service")
        .contains("does not allow the scopes address");
  }

  @Test
  void aRegistrationNamingAnotherPolicyIsRefused(TestClient client) {
    Reply refused = registerDefault(client, "other-policy", "optionalClientScopes", List.of(WIDE));

    assertRefused(refused).contains("other token policies: " + WIDE);
  }

  // ---- fail closed ----

  @Test
  void aCeilingThatIsNoLongerAPolicyRefusesEveryRegistration(TestClient client) {
    String models = "realms/" + realm + "/client-scopes/" + ceilingId + "/protocol-mappers/models";
    JsonNode mapper = client.admin("GET", models, null).json().get(0);
    assertThat(client.admin("DELETE", models + "/" + mapper.get("id").asText(), null))
        .hasStatus(204);
    try {
      JsonNode refused = mcp.run("register.mjs", issuer());

      assertSdkRefused(refused).contains("\"" + CEILING + "\" is not a token policy");
    } finally {
      assertThat(client.admin("POST", models, Fixtures.mapper(CEILING_ALLOWS, null, null)))
          .hasStatus(201);
    }
  }

  /**
   * A registered client whose ceiling an administrator unbinds is refused, never given stock
   * tokens; removing the client's ceiling attribute too releases it (docs/adr/0029).
   */
  @Test
  void aRegisteredClientThatLosesItsCeilingIsRefusedUntilReleased(TestClient client) {
    JsonNode registration = registerWithMcpSdk(null);
    String uuid =
        admin
            .realm()
            .clients()
            .findByClientId(registration.get("client_id").asText())
            .get(0)
            .getId();
    assertThat(clientCredentials(client, registration, null)).hasStatus(200);

    // moved to another, wider policy: still refused, the ceiling is what it was registered under
    admin.bind(uuid, wideId);
    admin.unbind(uuid, ceilingId); // the console's "remove" of the default client scope
    Reply moved = clientCredentials(client, registration, "email");
    assertThat(moved).as("bound to another policy instead").hasStatus(400);
    assertThat(moved).hasError("unauthorized_client");
    admin.unbind(uuid, wideId);
    Reply refused = clientCredentials(client, registration, "email");
    assertThat(refused).hasStatus(400).hasError("unauthorized_client");
    assertThat(refused.json().path("error_description").asText())
        .isEqualTo(
            "The client was registered under a token policy ceiling that is no longer bound to it");
    assertThat(refused.body()).doesNotContain("access_token");

    ClientRepresentation rep = admin.realm().clients().get(uuid).toRepresentation();
    rep.getAttributes().put("pbs.registration.ceiling", ""); // Keycloak keeps attributes left out
    admin.realm().clients().get(uuid).update(rep);
    assertThat(clientCredentials(client, registration, "email"))
        .as("released by an administrator: a client like any other")
        .hasStatus(200);
  }

  // ---- the configuration ----

  @Test
  void theConsoleRefusesACeilingThatIsNoPolicy(TestClient client) {
    Reply notAPolicy = admin.addCeiling("anonymous", "email");
    Reply missing = admin.addCeiling("anonymous", "nope");

    assertThat(notAPolicy).hasStatus(400);
    assertThat(notAPolicy.body()).contains("is not a token policy");
    assertThat(missing).hasStatus(400);
    assertThat(missing.body()).contains("does not exist");
  }

  // ---- helpers ----

  private static String issuer() {
    return baseUrl + "/realms/" + realm;
  }

  /**
   * The MCP SDK's anonymous registration, as the SDK returns it, plus {@code
   * registration_access_token} from the server's raw answer (the SDK keeps only the RFC 7591
   * fields); fails unless the server accepted it.
   */
  private static JsonNode registerWithMcpSdk(String scope) {
    JsonNode out =
        scope == null
            ? mcp.run("register.mjs", issuer())
            : mcp.run("register.mjs", issuer(), scope);
    assertThat(out.get("ok").asBoolean()).as(out.toString()).isTrue();
    assertThat(out.get("registration_endpoint").asText())
        .endsWith("/realms/" + realm + "/clients-registrations/openid-connect");
    ObjectNode registration = (ObjectNode) out.get("registration");
    registration.set("registration_access_token", out.get("raw").get("registration_access_token"));
    return registration;
  }

  private static String registrationToken(JsonNode registration) {
    return registration.get("registration_access_token").asText();
  }

  /**
   * A client credentials grant as the registered client authenticates: {@code client_secret_basic},
   * what the agent registered.
   */
  private static Reply clientCredentials(TestClient client, JsonNode registration, String scope) {
    String credentials =
        registration.get("client_id").asText() + ":" + registration.get("client_secret").asText();
    StringBuilder body = new StringBuilder("grant_type=client_credentials");
    if (scope != null) {
      body.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    String basic = Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    return client.send(
        HttpRequest.newBuilder(
                URI.create(client.realmUrl(realm) + "/protocol/openid-connect/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Authorization", "Basic " + basic)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /** A token of exactly the ceiling's scopes ({@link #CEILING_ALLOWS}). */
  private static void assertGrantedTheCeiling(Reply token) {
    assertThat(token).hasStatus(200);
    assertThat(token.json().get("scope").asText().split(" "))
        .containsExactlyInAnyOrderElementsOf(CEILING_ALLOWS);
  }

  /**
   * An authenticated registration (an initial access token) of Keycloak's own representation: a
   * unique {@code clientId} from {@code prefix}, then {@code more} (name, value…).
   */
  private static Reply registerDefault(TestClient client, String prefix, Object... more) {
    Map<String, Object> rep = new LinkedHashMap<>();
    rep.put("clientId", Fixtures.unique(prefix));
    return registrationRequest(
        client,
        "POST",
        client.realmUrl(realm) + "/clients-registrations/default",
        admin.initialAccessToken(),
        Fixtures.with(rep, more));
  }

  /** A refusal of the registration endpoint (403 insufficient_scope); its description. */
  private static AbstractStringAssert<?> assertRefused(Reply refused) {
    assertThat(refused).hasStatus(403).hasError("insufficient_scope");
    return assertThat(refused.json().get("error_description").asText());
  }

  /** A registration the MCP SDK saw refused with insufficient_scope; its description. */
  private static AbstractStringAssert<?> assertSdkRefused(JsonNode refused) {
    assertThat(refused.get("ok").asBoolean()).as(refused.toString()).isFalse();
    assertThat(refused.get("error").asText()).isEqualTo("insufficient_scope");
    return assertThat(refused.get("error_description").asText());
  }

  private static Reply registrationRequest(
      TestClient client, String method, String url, String token, Object body) {
    return client.send(
        TestClient.withJson(
            HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token),
            method,
            body));
  }

  private static List<String> defaultScopes(TestClient client, String clientId) {
    return scopeNames(client, clientId, "default-client-scopes");
  }

  private static List<String> optionalScopes(TestClient client, String clientId) {
    return scopeNames(client, clientId, "optional-client-scopes");
  }

  private static List<String> scopeNames(TestClient client, String clientId, String kind) {
    String uuid = admin.realm().clients().findByClientId(clientId).get(0).getId();
    Reply reply = client.admin("GET", "realms/" + realm + "/clients/" + uuid + "/" + kind, null);
    assertThat(reply).hasStatus(200);
    List<String> names = new ArrayList<>();
    reply.json().forEach(s -> names.add(s.get("name").asText()));
    return names;
  }

  private static ArrayNode without(JsonNode names, String removed) {
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    names.forEach(
        n -> {
          if (!removed.equals(n.asText())) {
            kept.add(n);
          }
        });
    return kept;
  }
}
