package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.policyscopes.access.Route;
import io.github.policyscopes.access.Route.Gate;
import io.github.policyscopes.access.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * openapi.json, the description {@code GET config/openapi.json} serves, against the route table and
 * the records the API reads and writes, field by field: every route and method and nothing else,
 * each with the access, checks and meter tag of its route, the error responses every request can
 * get, and every field name and type of each view and input. A route or field added in one and not
 * the other fails here.
 */
class OpenApiTest {

  private static final JsonNode SPEC = read();

  private static JsonNode read() {
    try (InputStream in = ConfigResource.class.getResourceAsStream("openapi.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<Route> routes() {
    return Routes.ALL;
  }

  private static JsonNode operation(Route route) {
    return SPEC.path("paths")
        .path("/" + route.template())
        .path(route.method().toLowerCase(Locale.ROOT));
  }

  @Test
  void theOperationsAreTheRoutes() {
    Set<String> operations = new TreeSet<>();
    SPEC.path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        m -> {
                          if (!m.equals("parameters")) {
                            operations.add(
                                m.toUpperCase(Locale.ROOT) + " " + path.getKey().substring(1));
                          }
                        }));
    Set<String> table = new TreeSet<>();
    Routes.ALL.forEach(r -> table.add(r.method() + " " + r.template()));
    assertThat(operations).isEqualTo(table);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void eachOperationSaysWhatItsRouteNeeds(Route route) {
    JsonNode declared = operation(route).path("x-route");
    String access =
        switch (route.gate()) {
          case PUBLIC -> "no token";
          case TOKEN -> "any valid token";
          case SCOPE -> route.requiredScope(route.template());
        };
    assertThat(declared.path("access").asText()).isEqualTo(access);
    List<String> checks = new ArrayList<>();
    declared.path("checks").forEach(c -> checks.add(c.asText()));
    assertThat(checks)
        .containsExactlyInAnyOrderElementsOf(
            route.checks().stream().map(Route.Check::text).toList());
    assertThat(declared.path("resource").asText()).isEqualTo(route.tag());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void eachOperationListsTheErrorsEveryRequestCanGet(Route route) {
    JsonNode responses = operation(route).path("responses");
    Set<String> codes = new TreeSet<>();
    responses.fieldNames().forEachRemaining(codes::add);
    if (route.gate() == Gate.PUBLIC) {
      assertThat(codes).containsExactly("200");
      return;
    }
    // path (400), bearer token (401), origin or decision (403)
    assertThat(codes).contains("400", "401", "403");
    if (route.template().contains(Routes.ID)) {
      assertThat(codes).contains("404");
      JsonNode parameters = SPEC.path("paths").path("/" + route.template()).path("parameters");
      assertThat(parameters.findValuesAsText("name")).contains("id");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = responses.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> response = it.next();
      if (response.getKey().startsWith("4") && !route.method().equals("HEAD")) {
        assertThat(schemaRef(resolve(response.getValue())))
            .as(route + " " + response.getKey())
            .isEqualTo("#/components/schemas/Error");
      }
    }
  }

  @Test
  void theViewsAreTheRecords() {
    assertFields("TokenPolicy", PolicyView.class, Map.of());
    assertFields("Client", ClientView.class, Map.of("secret", String.class));
    assertFields("Evaluation", ClientEvaluation.View.class, Map.of());
  }

  @Test
  void theInputsAreWhatTheServicesAccept() {
    assertThat(names(schema("TokenPolicyInput"))).isEqualTo(new TreeSet<>(PolicyInput.WRITABLE));
    assertThat(names(schema("ClientInput"))).isEqualTo(new TreeSet<>(ClientInput.WRITABLE));
    assertFields("ClientInput", ClientInput.Body.class, Map.of());
    assertThat(names(schema("EvaluateInput"))).isEqualTo(new TreeSet<>(ClientEvaluation.FIELDS));
    // what a view adds to its input is read-only, and ignored in a body
    Set<String> policyReadOnly = names(schema("TokenPolicy"));
    policyReadOnly.removeAll(PolicyInput.WRITABLE);
    assertThat(policyReadOnly).isEqualTo(new TreeSet<>(PolicyInput.READ_ONLY));
    Set<String> clientReadOnly = names(schema("Client"));
    clientReadOnly.removeAll(ClientInput.WRITABLE);
    assertThat(clientReadOnly).isEqualTo(new TreeSet<>(ClientInput.READ_ONLY));
  }

  @Test
  void theListsAreNamedByTheirCollection() {
    for (String collection : List.of("tokenPolicies", "clients")) {
      JsonNode body =
          resolve(
              SPEC.path("paths")
                  .path("/config/" + collection)
                  .path("get")
                  .path("responses")
                  .path("200"));
      JsonNode schema = body.path("content").path("application/json").path("schema");
      assertThat(names(schema)).containsExactlyInAnyOrder("total", collection);
    }
  }

  /** The fields of schema {@code name} are exactly those of {@code type}, with their types. */
  private static void assertFields(String name, Class<?> type, Map<String, Type> extra) {
    Map<String, Type> fields = new LinkedHashMap<>(extra);
    for (RecordComponent c : type.getRecordComponents()) {
      fields.put(c.getName(), c.getGenericType());
    }
    assertType(name, schema(name), type, fields);
  }

  private static void assertType(String where, JsonNode schema, Type type) {
    Map<String, Type> fields = new LinkedHashMap<>();
    if (type instanceof Class<?> c && c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        fields.put(rc.getName(), rc.getGenericType());
      }
    }
    assertType(where, schema, type, fields);
  }

  private static void assertType(
      String where, JsonNode schema, Type type, Map<String, Type> fields) {
    JsonNode s = resolve(schema);
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      assertThat(s.path("type").asText()).as(where).isEqualTo("array");
      assertType(where + "[]", s.path("items"), p.getActualTypeArguments()[0]);
    } else if (type == String.class) {
      assertThat(s.path("type").asText()).as(where).isEqualTo("string");
    } else if (type == Boolean.class || type == boolean.class) {
      assertThat(s.path("type").asText()).as(where).isEqualTo("boolean");
    } else if (type == Integer.class || type == int.class || type == Long.class) {
      assertThat(s.path("type").asText()).as(where).isEqualTo("integer");
    } else if (type instanceof Class<?> c && c.isRecord()) {
      assertThat(names(s)).as(where + " fields").isEqualTo(new TreeSet<>(fields.keySet()));
      for (Map.Entry<String, Type> field : fields.entrySet()) {
        assertType(
            where + "." + field.getKey(), properties(s).get(field.getKey()), field.getValue());
      }
    } else {
      throw new AssertionError(where + ": no OpenAPI type known for " + type);
    }
  }

  private static JsonNode schema(String name) {
    return SPEC.path("components").path("schemas").path(name);
  }

  /** A {@code $ref} followed (schemas, responses). */
  private static JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    if (ref == null) {
      return node;
    }
    JsonNode target = SPEC;
    for (String part : ref.asText().substring(2).split("/")) {
      target = target.path(part);
    }
    return resolve(target);
  }

  private static String schemaRef(JsonNode response) {
    return response.path("content").path("application/json").path("schema").path("$ref").asText();
  }

  /** The properties of an object schema, those of each part of an {@code allOf} merged. */
  private static Map<String, JsonNode> properties(JsonNode schema) {
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    JsonNode s = resolve(schema);
    s.path("allOf").forEach(part -> properties.putAll(properties(part)));
    s.path("properties").fields().forEachRemaining(f -> properties.put(f.getKey(), f.getValue()));
    return properties;
  }

  private static Set<String> names(JsonNode schema) {
    return new TreeSet<>(properties(schema).keySet());
  }
}
