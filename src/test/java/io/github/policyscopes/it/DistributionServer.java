package io.github.policyscopes.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keycloak started from the distribution zip on Maven Central (unpacked by the build into {@code
 * target/}), with the freshly built JAR in {@code providers/} and the realms of {@code
 * realm-export/} imported into an in-memory database. One per test JVM; always stopped, also from a
 * shutdown hook when the JVM is killed.
 */
public final class DistributionServer implements KeycloakServer {

  /** 8 minutes (a loaded 2-core machine needs them); -Dkeycloak.ready.timeout=SECONDS to change. */
  private static final Duration READY_TIMEOUT =
      Duration.ofSeconds(Long.getLong("keycloak.ready.timeout", 480));

  private final Process process;
  private final String baseUrl;
  private final String managementUrl;
  private final double startSeconds;
  private final StopAtExit atExit;

  private DistributionServer(
      Process process, String baseUrl, String managementUrl, double startSeconds) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.managementUrl = managementUrl;
    this.startSeconds = startSeconds;
    this.atExit = new StopAtExit(this::stop, "keycloak-it-shutdown");
  }

  /**
   * Keycloak's metrics and its user event metrics, on for every test server started from a home:
   * they are build options, and servers that share a home must share them (MetricsIT scrapes them).
   */
  public static final List<String> METRICS =
      List.of("--metrics-enabled=true", "--event-metrics-user-enabled=true");

  /**
   * Keycloak's typed parameterized client scopes ({@code tenant:42}), an experimental feature of
   * 26.7 that is off by default. Never on for the shared test server, which runs Keycloak's
   * defaults as operators do; {@link FeatureServer} starts a server of its own with it
   * (ParameterizedScopesFeatureIT).
   */
  public static final String PARAMETERIZED_SCOPES = "--features=parameterized-scopes";

  /** A test server: {@link #METRICS} on, every feature as Keycloak ships it. */
  public static DistributionServer start(Path home, Path extensionJar, Path realmDir, Path logDir)
      throws IOException, InterruptedException {
    return start(home, extensionJar, realmDir, logDir, METRICS);
  }

  /**
   * Whether {@code version} (26.7.5) names the feature {@code parameterized-scopes}: 26.7 on (26.4
   * to 26.6 call it {@code dynamic-scopes}).
   */
  public static boolean parameterizedScopesKnown(String version) {
    String[] parts = version.split("[.-]");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > 26 || (major == 26 && minor >= 7);
    } catch (NumberFormatException unreadable) {
      return false;
    }
  }

  /**
   * As {@link #start(Path, Path, Path, Path)}, with more options for {@code kc.sh start-dev} (e.g.
   * {@code --metrics-enabled=true}). Build options make Keycloak re-augment: give such a server a
   * home of its own, never the one a running server uses.
   */
  public static DistributionServer start(
      Path home, Path extensionJar, Path realmDir, Path logDir, List<String> extraOptions)
      throws IOException, InterruptedException {
    Path kcSh = home.resolve("bin/kc.sh");
    if (!Files.isRegularFile(kcSh)) {
      throw new IllegalStateException(
          "No Keycloak distribution at " + home + ": run the ITs through 'mvn verify'.");
    }
    if (!Files.isRegularFile(extensionJar)) {
      throw new IllegalStateException("Extension JAR not built: " + extensionJar);
    }
    installExtension(home, extensionJar);
    installRealms(home, realmDir);

    int httpPort = freePort();
    int managementPort = freePort();
    Files.createDirectories(logDir);
    Path log = logDir.resolve("keycloak.log");

    List<String> command =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                kcSh.toString(),
                "start-dev",
                "--import-realm",
                "--http-port=" + httpPort,
                "--http-management-port=" + managementPort,
                "--health-enabled=true",
                "--db=dev-mem",
                "--cache=local"));
    command.addAll(extraOptions);
    // CIBA's authentication channel: the users' device of the tests, on loopback
    command.add(CibaDevice.serverOption());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.remove("JAVA_OPTS"); // it would replace every JVM flag kc.sh sets
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");

    long started = System.nanoTime();
    Process process = builder.start();
    String baseUrl = "http://localhost:" + httpPort;
    try {
      awaitReady(process, URI.create("http://localhost:" + managementPort + "/health/ready"), log);
    } catch (IOException | InterruptedException | RuntimeException e) {
      destroyTree(process);
      throw e;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new DistributionServer(process, baseUrl, "http://localhost:" + managementPort, seconds);
  }

  private static void installExtension(Path home, Path extensionJar) throws IOException {
    Path providers = home.resolve("providers");
    Files.createDirectories(providers);
    Files.copy(
        extensionJar,
        providers.resolve("policy-bound-scopes.jar"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Copies the realm files of {@code realmDir} into the home's import folder. */
  public static void installRealms(Path home, Path realmDir) throws IOException {
    Path imports = home.resolve("data/import");
    Files.createDirectories(imports);
    try (DirectoryStream<Path> realms = Files.newDirectoryStream(realmDir, "*.json")) {
      for (Path realm : realms) {
        Files.copy(
            realm, imports.resolve(realm.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /**
   * Waits until {@code health} answers 200, within {@code keycloak.ready.timeout}; fails with the
   * log's tail when the process exits first or the time is up.
   */
  public static void awaitReady(Process process, URI health, Path log)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Keycloak exited with " + process.exitValue() + " before it was ready:\n" + tail(log));
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "Keycloak not ready after " + READY_TIMEOUT.toSeconds() + " s:\n" + tail(log));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** kc.sh re-execs Java after augmentation: stop the whole tree, not only the shell. */
  public static void destroyTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>();
    process.toHandle().descendants().forEach(tree::add);
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (ProcessHandle handle : tree) {
      while (handle.isAlive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private void stop() {
    destroyTree(process);
  }

  @Override
  public String baseUrl() {
    return baseUrl;
  }

  /**
   * The management interface ({@code /health}, {@code /metrics}), e.g. {@code
   * http://localhost:9000}.
   */
  @Override
  public String managementUrl() {
    return managementUrl;
  }

  @Override
  public double startSeconds() {
    return startSeconds;
  }

  @Override
  public void close() {
    atExit.close();
  }
}
