package io.github.policyscopes.it;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.testcontainers.DockerClientFactory;

/**
 * The opt-in path ({@code -Dkeycloak.server=container}): the same ITs on testcontainers-keycloak,
 * for machines that have a Docker engine. Only loaded when asked for, so the default path never
 * touches Docker.
 */
final class ContainerServer implements KeycloakServer {

  static final String IMAGE = "quay.io/keycloak/keycloak:26.7.5";

  private final KeycloakContainer container;
  private final double startSeconds;

  private ContainerServer(KeycloakContainer container, double startSeconds) {
    this.container = container;
    this.startSeconds = startSeconds;
  }

  static ContainerServer start(Path extensionJar) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException(
          "-Dkeycloak.server=container needs a Docker engine, and none answers here."
              + " Drop the property to run the ITs on the Keycloak distribution instead.");
    }
    KeycloakContainer container =
        new KeycloakContainer(IMAGE)
            .withAdminUsername("admin")
            .withAdminPassword("admin")
            .withProviderLibsFrom(List.of(new File(extensionJar.toString())))
            .withRealmImportFile("/realm-export/demo-realm.json")
            .withEnabledMetrics()
            .withEnv("KC_EVENT_METRICS_USER_ENABLED", "true");
    long started = System.nanoTime();
    container.start();
    return new ContainerServer(container, (System.nanoTime() - started) / 1e9);
  }

  @Override
  public String baseUrl() {
    String url = container.getAuthServerUrl();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String managementUrl() {
    String url = container.getMgmtServerUrl();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public double startSeconds() {
    return startSeconds;
  }

  @Override
  public void close() {
    container.stop();
  }
}
