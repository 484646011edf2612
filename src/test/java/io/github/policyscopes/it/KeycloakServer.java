package io.github.policyscopes.it;

/**
 * A running Keycloak with this extension installed and the demo realm imported, with metrics on
 * (MetricsIT scrapes them; no other test depends on them).
 */
public interface KeycloakServer extends AutoCloseable {

  /** Base URL of the server, e.g. {@code http://localhost:41234} (no trailing slash). */
  String baseUrl();

  /**
   * The management interface ({@code /metrics}, {@code /health}), e.g. {@code
   * http://localhost:9000}.
   */
  String managementUrl();

  /** Seconds from launch until the server reported ready. */
  double startSeconds();

  @Override
  void close();
}
