package io.github.policyscopes.it.cluster;

import io.github.policyscopes.it.DistributionServer;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.StopAtExit;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Two Keycloak nodes sharing one PostgreSQL, clustered by Infinispan with jdbc-ping discovery, all
 * on 127.0.0.1: what docs/contract.md §8 calls production, in a test.
 *
 * <ol>
 *   <li>PostgreSQL: {@link PostgresServer} (zonky's binaries, run as {@code nobody} under root);
 *   <li>a copy of the unpacked distribution (the dev-mem server of the other ITs keeps its own),
 *       the extension JAR in {@code providers/}, then {@code kc.sh build --db=postgres --cache=ispn
 *       --health-enabled=true}; the second node's home is a copy of the built one;
 *   <li>node A imports {@code realm-export/} ({@code --import-realm}), node B starts once A is
 *       ready; both {@code start --optimized} with {@link KeycloakNode#command}.
 * </ol>
 *
 * Every phase is timed ({@link #timings()}). Closing stops both nodes and PostgreSQL; a shutdown
 * hook does it too when the JVM is killed.
 */
public final class KeycloakCluster implements AutoCloseable {

  public static final String BUILD_OPTIONS_DB = "--db=postgres";

  private final PostgresServer database;
  private final Path dir;
  private final Path logDir;
  private final KeycloakNode a;
  private final KeycloakNode b;
  private final String hostname;
  private final Map<String, Double> timings = new LinkedHashMap<>();
  private final StopAtExit atExit;

  private KeycloakCluster(
      PostgresServer database,
      Path dir,
      Path logDir,
      KeycloakNode a,
      KeycloakNode b,
      String hostname) {
    this.database = database;
    this.dir = dir;
    this.logDir = logDir;
    this.a = a;
    this.b = b;
    this.hostname = hostname;
    this.atExit = new StopAtExit(this::stopAll, "keycloak-cluster-shutdown");
  }

  /**
   * The cluster of the ITs: the distribution, the nodes' directory, the extension JAR and the realm
   * export the build names (pom.xml), logs in {@code logDir}.
   */
  public static KeycloakCluster startFromBuild(Path logDir)
      throws IOException, InterruptedException {
    return start(
        Path.of(KeycloakServerExtension.required("keycloak.home")),
        Path.of(KeycloakServerExtension.required("keycloak.cluster.dir")),
        Path.of(KeycloakServerExtension.required("extension.jar")),
        Path.of(KeycloakServerExtension.required("realm.export.dir")),
        logDir,
        null);
  }

  /**
   * PostgreSQL, the build, and two nodes started one after the other (A imports the realms).
   *
   * @param dist the unpacked distribution (left untouched)
   * @param dir where the nodes' homes go ({@code kc-A}, {@code kc-B}); emptied first
   * @param httpPorts the nodes' HTTP ports, or null for free ones
   */
  public static KeycloakCluster start(
      Path dist, Path dir, Path extensionJar, Path realmDir, Path logDir, int[] httpPorts)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(dist.resolve("bin/kc.sh"))) {
      throw new IllegalStateException(
          "No Keycloak distribution at " + dist + ": run the ITs through 'mvn verify'.");
    }
    if (!Files.isRegularFile(extensionJar)) {
      throw new IllegalStateException("Extension JAR not built: " + extensionJar);
    }
    Map<String, Double> timings = new LinkedHashMap<>();
    Files.createDirectories(logDir);

    PostgresServer database = PostgresServer.start(logDir);
    timings.put("PostgreSQL start (extract, initdb, start)", database.startSeconds());
    KeycloakCluster cluster = null;
    try {
      long t = System.nanoTime();
      deleteTree(dir);
      Path homeA = dir.resolve("kc-A");
      Path homeB = dir.resolve("kc-B");
      copyTree(dist, homeA, Set.of(dist.resolve("data"), dist.resolve("providers")));
      Files.createDirectories(homeA.resolve("providers"));
      Files.copy(
          extensionJar,
          homeA.resolve("providers/policy-bound-scopes.jar"),
          StandardCopyOption.REPLACE_EXISTING);
      timings.put("copy of the distribution", seconds(t));

      t = System.nanoTime();
      build(homeA, logDir.resolve("build.log"));
      timings.put("kc.sh build (postgres, ispn, health)", seconds(t));

      t = System.nanoTime();
      copyTree(homeA, homeB, Set.of());
      timings.put("copy of the built home for node B", seconds(t));
      DistributionServer.installRealms(homeA, realmDir);

      Set<Integer> taken = new HashSet<>();
      int httpA = httpPorts == null ? freePort(taken) : httpPorts[0];
      int httpB = httpPorts == null ? freePort(taken) : httpPorts[1];
      taken.add(httpA);
      taken.add(httpB);
      String hostname = "http://127.0.0.1:" + httpA;
      KeycloakNode a =
          new KeycloakNode(
              "kc-A",
              homeA,
              httpA,
              freePort(taken),
              clusterPort(taken),
              hostname,
              database,
              logDir);
      KeycloakNode b =
          new KeycloakNode(
              "kc-B",
              homeB,
              httpB,
              freePort(taken),
              clusterPort(taken),
              hostname,
              database,
              logDir);
      cluster = new KeycloakCluster(database, dir, logDir, a, b, hostname);
      cluster.timings.putAll(timings);

      a.start(true);
      cluster.timings.put("node A start (schema, realm import)", a.lastStartSeconds());
      b.start(false);
      cluster.timings.put("node B start (joins A)", b.lastStartSeconds());
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      } else {
        database.close();
      }
      throw e;
    }
  }

  /** {@code kc.sh build} for PostgreSQL and a clustered cache, health on the management port. */
  public static void build(Path home, Path log) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                "/bin/sh",
                home.resolve("bin/kc.sh").toString(),
                "build",
                BUILD_OPTIONS_DB,
                "--cache=ispn",
                "--health-enabled=true")
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().remove("JAVA_OPTS");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    if (!process.waitFor(KeycloakNode.READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("kc.sh build failed:\n" + PostgresServer.tail(log));
    }
  }

  public KeycloakNode a() {
    return a;
  }

  public KeycloakNode b() {
    return b;
  }

  public PostgresServer database() {
    return database;
  }

  /** The one public URL of the cluster (node A's address; a load balancer's in production). */
  public String hostname() {
    return hostname;
  }

  public Path logDir() {
    return logDir;
  }

  public Map<String, Double> timings() {
    return timings;
  }

  /** Waits until both nodes' last views have {@code members} members; returns A's and B's. */
  public List<List<String>> awaitViews(int members, Duration timeout)
      throws IOException, InterruptedException {
    List<List<String>> views = new ArrayList<>();
    views.add(a.awaitView(members, timeout));
    views.add(b.awaitView(members, timeout));
    return views;
  }

  /**
   * Uninstall on node A's home: removes the extension JAR and runs {@code kc.sh build} again (the
   * nodes must be stopped).
   */
  public void uninstallExtension() throws IOException, InterruptedException {
    try (DirectoryStream<Path> providers =
        Files.newDirectoryStream(a.home().resolve("providers"))) {
      for (Path jar : providers) {
        Files.delete(jar);
      }
    }
    build(a.home(), logDir.resolve("build-uninstalled.log"));
  }

  @Override
  public void close() {
    atExit.close();
  }

  private void stopAll() {
    try {
      b.stop();
      a.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      database.close();
    }
  }

  // ---- files and ports ----

  /** Copies a tree with its permissions (kc.sh must stay executable), skipping {@code skip}. */
  public static void copyTree(Path from, Path to, Set<Path> skip) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes)
              throws IOException {
            if (skip.contains(directory)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectories(to.resolve(from.relativize(directory).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.copy(
                file,
                to.resolve(from.relativize(file).toString()),
                StandardCopyOption.COPY_ATTRIBUTES,
                StandardCopyOption.REPLACE_EXISTING,
                LinkOption.NOFOLLOW_LINKS);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path path : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort(Set<Integer> taken) throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      if (!taken.contains(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port");
  }

  /**
   * A JGroups port: it and the 10 after it free (JGroups may move up to 10 ports up; failure
   * detection listens at +10), far from every port taken before.
   */
  private static int clusterPort(Set<Integer> taken) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      if (port + 21 > 65535) {
        continue;
      }
      boolean ok = true;
      for (int p = port; p <= port + 20 && ok; p++) {
        ok = !taken.contains(p) && free(p);
      }
      if (ok) {
        for (int p = port; p <= port + 20; p++) {
          taken.add(p);
        }
        return port;
      }
    }
    throw new IllegalStateException("no free range of ports for JGroups");
  }
}
