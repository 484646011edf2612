package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input (docs/config-api.md): malformed JSON, wrong types, unknown fields, invalid values are a
 * 400 naming the field, an oversized body a 413, never a 500; and a refused request writes nothing:
 * the API's list count and Keycloak's client scopes and clients are unchanged.
 */
class ConfigApiValidationIT extends OnSharedKeycloak {

  private static final String POLICIES = "config/tokenPolicies";
  private static final String CLIENTS = "config/clients";

  private static String token;

  private int policiesBefore;
  private int clientsBefore;
  private int clientScopesBefore;

  /** Appears in every title and clientId a case sends, so that a leak is found by name. */
  private String marker;

  @BeforeEach
  void counts() {
    token = fixtures.allPowerToken();
    marker = "bad" + UUID.randomUUID().toString().substring(0, 8);
    policiesBefore = fixtures.total(token, POLICIES);
    clientsBefore = fixtures.total(token, CLIENTS);
    clientScopesBefore = fixtures.clientScopes().size();
  }

  @AfterEach
  void nothingHalfWritten() {
    assertThat(fixtures.total(token, POLICIES)).as("policy count").isEqualTo(policiesBefore);
    assertThat(fixtures.total(token, CLIENTS)).as("client count").isEqualTo(clientsBefore);
    List<JsonNode> scopes = fixtures.clientScopes();
    assertThat(scopes).as("Keycloak client scopes").hasSize(clientScopesBefore);
    String lower = marker.toLowerCase(Locale.ROOT);
    assertThat(scopes)
        .noneMatch(
            s ->
                s.path("name").asText().toLowerCase(Locale.ROOT).contains(lower)
                    || s.path("description").asText().contains(marker));
    assertThat(fixtures.keycloakHasClient(marker)).isFalse();
  }

  /** {@code $} in a body template is replaced by the case's marker. */
  private record Case(String label, String body, int status, String field) {
    @Override
    public String toString() {
      return label;
    }
  }

  private static Case bad(String label, String body, String field) {
    return new Case(label, body, 400, field);
  }

  private static String scopes(int n) {
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      entries.add("\"s" + i + "\"");
    }
    return String.join(",", entries);
  }

  static Stream<Arguments> policyCases() {
    String big = "a".repeat(100 * 1024);
    return Stream.of(
            bad("malformed JSON", "{\"title\": \"$\", \"allowedScopes\": [", null),
            bad("not JSON at all", "title=$", null),
            bad("empty body", "", null),
            bad("JSON null", "null", null),
            bad("a JSON array", "[\"$\"]", null),
            bad("a JSON string", "\"$\"", null),
            bad(
                "title is an object",
                "{\"title\": {\"x\": \"$\"}, \"allowedScopes\": []}",
                "title"),
            bad("title is an array", "{\"title\": [\"$\"], \"allowedScopes\": []}", "title"),
            bad(
                "allowedScopes is a string",
                "{\"title\": \"$\", \"allowedScopes\": \"openid\"}",
                "allowedScopes"),
            bad(
                "allowedScopes is an object",
                "{\"title\": \"$\", \"allowedScopes\": {\"a\": 1}}",
                "allowedScopes"),
            bad(
                "an allowed scope is an object",
                "{\"title\": \"$\", \"allowedScopes\": [\"openid\", {\"a\": 1}]}",
                "allowedScopes[1]"),
            bad(
                "an allowed scope is null",
                "{\"title\": \"$\", \"allowedScopes\": [\"openid\", null]}",
                "allowedScopes[1]"),
            bad(
                "lifetime is a string",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": \"soon\"}",
                "accessTokenLifetime"),
            bad(
                "lifetime is a boolean",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": true}",
                "accessTokenLifetime"),
            bad(
                "lifetime is an object",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": {}}",
                "accessTokenLifetime"),
            bad(
                "disallowedScopes is an array",
                "{\"title\": \"$\", \"allowedScopes\": [], \"disallowedScopes\": [\"reject\"]}",
                "disallowedScopes"),
            bad(
                "unknown field",
                "{\"title\": \"$\", \"allowedScopes\": [], \"colour\": \"red\"}",
                "colour"),
            bad(
                "unknown field, misspelt",
                "{\"title\": \"$\", \"allowedScope\": [\"openid\"], \"allowedScopes\": []}",
                "allowedScope"),
            bad("missing title", "{\"allowedScopes\": [\"$\"]}", "title"),
            bad("null title", "{\"title\": null, \"allowedScopes\": [\"$\"]}", "title"),
            bad("empty title", "{\"title\": \"\", \"allowedScopes\": [\"$\"]}", "title"),
            bad("blank title", "{\"title\": \"   \", \"allowedScopes\": [\"$\"]}", "title"),
            bad(
                "title of 256 characters",
                "{\"title\": \"$" + "t".repeat(256) + "\", \"allowedScopes\": []}",
                "title"),
            bad("missing allowedScopes", "{\"title\": \"$\"}", "allowedScopes"),
            bad(
                "null allowedScopes",
                "{\"title\": \"$\", \"allowedScopes\": null}",
                "allowedScopes"),
            bad(
                "257 allowed scopes",
                "{\"title\": \"$\", \"allowedScopes\": [" + scopes(257) + "]}",
                "allowedScopes"),
            bad(
                "empty path segment",
                "{\"title\": \"$\", \"allowedScopes\": [\"openid\", \"*:a//b\"]}",
                "allowedScopes[1]"),
            bad(
                "empty path",
                "{\"title\": \"$\", \"allowedScopes\": [\"*:\"]}",
                "allowedScopes[0]"),
            bad(
                "three stars",
                "{\"title\": \"$\", \"allowedScopes\": [\"openid\", \"email\", \"*:a/***\"]}",
                "allowedScopes[2]"),
            bad(
                "control character",
                "{\"title\": \"$\", \"allowedScopes\": [\"*:config/\\u0001\"]}",
                "allowedScopes[0]"),
            bad(
                "backslash in a path",
                "{\"title\": \"$\", \"allowedScopes\": [\".:config\\\\clients\"]}",
                "allowedScopes[0]"),
            bad(
                "space in a plain scope",
                "{\"title\": \"$\", \"allowedScopes\": [\"open id\"]}",
                "allowedScopes[0]"),
            bad(
                "empty scope",
                "{\"title\": \"$\", \"allowedScopes\": [\"openid\", \"\"]}",
                "allowedScopes[1]"),
            bad(
                "lifetime of 5",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": 5}",
                "accessTokenLifetime"),
            bad(
                "lifetime of 59",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": 59}",
                "accessTokenLifetime"),
            bad(
                "lifetime of 86401",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": 86401}",
                "accessTokenLifetime"),
            bad(
                "negative lifetime",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": -300}",
                "accessTokenLifetime"),
            bad(
                "huge lifetime",
                "{\"title\": \"$\", \"allowedScopes\": [], \"accessTokenLifetime\": 99999999999999}",
                "accessTokenLifetime"),
            bad(
                "disallowedScopes unknown",
                "{\"title\": \"$\", \"allowedScopes\": [], \"disallowedScopes\": \"maybe\"}",
                "disallowedScopes"),
            new Case(
                "100 KB body",
                "{\"title\": \"$\", \"allowedScopes\": [\"" + big + "\"]}",
                413,
                null),
            new Case(
                "100 KB title", "{\"title\": \"$" + big + "\", \"allowedScopes\": []}", 413, null))
        .map(Arguments::of);
  }

  private static void assertBadInput(Reply reply, Case c) {
    assertThat(reply).as(c.toString()).hasStatus(c.status());
    if (c.status() == 413) {
      return;
    }
    JsonNode body = reply.json();
    assertThat(body.path("error").asText()).as(reply.toString()).isEqualTo("invalid_request");
    assertThat(body.path("error_description").asText()).isNotBlank();
    if (c.field() != null) {
      assertThat(body.path("field").asText()).as(reply.toString()).isEqualTo(c.field());
      assertThat(body.path("error_description").asText()).contains(c.field());
      List<String> fields = new ArrayList<>();
      body.path("errors").forEach(e -> fields.add(e.path("field").asText()));
      assertThat(fields).as("errors[].field of " + reply).contains(c.field());
    }
  }

  @ParameterizedTest(name = "POST {0}")
  @MethodSource("policyCases")
  void aBadPolicyIsRefusedOnCreate(Case c) {
    assertBadInput(api.post(token, POLICIES, c.body().replace("$", marker)), c);
  }

  @ParameterizedTest(name = "PUT {0}")
  @MethodSource("policyCases")
  void aBadPolicyIsRefusedOnUpdateAndChangesNothing(Case c) {
    String title = Fixtures.unique("Valid");
    String path = POLICIES + "/" + api.createPolicy(token, title, "valid-plain").get("id").asText();
    try {
      Reply before = api.get(token, path);
      assertBadInput(api.put(token, path, c.body().replace("$", marker)), c);
      Reply after = api.get(token, path);
      assertThat(after.json()).isEqualTo(before.json());
      assertThat(after).hasHeader("ETag", before.header("ETag"));
    } finally {
      assertThat(api.delete(token, path)).hasStatus(204);
    }
  }

  @Test
  void allErrorsAreListedTheFirstIsNamed() {
    Reply reply =
        api.post(
            token,
            POLICIES,
            "{\"title\": \"\", \"allowedScopes\": [\"ok\", \"*:a//b\", \"*:\"], \"accessTokenLifetime\": 5}");
    assertThat(reply).hasStatus(400);
    List<String> fields = new ArrayList<>();
    reply
        .json()
        .path("errors")
        .forEach(
            e -> {
              fields.add(e.path("field").asText());
              assertThat(e.path("message").asText()).isNotBlank();
            });
    assertThat(fields)
        .contains("title", "allowedScopes[1]", "allowedScopes[2]", "accessTokenLifetime");
    assertThat(fields).contains(reply.json().path("field").asText());
  }

  @Test
  void theBoundariesAreAccepted() {
    for (int lifetime : new int[] {60, 86400}) {
      Reply ok =
          api.post(
              token,
              POLICIES,
              ConfigApi.policyBody(Fixtures.unique("Boundary"), "openid")
                  .put("accessTokenLifetime", lifetime));
      assertThat(ok).hasStatus(201).hasJson("/accessTokenLifetime", lifetime);
      api.delete(token, POLICIES + "/" + ok.json().get("id").asText());
    }
    Reply many =
        api.post(
            token,
            POLICIES,
            "{\"title\": \""
                + Fixtures.unique("Many")
                + "\", \"allowedScopes\": ["
                + scopes(64)
                + "]}");
    assertThat(many).hasStatus(201);
    assertThat(ConfigApi.strings(many.json(), "allowedScopes")).hasSize(64);
    api.delete(token, POLICIES + "/" + many.json().get("id").asText());
  }

  @Test
  void aTitleTakenIsAConflict() {
    String title = Fixtures.unique("Taken");
    String path = POLICIES + "/" + api.createPolicy(token, title, "a").get("id").asText();
    try {
      Reply again = api.post(token, POLICIES, ConfigApi.policyBody(title, "b"));
      assertThat(again).hasStatus(409);
      assertThat(again.json().path("error").asText()).isNotBlank();
    } finally {
      api.delete(token, path);
    }
  }

  @Test
  void aBodyThatIsNotJsonByContentTypeIsRefusedWithoutA500() {
    Reply reply =
        api.send(
            "POST",
            POLICIES,
            token,
            "{\"title\": \"" + marker + "\", \"allowedScopes\": []}",
            "Content-Type",
            "text/plain");
    assertThat(reply).hasStatusBetween(400, 499);
  }

  @Test
  void badQueryParametersAre400() {
    for (String query : List.of("max=0", "max=1001", "max=-1", "first=-1", "max=abc", "first=x")) {
      Reply reply = api.get(token, POLICIES + "?" + query);
      assertThat(reply).isInvalidRequest();
      assertThat(api.get(token, CLIENTS + "?" + query)).isInvalidRequest();
    }
  }

  // ---- clients ----

  static Stream<Arguments> clientCases() {
    return Stream.of(
            bad("malformed JSON", "{\"clientId\": \"$\",", null),
            bad("a JSON array", "[\"$\"]", null),
            bad("missing clientId", "{\"name\": \"$\"}", "clientId"),
            bad("empty clientId", "{\"clientId\": \"\", \"name\": \"$\"}", "clientId"),
            bad("clientId is an array", "{\"clientId\": [\"$\"]}", "clientId"),
            bad("unknown type", "{\"clientId\": \"$\", \"type\": \"weird\"}", "type"),
            bad("unknown field", "{\"clientId\": \"$\", \"colour\": \"red\"}", "colour"),
            bad(
                "enabled is a string",
                "{\"clientId\": \"$\", \"enabled\": \"yes please\"}",
                "enabled"),
            bad(
                "grantTypes is a string",
                "{\"clientId\": \"$\", \"grantTypes\": \"client_credentials\"}",
                "grantTypes"),
            bad(
                "unknown grant type",
                "{\"clientId\": \"$\", \"grantTypes\": [\"implicit\"]}",
                "grantTypes[0]"),
            bad(
                "client_credentials on a public client",
                "{\"clientId\": \"$\", \"type\": \"public\", \"grantTypes\": [\"client_credentials\"]}",
                "grantTypes[0]"),
            bad(
                "authorization_code without redirectUris",
                "{\"clientId\": \"$\", \"grantTypes\": [\"authorization_code\"]}",
                "redirectUris"),
            bad(
                "an unknown policy",
                "{\"clientId\": \"$\", \"tokenPolicies\": [\"" + UUID.randomUUID() + "\"]}",
                "tokenPolicies[0]"),
            new Case(
                "100 KB body",
                "{\"clientId\": \"$\", \"name\": \"" + "n".repeat(100 * 1024) + "\"}",
                413,
                null))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "POST client {0}")
  @MethodSource("clientCases")
  void aBadClientIsRefusedAndNothingIsCreatedInKeycloak(Case c) {
    assertBadInput(api.post(token, CLIENTS, c.body().replace("$", marker)), c);
  }

  @Test
  void theClientIdIsImmutable() {
    String clientId = Fixtures.unique("immutable");
    String path = CLIENTS + "/" + api.createClient(token, clientId).get("id").asText();
    try {
      Reply renamed = api.put(token, path, ConfigApi.clientBody(marker));
      assertThat(renamed).hasStatus(400).hasJson("/field", "clientId");
      assertThat(api.get(token, path).json().path("clientId").asText()).isEqualTo(clientId);
    } finally {
      assertThat(api.delete(token, path)).hasStatus(204);
    }
  }
}
