package io.github.policyscopes.keycloak.rest;

import jakarta.ws.rs.core.Response;
import org.jspecify.annotations.Nullable;

/** RFC 9110 §13 preconditions on the ETags of the config API. */
final class Conditions {

  private Conditions() {}

  /**
   * Whether {@code If-None-Match} "fails" (RFC 9110 §13.1.2): {@code *}, or one of the listed
   * entity tags equals {@code etag} by weak comparison. Absent or blank: never.
   */
  static boolean noneMatchFails(@Nullable String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
      return false;
    }
    String current = opaque(etag);
    for (String tag : ifNoneMatch.split(",", -1)) {
      String t = tag.trim();
      if (t.equals("*") || (!t.isEmpty() && opaque(t).equals(current))) {
        return true;
      }
    }
    return false;
  }

  /** 304 for a GET or HEAD whose {@code If-None-Match} failed: no body, the current ETag. */
  static Response.ResponseBuilder notModified(String etag) {
    return Response.notModified().header("ETag", etag);
  }

  /** Weak comparison: the opaque tag without a {@code W/} prefix. */
  private static String opaque(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }
}
