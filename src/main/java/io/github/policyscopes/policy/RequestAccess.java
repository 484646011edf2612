package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Access;

/** The access a config API request needs. */
public final class RequestAccess {

  private static final String CLIENTS = "config/clients/";
  private static final String SECRET = "secret";

  private RequestAccess() {}

  /**
   * Read for {@code GET} and {@code HEAD} (exact, upper case), write for any other method. A client
   * secret ({@code config/clients/{id}/secret} and anything below it) always needs write: a secret
   * is a credential. Allocation-free.
   */
  public static Access required(String method, String path) {
    if (("GET".equals(method) || "HEAD".equals(method)) && !isSecretPath(path)) {
      return Access.READ;
    }
    return Access.WRITE;
  }

  /** Whether {@code path} is {@code config/clients/{id}/secret} or below it. */
  static boolean isSecretPath(String path) {
    if (path == null || !path.startsWith(CLIENTS)) {
      return false;
    }
    int idEnd = path.indexOf('/', CLIENTS.length());
    if (idEnd <= CLIENTS.length()) {
      return false;
    }
    int after = idEnd + 1 + SECRET.length();
    return path.startsWith(SECRET, idEnd + 1)
        && (path.length() == after || path.charAt(after) == '/');
  }
}
