package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * invariant I14 of docs/contract.md, power is what the policy gives now: at the config API a
 * token's config scopes count only as far as its client is bound, at request time, to policies that
 * cover them. A client scope that merely looks like a config scope gives nothing; a narrowed or
 * removed policy takes effect on the next request, not when the token expires.
 */
class CurrentPolicyPowerIT extends OnSharedKeycloak {

  private static TestClient client;

  /** A plain Keycloak client scope (no policy mapper) literally named {@code name}. */
  private static String createLookalikeScope(String name) {
    return fixtures.createClientScope(
        Map.of(
            "name",
            name,
            "protocol",
            "openid-connect",
            "attributes",
            Map.of("include.in.token.scope", "true")));
  }

  private static void delete(String path) {
    client.admin("DELETE", "realms/demo/" + path, null);
  }

  private static JsonNode whoami(String token) {
    Reply reply = api.get(token, "config/whoami");
    assertThat(reply).hasStatus(200);
    return reply.json();
  }

  @Test
  void clientScopesNamedLikeConfigScopesGiveAnUnboundClientNothing() {
    List<String> created = new ArrayList<>();
    String clientUuid = null;
    try {
      created.add(createLookalikeScope("*:**"));
      created.add(createLookalikeScope(".:**"));
      String clientId = Fixtures.unique("lookalike");
      clientUuid = fixtures.createClient(clientId, Fixtures.SECRET);
      for (String scope : created) {
        fixtures.bind(clientUuid, scope);
      }
      // a token that names its client, so the API weighs its scopes (docs/adr/0026)
      fixtures.addAudience(clientUuid, clientId);
      String token = api.token(clientId, Fixtures.SECRET, null);
      assertThat(ConfigApi.scopeOf(token).split(" "))
          .as("Keycloak issues the look-alike scopes to the unbound client")
          .contains("*:**", ".:**");

      Reply list = api.get(token, "config/tokenPolicies");
      assertThat(list).hasStatus(403);
      Reply write =
          api.post(
              token,
              "config/tokenPolicies",
              ConfigApi.policyBody(Fixtures.unique("Lookalike"), "openid"));
      assertThat(write).hasStatus(403);

      JsonNode me = whoami(token);
      assertThat(me.path("scopes").path("grants")).isEmpty();
      assertThat(ConfigApi.strings(me.path("scopes"), "ignored")).contains("*:**", ".:**");
    } finally {
      if (clientUuid != null) {
        delete("clients/" + clientUuid);
      }
      created.forEach(id -> delete("client-scopes/" + id));
    }
  }

  @Test
  void aNarrowedPolicyNarrowsTheSameTokenAndUnbindingRemovesItsPower() {
    Fixtures.Bound bound = fixtures.boundClient("narrowed", List.of("*:config/clients/**"));
    try {
      String token = bound.token("*:config/clients/**");
      String before = Fixtures.unique("before-narrowing");
      assertThat(api.post(token, "config/clients", ConfigApi.clientBody(before)))
          .as("the token can write while its policy allows it")
          .hasStatus(201);

      assertThat(fixtures.editPolicy(bound.policyId(), List.of(".:config/clients/**"), null, null))
          .hasStatus(204);

      Reply write =
          api.post(
              token, "config/clients", ConfigApi.clientBody(Fixtures.unique("after-narrowing")));
      assertThat(write).hasStatus(403);
      assertThat(api.get(token, "config/clients")).as("the token still reads").hasStatus(200);
      JsonNode me = whoami(token);
      assertThat(ConfigApi.strings(me.path("scopes"), "grants"))
          .containsExactly(".:config/clients/**");
      assertThat(ConfigApi.strings(me.path("scopes"), "ignored")).contains("*:config/clients/**");

      fixtures.unbind(bound.uuid(), bound.policyId());
      Reply read = api.get(token, "config/clients");
      assertThat(read).hasStatus(403);
    } finally {
      delete("clients/" + bound.uuid());
      delete("client-scopes/" + bound.policyId());
    }
  }

  @Test
  void aNewDenyInThePolicyAppliesToAnExistingToken() {
    Fixtures.Bound bound = fixtures.boundClient("new-deny", List.of(".:config/**"));
    try {
      String token = bound.token(".:config/**");
      assertThat(api.get(token, "config/clients")).hasStatus(200);
      fixtures.editPolicy(bound.policyId(), List.of(".:config/**", "-:config/clients"), null, null);
      Reply denied = api.get(token, "config/clients");
      assertThat(denied).hasStatus(403);
      assertThat(ConfigApi.strings(whoami(token).path("scopes"), "denies"))
          .contains("-:config/clients");
    } finally {
      delete("clients/" + bound.uuid());
      delete("client-scopes/" + bound.policyId());
    }
  }

  @Test
  void aPublicClientHasNoConfigPower() {
    String clientId = Fixtures.unique("public-direct");
    Map<String, Object> rep = new LinkedHashMap<>();
    rep.put("clientId", clientId);
    rep.put("enabled", true);
    rep.put("publicClient", true);
    rep.put("directAccessGrantsEnabled", true);
    rep.put("standardFlowEnabled", false);
    String uuid = fixtures.createClientRepresentation(rep);
    String policy = fixtures.policy("public", ".:**");
    try {
      fixtures.bind(uuid, policy);
      Reply login = client.password(clientId, null, "demo", "demo", ".:**"); // a public client
      assertThat(login).hasStatus(200);
      String token = login.json().get("access_token").asText();
      Reply read = api.get(token, "config/tokenPolicies");
      assertThat(read).hasStatus(403);
    } finally {
      delete("clients/" + uuid);
      delete("client-scopes/" + policy);
    }
  }
}
