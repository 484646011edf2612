package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.Arrays;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.Assertions;

/**
 * AssertJ assertions on a {@link Reply}. A failure names the request (method and URL, when known),
 * the status, the headers and the body. Import next to AssertJ's own:
 *
 * <pre>{@code
 * import static io.github.policyscopes.it.ReplyAssert.assertThat;
 * import static org.assertj.core.api.Assertions.assertThat;
 *
 * assertThat(api.post(token, "config/clients", body)).hasStatus(201).hasHeader("ETag");
 * }</pre>
 */
public final class ReplyAssert extends AbstractAssert<ReplyAssert, Reply> {

  private ReplyAssert(Reply actual) {
    super(actual, ReplyAssert.class);
  }

  public static ReplyAssert assertThat(Reply actual) {
    return new ReplyAssert(actual);
  }

  /** {@code reply}, once asserted to be 200: for an answer the test goes on to read. */
  public static Reply ok(Reply reply) {
    assertThat(reply).hasStatus(200);
    return reply;
  }

  public ReplyAssert hasStatus(int expected) {
    isNotNull();
    if (actual.status() != expected) {
      failWithMessage("expected status %s but was:%n  %s", expected, actual);
    }
    return this;
  }

  public ReplyAssert hasStatusIn(int... expected) {
    isNotNull();
    if (Arrays.stream(expected).noneMatch(s -> s == actual.status())) {
      failWithMessage("expected a status in %s but was:%n  %s", Arrays.toString(expected), actual);
    }
    return this;
  }

  /** A status from {@code low} to {@code high}, both included. */
  public ReplyAssert hasStatusBetween(int low, int high) {
    isNotNull();
    if (actual.status() < low || actual.status() > high) {
      failWithMessage("expected a status in [%s, %s] but was:%n  %s", low, high, actual);
    }
    return this;
  }

  public ReplyAssert doesNotHaveStatus(int unexpected) {
    isNotNull();
    if (actual.status() == unexpected) {
      failWithMessage("expected any status but %s, was:%n  %s", unexpected, actual);
    }
    return this;
  }

  /** A 4xx answer: refused for what the request is, not failed in the server. */
  public ReplyAssert isClientError() {
    return hasStatusBetween(400, 499);
  }

  /** Any answer but a 5xx (no answer at all, status 0, included). */
  public ReplyAssert hasNoServerError() {
    isNotNull();
    if (actual.status() >= 500) {
      failWithMessage("expected no server error but was:%n  %s", actual);
    }
    return this;
  }

  public ReplyAssert hasHeader(String name) {
    isNotNull();
    if (actual.header(name) == null) {
      failWithMessage("expected a header %s in:%n  %s", name, actual);
    }
    return this;
  }

  /** The header's (first) value is {@code value}. */
  public ReplyAssert hasHeader(String name, String value) {
    hasHeader(name);
    if (!actual.header(name).equals(value)) {
      failWithMessage("expected header %s: %s in:%n  %s", name, value, actual);
    }
    return this;
  }

  public ReplyAssert doesNotHaveHeader(String name) {
    isNotNull();
    if (actual.header(name) != null) {
      failWithMessage("expected no header %s in:%n  %s", name, actual);
    }
    return this;
  }

  /** The JSON body's {@code error} is {@code error} (an OAuth or config API error body). */
  public ReplyAssert hasError(String error) {
    return hasJson("/error", error);
  }

  /**
   * The JSON body has {@code value} at the JSON pointer {@code pointer}: a string, a number (same
   * integral value) or a boolean of the same JSON type.
   */
  public ReplyAssert hasJson(String pointer, Object value) {
    isNotNull();
    JsonNode at = actual.jsonOrEmpty().at(pointer);
    boolean same;
    if (value instanceof String s) {
      same = at.isTextual() && at.asText().equals(s);
    } else if (value instanceof Boolean b) {
      same = at.isBoolean() && at.asBoolean() == b;
    } else if (value instanceof Integer || value instanceof Long) {
      same = at.isIntegralNumber() && at.asLong() == ((Number) value).longValue();
    } else {
      throw new IllegalArgumentException("a String, Boolean, Integer or Long: " + value);
    }
    if (!same) {
      failWithMessage("expected %s = %s in the body of:%n  %s", pointer, value, actual);
    }
    return this;
  }

  // ---- the config API's refusals ----

  /** The config API's 400 {@code invalid_request}. */
  public ReplyAssert isInvalidRequest() {
    return hasStatus(400).hasError("invalid_request");
  }

  /**
   * The config API's 403 for {@code method path}: {@code WWW-Authenticate: Bearer realm="demo",
   * error="insufficient_scope", scope="<required>"} and (but for HEAD) the JSON body naming the
   * method, the path and the required scope ({@link ConfigApi#requiredScope}).
   */
  public ReplyAssert isInsufficientScope(String method, String path) {
    String required = ConfigApi.requiredScope(method, path);
    hasStatus(403);
    bearerChallenge()
        .contains("error=\"insufficient_scope\"")
        .contains("scope=\"" + required + "\"");
    if (method.equals("HEAD")) {
      return this; // no body
    }
    hasError("insufficient_scope").hasJson("/required_scope", required);
    Assertions.assertThat(actual.json().path("error_description").asText())
        .as(actual.toString())
        .contains(method + " " + path)
        .contains(required);
    return this;
  }

  /** The config API's 401 for a bad token: {@code invalid_token}, with a description. */
  public ReplyAssert isInvalidToken() {
    hasStatus(401);
    bearerChallenge().contains("error=\"invalid_token\"");
    hasError("invalid_token");
    Assertions.assertThat(actual.json().path("error_description").isTextual())
        .as(actual.toString())
        .isTrue();
    return this;
  }

  /** The {@code WWW-Authenticate} header of the reply: a Bearer challenge of the demo realm. */
  private AbstractStringAssert<?> bearerChallenge() {
    return Assertions.assertThat(actual.header("WWW-Authenticate"))
        .as("WWW-Authenticate of " + actual)
        .isNotNull()
        .startsWith("Bearer ")
        .contains("realm=\"" + TestClient.REALM + "\"");
  }
}
