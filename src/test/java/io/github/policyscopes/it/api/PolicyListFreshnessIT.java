package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.TestClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The config API's lists are cached (docs/adr/0035), and never stale: every change made through
 * Keycloak's own admin REST API (what the console does) is in the very next list, page and {@code
 * GET} of the config API. Each test reads first, so that a cached value exists to go stale.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
@ExtendWith(KeycloakServerExtension.class)
class PolicyListFreshnessIT {

  private static final String POLICIES = "config/tokenPolicies";

  private static TestClient client;
  private static Fixtures fixtures;
  private static ConfigApi api;
  private static String realmPath;

  @BeforeAll
  static void setUp(TestClient testClient) {
    client = testClient;
    fixtures = new Fixtures(testClient);
    api = fixtures.api();
    realmPath = "realms/" + TestClient.REALM + "/";
  }

  /** The listed view of a policy (every page walked), or null when it is not listed. */
  private static JsonNode listed(String token, String id) {
    JsonNode found = null;
    int total = api.get(token, POLICIES + "?max=1").json().get("total").asInt();
    for (int first = 0; first < total; first += 1000) {
      JsonNode page = api.get(token, POLICIES + "?first=" + first + "&max=1000").json();
      for (JsonNode p : page.get("tokenPolicies")) {
        if (p.get("id").asText().equals(id)) {
          found = p;
        }
      }
    }
    return found;
  }

  private static int total(String token) {
    return api.get(token, POLICIES + "?max=1").json().get("total").asInt();
  }

  @Test
  void aTitleChangedInKeycloakIsInTheNextListPageAndGet() {
    String token = fixtures.allPowerToken();
    String id = fixtures.policy("fresh-title", ".:config/clients/*");
    assertThat(listed(token, id)).isNotNull();
    assertThat(api.get(token, POLICIES + "/" + id)).hasStatus(200);

    String scope = realmPath + "client-scopes/" + id;
    ObjectNode rep = (ObjectNode) client.admin("GET", scope, null).json();
    String title = Fixtures.unique("Renamed in the console");
    rep.put("description", title);
    assertThat(client.admin("PUT", scope, rep)).hasStatus(204);

    assertThat(listed(token, id).get("title").asText()).isEqualTo(title);
    assertThat(listed(fixtures.configReader(), id).get("title").asText())
        .as("a reader of everything, decided once for the list")
        .isEqualTo(title);
    assertThat(api.get(token, POLICIES + "/" + id).json().get("title").asText()).isEqualTo(title);
    // the title index too: the new title clashes, the old one is free
    assertThat(api.post(token, POLICIES, ConfigApi.policyBody(title.toUpperCase(), "x")))
        .hasStatus(409);
  }

  @Test
  void aClientScopeGivenThePolicyMapperIsANewPolicyAtOnce() {
    String token = fixtures.allPowerToken();
    int before = total(token);
    String scope = Fixtures.unique("plain-scope");
    assertThat(
            client.admin(
                "POST",
                realmPath + "client-scopes",
                Map.of("name", scope, "protocol", "openid-connect")))
        .hasStatus(201);
    String id =
        client.admin("GET", realmPath + "client-scopes", null).json().findParents("name").stream()
            .filter(s -> s.path("name").asText().equals(scope))
            .findFirst()
            .orElseThrow()
            .get("id")
            .asText();
    assertThat(total(token)).as("a client scope without the mapper is no policy").isEqualTo(before);
    assertThat(api.get(token, POLICIES + "/" + id)).hasStatus(404);

    assertThat(
            client.admin(
                "POST",
                realmPath + "client-scopes/" + id + "/protocol-mappers/models",
                Fixtures.mapper(List.of(".:config/clients/*"), null, null)))
        .hasStatus(201);

    assertThat(total(token)).isEqualTo(before + 1);
    assertThat(listed(token, id)).isNotNull();
    assertThat(api.get(token, POLICIES + "/" + id)).hasStatus(200);
  }

  @Test
  void aPolicyDeletedInKeycloakIsGoneAtOnce() {
    String token = fixtures.allPowerToken();
    String id = fixtures.policy("fresh-delete", ".:config/clients/*");
    int before = total(token);
    assertThat(listed(token, id)).isNotNull();
    assertThat(listed(fixtures.configReader(), id)).isNotNull();
    assertThat(api.get(token, POLICIES + "/" + id)).hasStatus(200);

    assertThat(client.admin("DELETE", realmPath + "client-scopes/" + id, null)).hasStatus(204);

    assertThat(total(token)).isEqualTo(before - 1);
    assertThat(listed(token, id)).isNull();
    assertThat(listed(fixtures.configReader(), id)).isNull();
    assertThat(api.get(token, POLICIES + "/" + id)).hasStatus(404);
  }

  @Test
  void aPolicyWhoseMapperIsRemovedInKeycloakLeavesTheListAtOnceAndTheOthersStay() {
    String token = fixtures.allPowerToken();
    String id = fixtures.policy("fresh-unmapped", ".:config/clients/*");
    String other = fixtures.policy("fresh-neighbour", ".:config/clients/*");
    int before = total(token);
    assertThat(listed(token, id)).isNotNull();
    JsonNode neighbour = listed(token, other);

    String models = realmPath + "client-scopes/" + id + "/protocol-mappers/models";
    String mapper = client.admin("GET", models, null).json().get(0).get("id").asText();
    assertThat(client.admin("DELETE", models + "/" + mapper, null)).hasStatus(204);

    assertThat(total(token)).isEqualTo(before - 1);
    assertThat(listed(token, id)).isNull();
    assertThat(api.get(token, POLICIES + "/" + id)).hasStatus(404);
    assertThat(listed(token, other)).isEqualTo(neighbour);
  }

  @Test
  void aMapperEditAndABindingChangeInKeycloakAreInTheNextView() {
    String token = fixtures.allPowerToken();
    String id = fixtures.policy("fresh-binding", ".:config/clients/*");
    String clientUuid = api.createClient(token, Fixtures.unique("fresh-client")).get("id").asText();
    assertThat(ConfigApi.strings(listed(token, id), "clients")).isEmpty();
    assertThat(ConfigApi.strings(api.get(token, POLICIES + "/" + id).json(), "clients")).isEmpty();

    fixtures.bind(clientUuid, id);
    assertThat(ConfigApi.strings(listed(token, id), "clients")).containsExactly(clientUuid);
    assertThat(ConfigApi.strings(api.get(token, POLICIES + "/" + id).json(), "clients"))
        .containsExactly(clientUuid);

    assertThat(fixtures.editPolicy(id, List.of(".:config/clients/*", "extra"), 300, null))
        .hasStatus(204);
    JsonNode edited = api.get(token, POLICIES + "/" + id).json();
    assertThat(ConfigApi.strings(edited, "allowedScopes"))
        .containsExactly(".:config/clients/*", "extra");
    assertThat(edited.get("accessTokenLifetime").asInt()).isEqualTo(300);
    assertThat(ConfigApi.strings(listed(token, id), "allowedScopes"))
        .containsExactly(".:config/clients/*", "extra");

    fixtures.unbind(clientUuid, id);
    assertThat(ConfigApi.strings(listed(token, id), "clients")).isEmpty();
    assertThat(ConfigApi.strings(api.get(token, POLICIES + "/" + id).json(), "clients")).isEmpty();
  }
}
