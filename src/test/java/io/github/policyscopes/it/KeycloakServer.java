package io.github.policyscopes.it;

/** A running Keycloak with this extension installed and the demo realm imported. */
public interface KeycloakServer extends AutoCloseable {

  /** Base URL of the server, e.g. {@code http://localhost:41234} (no trailing slash). */
  String baseUrl();

  /** Seconds from launch until the server reported ready. */
  double startSeconds();

  @Override
  void close();
}
