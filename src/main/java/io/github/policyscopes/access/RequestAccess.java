package io.github.policyscopes.access;

import io.github.policyscopes.scope.Access;

/** The access a config API request needs. */
public final class RequestAccess {

  private RequestAccess() {}

  /**
   * Read for {@code GET} and {@code HEAD} (exact, upper case), write for any other method. A client
   * secret ({@link ApiLayout#isSecretPath}: {@code config/clients/{id}/secret} and anything below
   * it) always needs write: a secret is a credential. Allocation-free.
   */
  public static Access required(String method, String path) {
    if (("GET".equals(method) || "HEAD".equals(method)) && !ApiLayout.isSecretPath(path)) {
      return Access.READ;
    }
    return Access.WRITE;
  }
}
