package io.github.policyscopes.access;

import io.github.policyscopes.scope.Access;

/** The access a config API request needs. */
public final class RequestAccess {

  private RequestAccess() {}

  /**
   * Read for {@code GET} and {@code HEAD} (exact, upper case), write for any other method. A path
   * whose read route needs write ({@link Routes#isWriteOnly}: a client's secret, {@code
   * config/clients/{id}/secret}, and anything below it) always needs write: a secret is a
   * credential. Every route of {@link Routes} decided on its own path needs exactly this (a test
   * holds them together). Allocation-free.
   */
  public static Access required(String method, String path) {
    if (("GET".equals(method) || "HEAD".equals(method)) && !Routes.isWriteOnly(path)) {
      return Access.READ;
    }
    return Access.WRITE;
  }
}
