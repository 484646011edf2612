package io.github.policyscopes.it;

import org.jspecify.annotations.Nullable;

/**
 * Keycloak's admin REST API through one admin token, renewed every 30 s and after a 401 (a
 * restarted node has forgotten the session): {@link TestClient#admin(String, String, Object)} signs
 * in for every call, a password hash each time, too slow for hundreds of calls.
 */
public final class AdminRest {

  private static final long RENEW_MILLIS = 30_000;

  private final TestClient http;
  private @Nullable String token;
  private long signedInAt;

  public AdminRest(TestClient http) {
    this.http = http;
  }

  /** {@code path} relative to {@code /admin/}; a 401 signs in again and asks once more. */
  public Reply call(String method, String path, @Nullable Object body) {
    Reply reply = http.admin(token(), method, path, body);
    if (reply.status() == 401) {
      token = null;
      reply = http.admin(token(), method, path, body);
    }
    return reply;
  }

  private String token() {
    String current = token;
    long now = System.currentTimeMillis();
    if (current == null || now - signedInAt > RENEW_MILLIS) {
      current = http.adminToken();
      token = current;
      signedInAt = now;
    }
    return current;
  }
}
