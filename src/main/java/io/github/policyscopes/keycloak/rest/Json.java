package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** JSON in and out: bounded reading, typed field access with errors naming the field, ETags. */
final class Json {

  /** Request bodies above this are refused with 413. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static Response.ResponseBuilder response(int status, Object body) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(write(body));
  }

  /** {@code value}'s JSON properties as a map the caller may add to, in their order. */
  static Map<String, Object> properties(Object value) {
    return MAPPER.convertValue(value, new TypeReference<LinkedHashMap<String, Object>>() {});
  }

  static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A strong ETag of a resource: a hash of its representation's JSON and of its revision ({@link
   * io.github.policyscopes.keycloak.store.Revisions}). The representation changes it whoever writes
   * (the console too); the revision makes two config API writes never share one, so that the
   * compare-and-set holds across nodes whose caches lag.
   */
  static String etag(Object representation, long revision) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest((write(representation) + "\n" + revision).getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(hash, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a JSON object body, at most {@link #MAX_BODY_BYTES}, sent as application/json. */
  static ObjectNode readObject(HttpHeaders headers, InputStream body) {
    if (!isJson(headers)) {
      throw new ApiError(415, "invalid_request", "the body must be sent as application/json");
    }
    byte[] bytes = readBounded(body);
    if (bytes.length == 0) {
      throw ApiError.badRequest("a JSON object body is required");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw ApiError.badRequest("the body is not valid JSON");
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    return object;
  }

  /**
   * Whether the request's {@code Content-Type} is {@code application/json} or {@code
   * application/*+json}. Read from the raw header: an absent, empty or unparseable value (which
   * JAX-RS's own parsing turns into an exception) is simply not JSON, so a 415, never a 500.
   */
  static boolean isJson(HttpHeaders headers) {
    String value;
    MediaType type;
    try {
      value = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
      if (value == null || value.isBlank()) {
        return false;
      }
      type = MediaType.valueOf(value.trim());
    } catch (RuntimeException unparseable) {
      return false;
    }
    if (type == null || type.isWildcardType() || type.isWildcardSubtype()) {
      return false;
    }
    String main = type.getType().toLowerCase(Locale.ROOT);
    String sub = type.getSubtype().toLowerCase(Locale.ROOT);
    return main.equals("application") && (sub.equals("json") || sub.endsWith("+json"));
  }

  private static byte[] readBounded(@Nullable InputStream body) {
    if (body == null) {
      return new byte[0];
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = body.read(buffer)) != -1) {
        out.write(buffer, 0, n);
        if (out.size() > MAX_BODY_BYTES) {
          throw new ApiError(
              413, "invalid_request", "the body is larger than " + MAX_BODY_BYTES + " bytes");
        }
      }
    } catch (IOException e) {
      throw ApiError.badRequest("the body could not be read");
    }
    return out.toByteArray();
  }

  /** Refuses fields that are neither known nor read-only (read-only ones are ignored). */
  static void onlyFields(ObjectNode body, Set<String> writable, Set<String> readOnly) {
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!writable.contains(name) && !readOnly.contains(name)) {
        throw ApiError.invalidField(name, "unknown field");
      }
    }
  }

  /** A string, or null when absent or JSON null. */
  static @Nullable String text(ObjectNode body, String field) {
    return typed(body, field, JsonNode::isTextual, "must be a string", JsonNode::asText);
  }

  /** An integer, or null when absent or JSON null. */
  static @Nullable Integer integer(ObjectNode body, String field) {
    return typed(
        body,
        field,
        v -> v.isIntegralNumber() && v.canConvertToInt(),
        "must be an integer",
        JsonNode::intValue);
  }

  /** A boolean, or null when absent or JSON null. */
  static @Nullable Boolean bool(ObjectNode body, String field) {
    return typed(body, field, JsonNode::isBoolean, "must be true or false", JsonNode::booleanValue);
  }

  /** A list of strings, or null when absent or JSON null. */
  static @Nullable List<String> strings(ObjectNode body, String field) {
    return typed(
        body, field, JsonNode::isArray, "must be an array of strings", v -> items(field, v));
  }

  /**
   * The one reading of an optional field: null when absent or JSON null, else {@code read} of a
   * value that {@code is} accepts, else a 400 naming the field and what it {@code must} be.
   */
  private static <T> @Nullable T typed(
      ObjectNode body,
      String field,
      Predicate<JsonNode> is,
      String must,
      Function<JsonNode, T> read) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!is.test(value)) {
      throw ApiError.invalidField(field, must);
    }
    return read.apply(value);
  }

  private static List<String> items(String field, JsonNode array) {
    List<String> strings = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode item = array.get(i);
      if (!item.isTextual()) {
        throw ApiError.invalidField(field + "[" + i + "]", "must be a string");
      }
      strings.add(item.asText());
    }
    return strings;
  }
}
