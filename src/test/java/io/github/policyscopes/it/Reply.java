package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP answer of the test server, however it was sent (the JDK HttpClient or a raw socket): the
 * request it answers ({@code "GET http://…"}, null when unknown), the status (0 when the server
 * closed the connection without answering), the headers (names case-insensitive, all values) and
 * the body. Assert on it with {@link ReplyAssert#assertThat(Reply)}.
 */
public record Reply(String request, int status, Map<String, List<String>> headers, String body) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public Reply {
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    copy.putAll(headers);
    headers = Collections.unmodifiableMap(copy);
    body = body == null ? "" : body;
  }

  /** The answer of an HttpClient exchange, with its request's method and URL. */
  public static Reply of(HttpResponse<String> response) {
    return new Reply(
        response.request().method() + " " + response.request().uri(),
        response.statusCode(),
        response.headers().map(),
        response.body());
  }

  /** No answer at all: the server closed the connection. */
  public static Reply none(String request) {
    return new Reply(request, 0, Map.of(), "");
  }

  public JsonNode json() {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + this, e);
    }
  }

  /** The body as JSON, or an empty object when it is not JSON. */
  public JsonNode jsonOrEmpty() {
    try {
      JsonNode node = body.isBlank() ? null : JSON.readTree(body);
      return node == null ? JSON.createObjectNode() : node;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /** A token response's {@code access_token}. */
  public String accessToken() {
    return json().get("access_token").asText();
  }

  /** A token response's {@code refresh_token}. */
  public String refreshToken() {
    return json().get("refresh_token").asText();
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The id a 201 names: the last segment of its {@code Location}. */
  public String createdId() {
    String location = header("Location");
    if (location == null) {
      throw new AssertionError("no Location in " + this);
    }
    return location.substring(location.lastIndexOf('/') + 1);
  }

  public boolean is2xx() {
    return status >= 200 && status < 300;
  }

  @Override
  public String toString() {
    return (request == null ? "" : request + " -> ") + status + " " + headers + " " + body;
  }
}
