package io.github.policyscopes.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.policyscopes.it.cluster.KeycloakCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A Keycloak of one test class's own, started with build options the shared server of {@link
 * KeycloakServerExtension} must not have (an experimental feature that operators turn on
 * themselves): the shared server runs Keycloak's defaults, so every other IT sees Keycloak as it
 * ships. Register it with {@code @RegisterExtension static FeatureServer server = ...}; it gives
 * the class's methods a {@link TestClient} and {@link KeycloakServer} of that server (do not also
 * extend the class with {@link KeycloakServerExtension}).
 *
 * <p>The server runs from a fresh copy of the unpacked distribution ({@code target/keycloak-NAME},
 * build options re-augment a home: the shared server's must stay untouched), with {@link
 * DistributionServer#METRICS} and the given options, and is stopped after the class. Where this
 * run's Keycloak ({@code keycloak.version}) does not have what the options name, or the ITs run on
 * a container, the class is skipped with a message. It costs one server start (printed).
 */
public final class FeatureServer implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(FeatureServer.class);

  private final String name;
  private final List<String> options;
  private final Predicate<String> supported;
  private final String requirement;

  /**
   * @param name names the home's copy and the log directory ({@code parameterized-scopes})
   * @param options the build options on top of {@link DistributionServer#METRICS}
   * @param supported whether a Keycloak version ({@code 26.7.5}) knows the options
   * @param requirement the versions that do, for the skip message ({@code Keycloak 26.7 or later})
   */
  public FeatureServer(
      String name, List<String> options, Predicate<String> supported, String requirement) {
    this.name = name;
    this.options = List.copyOf(options);
    this.supported = supported;
    this.requirement = requirement;
  }

  /**
   * Starts the server, or skips the class with a message, also printed: Surefire's report counts a
   * class skipped before its first test as 0 tests run, with no word why.
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    String version = System.getProperty("keycloak.version", "");
    String skip = null;
    if ("container".equals(System.getProperty("keycloak.server", "dist"))) {
      skip =
          options + " needs a server of its own from the distribution; the ITs run on a container";
    } else if (!supported.test(version)) {
      skip = options + " needs " + requirement + "; this run's Keycloak is " + version;
    }
    if (skip != null) {
      System.out.println(context.getDisplayName() + " skipped: " + skip);
    }
    assumeTrue(skip == null, skip);
    context.getStore(NAMESPACE).getOrComputeIfAbsent(Holder.class, key -> launch(), Holder.class);
  }

  private Holder launch() {
    Path dist = Path.of(KeycloakServerExtension.required("keycloak.home"));
    Path jar = Path.of(KeycloakServerExtension.required("extension.jar"));
    Path home = jar.getParent().resolve("keycloak-" + name);
    Path logs = Path.of(KeycloakServerExtension.required("keycloak.log.dir")).resolve(name);
    try {
      long started = System.nanoTime();
      KeycloakCluster.deleteTree(home);
      KeycloakCluster.copyTree(dist, home, Set.of(dist.resolve("data"), dist.resolve("providers")));
      double copySeconds = (System.nanoTime() - started) / 1e9;
      List<String> all = new ArrayList<>(DistributionServer.METRICS);
      all.addAll(options);
      KeycloakServer server =
          DistributionServer.start(
              home, jar, Path.of(KeycloakServerExtension.required("realm.export.dir")), logs, all);
      System.out.printf(
          "Keycloak with %s ready at %s in %.1f s (copy of the distribution %.1f s)%n",
          options, server.baseUrl(), server.startSeconds(), copySeconds);
      return new Holder(server, home);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeycloakServer server(ExtensionContext context) {
    Holder holder = context.getStore(NAMESPACE).get(Holder.class, Holder.class);
    if (holder == null) {
      throw new IllegalStateException("FeatureServer: no server (register it as a static field)");
    }
    return holder.server;
  }

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

  /** Closed by JUnit after the class: stops the server and deletes its home. */
  private static final class Holder implements ExtensionContext.Store.CloseableResource {
    final KeycloakServer server;
    final Path home;

    Holder(KeycloakServer server, Path home) {
      this.server = server;
      this.home = home;
    }

    @Override
    public void close() throws IOException {
      server.close();
      KeycloakCluster.deleteTree(home);
    }
  }
}
