package io.github.policyscopes.it;

import io.github.policyscopes.it.api.ConfigApi;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives every IT the one shared Keycloak of this test JVM and what stands on it. The server lives
 * in the root store, so JUnit closes it after the last test class, failures included.
 *
 * <p>What an IT shares, it declares and this extension fills: before the class's own
 * {@code @BeforeAll} methods run, every {@code static}, non-final field of the test class whose
 * type is {@link KeycloakServer}, {@link TestClient}, {@link Fixtures} (of the demo realm) or
 * {@link ConfigApi} is set, so an IT writes {@code private static Fixtures fixtures;} and no setup
 * block. The same types resolve as parameters (of a constructor, a test or a lifecycle method).
 */
public final class KeycloakServerExtension implements ParameterResolver, BeforeAllCallback {

  /** The types this extension gives: fields of these types are filled, parameters resolved. */
  private static final java.util.List<Class<?>> SHARED =
      java.util.List.of(KeycloakServer.class, TestClient.class, Fixtures.class, ConfigApi.class);

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(KeycloakServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return SHARED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(parameter.getParameter().getType(), context);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    for (Class<?> type = context.getRequiredTestClass();
        type != null && type != Object.class;
        type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        int modifiers = field.getModifiers();
        if (Modifier.isStatic(modifiers)
            && !Modifier.isFinal(modifiers)
            && SHARED.contains(field.getType())) {
          field.setAccessible(true);
          field.set(null, shared(field.getType(), context));
        }
      }
    }
  }

  /** One of the {@link #SHARED} types, on this JVM's shared server. */
  private static Object shared(Class<?> type, ExtensionContext context) {
    KeycloakServer server = server(context);
    if (type == KeycloakServer.class) {
      return server;
    }
    TestClient client = new TestClient(server.baseUrl());
    if (type == TestClient.class) {
      return client;
    }
    Fixtures fixtures = new Fixtures(client);
    return type == Fixtures.class ? fixtures : fixtures.api();
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
