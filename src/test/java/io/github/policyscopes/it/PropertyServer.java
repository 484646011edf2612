package io.github.policyscopes.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The real server for jqwik property classes. jqwik runs on its own JUnit Platform engine, which
 * does not run Jupiter extensions, so a property class cannot get the server of {@link
 * KeycloakServerExtension}. It starts the same server the same way (distribution or container, same
 * system properties), with its own log directory, and closes it in its {@code @AfterContainer}. The
 * JUnit Platform runs engines one after the other, so this server and the extension's never run at
 * the same time.
 */
public final class PropertyServer {

  private PropertyServer() {}

  /**
   * Starts a server; the caller closes it. With {@code -Dkeycloak.url=http://localhost:8080} it
   * uses that running server instead (the demo realm imported, bootstrap admin {@code admin}), and
   * closing it leaves it running: for repeating a property quickly while developing.
   */
  public static KeycloakServer start(String name) {
    String external = System.getProperty("keycloak.url");
    if (external != null && !external.isBlank()) {
      String url = external.endsWith("/") ? external.substring(0, external.length() - 1) : external;
      return new KeycloakServer() {
        @Override
        public String baseUrl() {
          return url;
        }

        @Override
        public String managementUrl() {
          return System.getProperty("keycloak.management.url", "http://localhost:9000");
        }

        @Override
        public double startSeconds() {
          return 0;
        }

        @Override
        public void close() {
          // not ours
        }
      };
    }
    Path jar = Path.of(KeycloakServerExtension.required("extension.jar"));
    try {
      if ("container".equals(System.getProperty("keycloak.server", "dist"))) {
        return ContainerServer.start(jar);
      }
      KeycloakServer server =
          DistributionServer.start(
              Path.of(KeycloakServerExtension.required("keycloak.home")),
              jar,
              Path.of(KeycloakServerExtension.required("realm.export.dir")),
              Path.of(KeycloakServerExtension.required("keycloak.log.dir")).resolve(name));
      System.out.printf(
          "Keycloak for %s ready at %s in %.1f s%n", name, server.baseUrl(), server.startSeconds());
      return server;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
