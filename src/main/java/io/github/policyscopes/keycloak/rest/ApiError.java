package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.policy.PolicyValidator.FieldError;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An error answer of the config API: a status, the RFC 6750 style {@code error} code, a sentence,
 * and any extra fields (the field that failed validation, the exceeding entries…). Thrown by the
 * services, turned into a JSON response by {@link ConfigResource}.
 */
final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;
  private final transient Map<String, Object> extra = new LinkedHashMap<>();
  private final transient Map<String, String> headers = new LinkedHashMap<>();
  private @Nullable Refusal refusal;

  ApiError(int status, String error, String description) {
    super(description, null, false, false);
    this.status = status;
    this.error = error;
  }

  static ApiError badRequest(String description) {
    return new ApiError(400, "invalid_request", description);
  }

  /** A validation failure of one or more fields; the first names the {@code field}. */
  static ApiError invalidFields(List<FieldError> errors) {
    FieldError first = errors.get(0);
    ApiError e = badRequest(first.field() + ": " + first.message());
    e.with("field", first.field());
    e.with(
        "errors",
        errors.stream().map(f -> Map.of("field", f.field(), "message", f.message())).toList());
    return e;
  }

  static ApiError invalidField(String field, String message) {
    return invalidFields(List.of(new FieldError(field, message)));
  }

  static ApiError notFound(String description) {
    return new ApiError(404, "not_found", description);
  }

  static ApiError conflict(String description) {
    return new ApiError(409, "conflict", description);
  }

  static ApiError preconditionFailed(String description) {
    return new ApiError(412, "precondition_failed", description);
  }

  ApiError with(String key, Object value) {
    extra.put(key, value);
    return this;
  }

  /** Why the request was refused, for the meters ({@code keycloak_config_api_forbidden_total}…). */
  ApiError because(Refusal why) {
    this.refusal = why;
    return this;
  }

  @Nullable Refusal refusal() {
    return refusal;
  }

  ApiError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  int status() {
    return status;
  }

  Response.ResponseBuilder toResponse() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("error_description", getMessage());
    body.putAll(extra);
    Response.ResponseBuilder response = Json.response(status, body);
    headers.forEach(response::header);
    return response;
  }
}
