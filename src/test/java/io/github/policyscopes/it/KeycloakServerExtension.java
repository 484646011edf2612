package io.github.policyscopes.it;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives every IT the one shared Keycloak of this test JVM. The server lives in the root store, so
 * JUnit closes it after the last test class, failures included.
 */
public final class KeycloakServerExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KeycloakServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KeycloakServer.class || type == TestClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KeycloakServer server = server(context);
    if (parameter.getParameter().getType() == TestClient.class) {
      return new TestClient(server.baseUrl());
    }
    return server;
  }

  static KeycloakServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(Holder.class, key -> new Holder(launch()), Holder.class)
        .server;
  }

  private static KeycloakServer launch() {
    Path jar = Path.of(required("extension.jar"));
    try {
      if ("container".equals(System.getProperty("keycloak.server", "dist"))) {
        return ContainerServer.start(jar);
      }
      KeycloakServer server =
          DistributionServer.start(
              Path.of(required("keycloak.home")),
              jar,
              Path.of(required("realm.export.dir")),
              Path.of(required("keycloak.log.dir")));
      System.out.printf(
          "Keycloak ready at %s in %.1f s%n", server.baseUrl(), server.startSeconds());
      return server;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A system property the build sets for the ITs (pom.xml), or a clear error. */
  public static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "System property " + property + " is not set: run the ITs through 'mvn verify'.");
    }
    return value;
  }

  /** Closed by JUnit when the root context closes. */
  private static final class Holder implements ExtensionContext.Store.CloseableResource {
    final KeycloakServer server;

    Holder(KeycloakServer server) {
      this.server = server;
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
