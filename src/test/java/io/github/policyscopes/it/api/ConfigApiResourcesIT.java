package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The resources of docs/config-api.md as an automation client sees them: representations, Location,
 * ETag and If-Match, conflicts, paging, secrets, and the admin events of every write.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
class ConfigApiResourcesIT extends OnSharedKeycloak {

  private static final String POLICIES = "config/tokenPolicies";
  private static final String CLIENTS = "config/clients";

  private static TestClient client;

  private static String all() {
    return fixtures.allPowerToken();
  }

  // ---- policies ----

  @Test
  void aCreatedPolicyHasLocationETagAndItsNormalisedRepresentation() {
    String token = all();
    String title = Fixtures.unique("Orders automation");
    ObjectNode body =
        ConfigApi.policyBody(title, "b-plain", "*:config/clients/**", "a-plain", "b-plain");
    body.put("accessTokenLifetime", 600).put("disallowedScopes", "reject");
    Reply created = api.post(token, POLICIES, body);

    assertThat(created).hasStatus(201);
    JsonNode policy = created.json();
    String id = policy.get("id").asText();
    assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    assertThat(created.header("Location")).endsWith("/realms/demo/config/tokenPolicies/" + id);
    assertThat(created.header("ETag")).isNotBlank();
    assertThat(policy.get("title").asText()).isEqualTo(title);
    assertThat(ConfigApi.strings(policy, "allowedScopes"))
        .as("sorted, duplicates removed")
        .containsExactly("*:config/clients/**", "a-plain", "b-plain");
    assertThat(policy.get("accessTokenLifetime").asInt()).isEqualTo(600);
    assertThat(policy.get("disallowedScopes").asText()).isEqualTo("reject");
    assertThat(policy.get("clients").isArray()).isTrue();
    assertThat(policy.get("clients")).isEmpty();
    assertThat(policy.path("warnings")).isEmpty();

    Reply read =
        api.send(
            HttpRequest.newBuilder(URI.create(created.header("Location")))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build());
    assertThat(read).hasStatus(200);
    assertThat(read.json()).isEqualTo(policy);
    assertThat(read).hasHeader("ETag", created.header("ETag"));

    // stored as a Keycloak client scope whose description is the title, named so that the
    // console's client scope list (sorted by name) shows it as a policy, next to the others
    assertThat(fixtures.clientScopes())
        .filteredOn(s -> s.path("id").asText().equals(id))
        .singleElement()
        .satisfies(s -> assertThat(s.path("description").asText()).isEqualTo(title))
        .satisfies(s -> assertThat(s.path("name").asText()).startsWith("token-policy-"));

    assertThat(api.delete(token, POLICIES + "/" + id)).hasStatus(204);
  }

  @Test
  void defaultsAreKeycloaksLifetimeAndIgnore() {
    String token = all();
    JsonNode policy = api.createPolicy(token, Fixtures.unique("Defaults"), "openid");
    assertThat(policy.has("accessTokenLifetime")).as("omitted: %s", policy).isFalse();
    assertThat(policy.get("disallowedScopes").asText()).isEqualTo("ignore");

    // null = Keycloak's lifetime again
    String path = POLICIES + "/" + policy.get("id").asText();
    ObjectNode withLifetime = ConfigApi.policyBody(policy.get("title").asText(), "openid");
    withLifetime.put("accessTokenLifetime", 120);
    assertThat(api.put(token, path, withLifetime).json().get("accessTokenLifetime").asInt())
        .isEqualTo(120);
    withLifetime.putNull("accessTokenLifetime");
    Reply cleared = api.put(token, path, withLifetime);
    assertThat(cleared).hasStatus(200);
    assertThat(cleared.json().has("accessTokenLifetime")).isFalse();
    api.delete(token, path);
  }

  @Test
  void lintWarningsComeWithThePolicy() {
    String token = all();
    JsonNode policy =
        api.createPolicy(token, Fixtures.unique("Lint"), "*.**", "*:config/tokenPolicies");
    List<String> warnings = ConfigApi.strings(policy, "warnings");
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("*.**").contains("*:**"));
    assertThat(warnings)
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains("*:config/tokenPolicies")
                    .contains("*:config/tokenPolicies/**"));

    String path = POLICIES + "/" + policy.get("id").asText();
    assertThat(ConfigApi.strings(api.get(token, path).json(), "warnings")).isEqualTo(warnings);

    // warnings are read-only: sent back, they are ignored, not stored
    ObjectNode back = (ObjectNode) api.get(token, path).json();
    back.putArray("warnings").add("injected");
    back.putArray("clients").add(UUID.randomUUID().toString());
    back.put("id", UUID.randomUUID().toString());
    Reply put = api.put(token, path, back);
    assertThat(put).hasStatus(200);
    assertThat(ConfigApi.strings(put.json(), "warnings")).isEqualTo(warnings);
    assertThat(put.json().get("clients")).isEmpty();
    assertThat(put).hasJson("/id", policy.get("id").asText());
    api.delete(token, path);

    Reply demo = api.get(fixtures.configReader(), POLICIES + "/" + CONFIG_POLICY_ID);
    assertThat(ConfigApi.strings(demo.json(), "warnings"))
        .anySatisfy(w -> assertThat(w).contains("*:config/tokenPolicies/**"));
  }

  /**
   * Issue 23: near misses of config scopes are warned with a did-you-mean, not accepted silently.
   */
  @Test
  void nearMissesOfConfigScopesAreWarnedWithADidYouMean() {
    String token = all();
    JsonNode policy =
        api.createPolicy(
            token,
            Fixtures.unique("Near misses"),
            "write:config/**",
            "r:config/**",
            ".:Config/**",
            "*:config/tokenpolicies/**",
            "*:config/foo/**");
    List<String> warnings = ConfigApi.strings(policy, "warnings");
    assertThat(warnings)
        .anySatisfy(w -> assertThat(w).startsWith("`write:config/**`").contains("`*:config/**`"))
        .anySatisfy(w -> assertThat(w).startsWith("`r:config/**`").contains("`.:config/**`"))
        .anySatisfy(w -> assertThat(w).startsWith("`.:Config/**`").contains("`.:config/**`"))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("`*:config/tokenpolicies/**`")
                    .contains("`*:config/tokenPolicies/**`"))
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith("`*:config/foo/**`")
                    .contains("tokenPolicies, clients")
                    .contains("`*:config/clients/**`"));
    api.delete(token, POLICIES + "/" + policy.get("id").asText());
  }

  /**
   * Issue 23: a policy that clients have as an Optional client scope does nothing for them; its
   * view says so, naming the clients by clientId, and bound clients come with their clientId.
   */
  @Test
  void optionalBindingsAreWarnedAndBoundClientsCarryTheirClientId() {
    String token = all();
    String policyId =
        api.createPolicy(token, Fixtures.unique("Optional"), ".:config/clients/*")
            .get("id")
            .asText();
    String policyPath = POLICIES + "/" + policyId;
    String boundId = Fixtures.unique("default-bound");
    String boundUuid = api.createClient(token, boundId, policyId).get("id").asText();
    String optionalId = Fixtures.unique("optional-bound");
    String optionalUuid = api.createClient(token, optionalId).get("id").asText();
    fixtures.bindOptional(optionalUuid, policyId);
    String hiddenUuid = fixtures.createClient(Fixtures.unique("not-handed-over"), Fixtures.SECRET);
    fixtures.bindOptional(hiddenUuid, policyId);

    JsonNode view = api.get(token, policyPath).json();
    assertThat(ConfigApi.strings(view, "clients")).containsExactly(boundUuid);
    assertThat(view.get("boundClients"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.path("id").asText()).isEqualTo(boundUuid);
              assertThat(c.path("clientId").asText()).isEqualTo(boundId);
            });
    assertThat(ConfigApi.strings(view, "warnings"))
        .containsExactly(
            "Bound as Optional to `"
                + optionalId
                + "` and other clients: Optional token policies do nothing (the client stays"
                + " unbound and gets stock tokens); make it a Default client scope of those"
                + " clients (Clients → client → Client scopes).");
    // the list shows the same
    JsonNode listed = null;
    for (JsonNode p : api.get(token, POLICIES + "?max=1000").json().get("tokenPolicies")) {
      if (p.get("id").asText().equals(policyId)) {
        listed = p;
      }
    }
    assertThat(listed).isEqualTo(view);

    // made a Default client scope, the client is bound and the warning goes
    fixtures.unbindOptional(optionalUuid, policyId);
    fixtures.bind(optionalUuid, policyId);
    fixtures.unbindOptional(hiddenUuid, policyId);
    JsonNode fixed = api.get(token, policyPath).json();
    assertThat(ConfigApi.strings(fixed, "warnings")).isEmpty();
    assertThat(ConfigApi.strings(fixed, "clients"))
        .containsExactlyInAnyOrder(boundUuid, optionalUuid);
    assertThat(fixed.get("boundClients").findValuesAsText("clientId"))
        .containsExactlyInAnyOrder(boundId, optionalId);
  }

  @Test
  void ifMatchGuardsUpdatesAndDeletes() {
    String token = all();
    String title = Fixtures.unique("Etag");
    JsonNode policy = api.createPolicy(token, title, "v1");
    String path = POLICIES + "/" + policy.get("id").asText();
    String v1 = api.get(token, path).header("ETag");
    assertThat(v1).isNotBlank();

    Reply second = api.send("PUT", path, token, ConfigApi.policyBody(title, "v2"), "If-Match", v1);
    assertThat(second).hasStatus(200);
    String v2 = second.header("ETag");
    assertThat(v2).isNotBlank().isNotEqualTo(v1);
    assertThat(api.get(token, path).header("ETag")).isEqualTo(v2);

    Reply stale = api.send("PUT", path, token, ConfigApi.policyBody(title, "v3"), "If-Match", v1);
    assertThat(stale).hasStatus(412);
    assertThat(stale.json().path("error").asText()).isNotBlank();
    assertThat(ConfigApi.strings(api.get(token, path).json(), "allowedScopes"))
        .containsExactly("v2");

    Reply unconditional = api.put(token, path, ConfigApi.policyBody(title, "v3"));
    assertThat(unconditional).as("If-Match is optional").hasStatus(200);
    String v3 = unconditional.header("ETag");

    assertThat(api.send("DELETE", path, token, null, "If-Match", v2)).hasStatus(412);
    assertThat(api.get(token, path)).hasStatus(200);
    assertThat(api.send("DELETE", path, token, null, "If-Match", v3)).hasStatus(204);

    assertThat(api.get(token, path)).hasStatus(404);
    assertThat(api.put(token, path, ConfigApi.policyBody(title, "v4"))).hasStatus(404);
    assertThat(api.delete(token, path)).hasStatus(404);
  }

  @Test
  void aTitleTakenOnUpdateIsAConflict() {
    String token = all();
    String taken = api.createPolicy(token, Fixtures.unique("First"), "a").get("title").asText();
    JsonNode second = api.createPolicy(token, Fixtures.unique("Second"), "b");
    String path = POLICIES + "/" + second.get("id").asText();
    Reply reply = api.put(token, path, ConfigApi.policyBody(taken, "b"));
    assertThat(reply).hasStatus(409);
    assertThat(api.get(token, path).json().get("title").asText())
        .isEqualTo(second.get("title").asText());
  }

  @Test
  void aBoundPolicyCannotBeDeletedAndTheConflictNamesItsClients() {
    String token = all();
    String policyId =
        api.createPolicy(token, Fixtures.unique("Bound"), ".:config/clients/*").get("id").asText();
    String policyPath = POLICIES + "/" + policyId;
    String clientId = Fixtures.unique("bound-client");
    JsonNode created = api.createClient(token, clientId, policyId);
    String apiClientId = created.get("id").asText();
    assertThat(apiClientId).isEqualTo(fixtures.internalId(clientId));
    assertThat(ConfigApi.strings(api.get(token, policyPath).json(), "clients"))
        .containsExactly(apiClientId);

    Reply conflict = api.delete(token, policyPath);
    assertThat(conflict).hasStatus(409).hasError("conflict");
    assertThat(ConfigApi.strings(conflict.json(), "clients")).containsExactly(apiClientId);
    assertThat(api.get(token, policyPath)).hasStatus(200);

    // unbind through the API, then the delete goes through
    ObjectNode unbound = ConfigApi.clientBody(clientId);
    Reply put = api.put(token, CLIENTS + "/" + apiClientId, unbound);
    assertThat(put).hasStatus(200);
    assertThat(put.json().get("tokenPolicies")).isEmpty();
    assertThat(api.get(token, policyPath).json().get("clients")).isEmpty();
    assertThat(api.delete(token, policyPath)).hasStatus(204);
    api.delete(token, CLIENTS + "/" + apiClientId);
  }

  @Test
  void aPolicyBoundInTheAdminConsoleListsThatClient() {
    String token = all();
    String policyId =
        api.createPolicy(token, Fixtures.unique("Console bound"), "openid").get("id").asText();
    String uuid = fixtures.createClient(Fixtures.unique("console"), Fixtures.SECRET);
    fixtures.bind(uuid, policyId);
    Reply conflict = api.delete(token, POLICIES + "/" + policyId);
    assertThat(conflict).hasStatus(409);
    // a client not handed over to the API does not exist for it: bound, but never named
    assertThat(ConfigApi.strings(conflict.json(), "clients")).isEmpty();
    fixtures.handOver(uuid);
    Reply named = api.delete(token, POLICIES + "/" + policyId);
    assertThat(named).hasStatus(409);
    assertThat(ConfigApi.strings(named.json(), "clients")).containsExactly(uuid);
  }

  @Test
  void pagingWithFirstAndMax() {
    String token = all();
    String prefix = Fixtures.unique("Paging");
    List<String> ids = new ArrayList<>();
    for (String suffix : List.of(" c", " a", " b")) {
      ids.add(api.createPolicy(token, prefix + suffix, "p").get("id").asText());
    }
    Reply full = api.get(token, POLICIES + "?first=0&max=1000");
    assertThat(full).hasStatus(200);
    List<String> titles = new ArrayList<>();
    full.json().get("tokenPolicies").forEach(p -> titles.add(p.get("title").asText()));
    int total = full.json().get("total").asInt();
    assertThat(titles).hasSize(total);
    int a = titles.indexOf(prefix + " a");
    assertThat(a).isGreaterThanOrEqualTo(0);
    assertThat(titles.subList(a, a + 3))
        .as("sorted by title")
        .containsExactly(prefix + " a", prefix + " b", prefix + " c");

    Reply page = api.get(token, POLICIES + "?first=" + (a + 1) + "&max=2");
    assertThat(page).hasStatus(200).hasJson("/total", total);
    List<String> pageTitles = new ArrayList<>();
    page.json().get("tokenPolicies").forEach(p -> pageTitles.add(p.get("title").asText()));
    assertThat(pageTitles).containsExactly(prefix + " b", prefix + " c");

    Reply beyond = api.get(token, POLICIES + "?first=" + total + "&max=10");
    assertThat(beyond).hasStatus(200);
    assertThat(beyond.json().get("tokenPolicies")).isEmpty();
    assertThat(beyond).hasJson("/total", total);

    Reply defaults = api.get(token, POLICIES);
    assertThat(defaults.json().get("tokenPolicies").size()).isEqualTo(Math.min(total, 100));

    ids.forEach(id -> api.delete(token, POLICIES + "/" + id));
  }

  // ---- clients ----

  @Test
  void aCreatedClientShowsItsSecretOnceAndGetsTokensBoundToItsPolicy() {
    String token = all();
    JsonNode policy = api.createPolicy(token, Fixtures.unique("Bot policy"), ".:config/clients/**");
    String policyId = policy.get("id").asText();
    Reply lifetime =
        api.put(
            token,
            POLICIES + "/" + policyId,
            ConfigApi.policyBody(policy.get("title").asText(), ".:config/clients/**")
                .put("accessTokenLifetime", 120));
    assertThat(lifetime).hasStatus(200);
    String clientId = Fixtures.unique("orders-bot");
    ObjectNode body = ConfigApi.clientBody(clientId, policyId);
    body.put("name", "Orders bot");
    Reply created = api.post(token, CLIENTS, body);

    assertThat(created).hasStatus(201);
    JsonNode c = created.json();
    String id = c.get("id").asText();
    assertThat(created.header("Location")).endsWith("/realms/demo/config/clients/" + id);
    assertThat(created.header("ETag")).isNotBlank();
    assertThat(c.get("clientId").asText()).isEqualTo(clientId);
    assertThat(c.get("name").asText()).isEqualTo("Orders bot");
    assertThat(c.get("type").asText()).isEqualTo("confidential");
    assertThat(ConfigApi.strings(c, "grantTypes")).containsExactly("client_credentials");
    assertThat(c.get("redirectUris")).isEmpty();
    assertThat(ConfigApi.strings(c, "tokenPolicies")).containsExactly(policyId);
    assertThat(c.get("enabled").asBoolean()).isTrue();
    String secret = c.get("secret").asText();
    assertThat(secret).isNotBlank();

    Reply read = api.get(token, CLIENTS + "/" + id);
    assertThat(read).hasStatus(200);
    assertThat(read.header("ETag")).isNotBlank();
    assertThat(read.json().has("secret")).as("the secret is shown once").isFalse();
    assertThat(ConfigApi.strings(api.get(token, POLICIES + "/" + policyId).json(), "clients"))
        .containsExactly(id);

    Reply shown = api.get(token, CLIENTS + "/" + id + "/secret");
    assertThat(shown).hasStatus(200).hasJson("/secret", secret);

    // the new client's tokens follow its policy, lifetime included
    Reply issued = client.clientCredentials(clientId, secret, ".:config/clients/** *:**");
    assertThat(issued).hasStatus(200).hasJson("/scope", ".:config/clients/**");
    assertThat(issued.json().get("expires_in").asInt()).isBetween(118, 120); // the second may tick
    String botToken = issued.json().get("access_token").asText();
    assertThat(api.get(botToken, CLIENTS + "/" + id)).hasStatus(200);
    assertThat(api.get(botToken, POLICIES)).isInsufficientScope("GET", POLICIES);

    // a new secret replaces the old one
    Reply rotated = api.post(token, CLIENTS + "/" + id + "/secret", null);
    assertThat(rotated).hasStatus(200);
    String newSecret = rotated.json().get("secret").asText();
    assertThat(newSecret).isNotBlank().isNotEqualTo(secret);
    assertThat(client.clientCredentials(clientId, secret, null)).hasStatus(401);
    assertThat(client.clientCredentials(clientId, newSecret, null)).hasStatus(200);
  }

  @Test
  void aPublicClientHasNoSecret() {
    String token = all();
    String clientId = Fixtures.unique("spa");
    ObjectNode body = ConfigApi.JSON.createObjectNode();
    body.put("clientId", clientId).put("type", "public");
    body.putArray("grantTypes").add("authorization_code");
    body.putArray("redirectUris").add("http://localhost:3000/*");
    Reply created = api.post(token, CLIENTS, body);
    assertThat(created).hasStatus(201);
    assertThat(created.json().has("secret")).isFalse();
    assertThat(created).hasJson("/type", "public");
    assertThat(ConfigApi.strings(created.json(), "redirectUris"))
        .containsExactly("http://localhost:3000/*");
    String path = CLIENTS + "/" + created.json().get("id").asText();
    assertThat(api.get(token, path + "/secret")).hasStatus(409);
    assertThat(api.post(token, path + "/secret", null)).hasStatus(409);
  }

  @Test
  void clientsHonourIfMatchAndADeleteRemovesTheKeycloakClient() {
    String token = all();
    String clientId = Fixtures.unique("etag-client");
    Reply created = api.post(token, CLIENTS, ConfigApi.clientBody(clientId));
    String path = CLIENTS + "/" + created.json().get("id").asText();
    String v1 = created.header("ETag");
    assertThat(api.get(token, path).header("ETag")).isEqualTo(v1);

    ObjectNode renamed = ConfigApi.clientBody(clientId).put("name", "Renamed");
    Reply updated = api.send("PUT", path, token, renamed, "If-Match", v1);
    assertThat(updated).hasStatus(200).hasJson("/name", "Renamed");
    assertThat(updated.header("ETag")).isNotEqualTo(v1);
    assertThat(api.send("PUT", path, token, renamed, "If-Match", v1)).hasStatus(412);
    assertThat(api.send("DELETE", path, token, null, "If-Match", v1)).hasStatus(412);

    ObjectNode disabled = ConfigApi.clientBody(clientId).put("enabled", false);
    assertThat(api.put(token, path, disabled).json().get("enabled").asBoolean()).isFalse();

    assertThat(api.delete(token, path)).hasStatus(204);
    assertThat(api.get(token, path)).hasStatus(404);
    assertThat(fixtures.keycloakHasClient(clientId)).isFalse();
    Reply taken = api.post(token, CLIENTS, ConfigApi.clientBody("config-reader"));
    assertThat(taken).as("clientId taken: " + taken).hasStatus(409);
  }

  @Test
  void theClientListIsSortedByClientId() {
    Reply list = api.get(fixtures.configReader(), CLIENTS + "?max=1000");
    assertThat(list).hasStatus(200);
    List<String> clientIds = new ArrayList<>();
    list.json().get("clients").forEach(c -> clientIds.add(c.get("clientId").asText()));
    assertThat(clientIds).isSorted().contains("config-admin", "config-reader", "web-app");
    assertThat(list.json().get("clients").get(0).has("secret")).isFalse();
  }

  // ---- admin events ----

  private static List<String> eventsOf(String resourcePath, String resourceType) {
    List<String> operations = new ArrayList<>();
    for (int attempt = 0; attempt < 25; attempt++) {
      operations.clear();
      for (JsonNode e : fixtures.adminEvents(resourcePath)) {
        if (resourceType.equals(e.path("resourceType").asText())
            && resourcePath.equals(e.path("resourcePath").asText())) {
          operations.add(e.path("operationType").asText());
        }
      }
      if (operations.contains("DELETE")) {
        break;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return operations;
  }

  @Test
  void everyWriteIsAnAdminEvent() {
    // Keycloak's admin-events query cannot filter on a custom resource type (resourceTypes is
    // parsed as its enum), so the events are found by resource path and checked by type
    String token = all();
    String title = Fixtures.unique("Audited");
    String policyId = api.createPolicy(token, title, "a").get("id").asText();
    String policyPath = POLICIES + "/" + policyId;
    assertThat(api.put(token, policyPath, ConfigApi.policyBody(title, "b"))).hasStatus(200);
    assertThat(api.delete(token, policyPath)).hasStatus(204);
    assertThat(eventsOf(policyPath, "TOKEN_POLICY"))
        .containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE");

    String clientId = Fixtures.unique("audited");
    String id = api.createClient(token, clientId).get("id").asText();
    String clientPath = CLIENTS + "/" + id;
    assertThat(api.put(token, clientPath, ConfigApi.clientBody(clientId).put("name", "x")))
        .hasStatus(200);
    assertThat(api.post(token, clientPath + "/secret", null)).hasStatus(200);
    assertThat(api.delete(token, clientPath)).hasStatus(204);
    List<String> clientEvents = new ArrayList<>(eventsOf(clientPath, "CLIENT"));
    clientEvents.addAll(eventsOf(clientPath + "/secret", "CLIENT")); // a new secret: ACTION
    assertThat(clientEvents).containsExactlyInAnyOrder("CREATE", "UPDATE", "ACTION", "DELETE");
  }

  @Test
  void aRefusedWriteIsNoAdminEvent() {
    String path = POLICIES + "/" + CONFIG_POLICY_ID;
    Reply refused =
        api.send(
            "PUT",
            path,
            all(),
            ConfigApi.policyBody("Configuration token policy", "*:**"),
            "If-Match",
            "\"stale\"");
    assertThat(refused).hasStatus(403);
    assertThat(fixtures.adminEvents(path))
        .noneMatch(e -> "TOKEN_POLICY".equals(e.path("resourceType").asText()));
  }
}
