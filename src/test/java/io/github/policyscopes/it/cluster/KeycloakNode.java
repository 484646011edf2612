package io.github.policyscopes.it.cluster;

import io.github.policyscopes.it.DistributionServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Keycloak node of {@link KeycloakCluster}: {@code kc.sh start --optimized} (production mode)
 * over HTTP on 127.0.0.1, from its own home built for PostgreSQL and Infinispan, with fixed ports
 * so that it can be killed and started again as the same member.
 */
public final class KeycloakNode {

  /** 8 minutes (a loaded 2-core machine needs them); -Dkeycloak.ready.timeout=SECONDS to change. */
  static final Duration READY_TIMEOUT =
      Duration.ofSeconds(Long.getLong("keycloak.ready.timeout", 480));

  /**
   * Infinispan's view line: {@code ISPN000094: Received new cluster view for channel ISPN: [kc-A|1]
   * (2) [kc-A, kc-B]} (also "new, MERGED cluster view").
   */
  private static final Pattern VIEW =
      Pattern.compile(
          "Received new(?:, MERGED)? cluster view for channel \\S+: \\[[^\\]]*\\] \\((\\d+)\\)"
              + " \\[([^\\]]*)\\]");

  private final String name;
  private final Path home;
  private final int httpPort;
  private final int managementPort;
  private final int clusterPort;
  private final String hostname;
  private final PostgresServer database;
  private final Path logDir;
  private Process process;
  private Path log;
  private int starts;
  private double lastStartSeconds;

  KeycloakNode(
      String name,
      Path home,
      int httpPort,
      int managementPort,
      int clusterPort,
      String hostname,
      PostgresServer database,
      Path logDir) {
    this.name = name;
    this.home = home;
    this.httpPort = httpPort;
    this.managementPort = managementPort;
    this.clusterPort = clusterPort;
    this.hostname = hostname;
    this.database = database;
    this.logDir = logDir;
  }

  private String extraJvmOptions = "";

  public String name() {
    return name;
  }

  public Path home() {
    return home;
  }

  /** {@code http://127.0.0.1:PORT}: where this node listens. */
  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int clusterPort() {
    return clusterPort;
  }

  public Path log() {
    return log;
  }

  public double lastStartSeconds() {
    return lastStartSeconds;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The command line of a start (for the README recipe and the demo). */
  List<String> command(boolean importRealm) {
    List<String> command = new ArrayList<>();
    command.add("/bin/sh");
    command.add(home.resolve("bin/kc.sh").toString());
    command.add("start");
    command.add("--optimized");
    command.add("--http-enabled=true");
    command.add("--http-host=127.0.0.1");
    command.add("--http-port=" + httpPort);
    command.add("--http-management-port=" + managementPort);
    // one public URL for the whole cluster (a load balancer's, in production): every node issues
    // and accepts tokens with the same issuer
    command.add("--hostname=" + hostname);
    command.add("--db-url=" + database.jdbcUrl());
    command.add("--db-username=" + PostgresServer.USER);
    command.add("--db-password=" + PostgresServer.USER);
    command.add("--cache-embedded-network-bind-address=127.0.0.1");
    command.add("--cache-embedded-network-bind-port=" + clusterPort);
    // the member's name in the cluster view (Keycloak refuses -Djboss.node.name)
    command.add("--spi-cache-embedded-default-node-name=" + name);
    if (importRealm) {
      command.add("--import-realm");
    }
    return command;
  }

  /**
   * JVM flags: JGroups' failure detection on the cluster port + 10 (its default offset, 50000, is
   * past 65535 for ports above 15535).
   */
  String javaOptsAppend() {
    return ("-Djgroups.fd.port-offset=10 " + extraJvmOptions).trim();
  }

  /** More JVM options for the next starts (e.g. {@code -Dpolicyscopes.keycloak.version=25.0.6}). */
  public void jvmOptions(String options) {
    this.extraJvmOptions = options;
  }

  /** Starts the node and waits until it is ready; its log is {@code <name>-<n>.log}. */
  public void start(boolean importRealm) throws IOException, InterruptedException {
    if (isRunning()) {
      throw new IllegalStateException(name + " is running");
    }
    starts++;
    Files.createDirectories(logDir);
    log = logDir.resolve(name + "-" + starts + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command(importRealm))
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.remove("JAVA_OPTS"); // it would replace every JVM flag kc.sh sets
    env.put("JAVA_OPTS_APPEND", javaOptsAppend());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", "admin");
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin");
    long started = System.nanoTime();
    process = builder.start();
    try {
      awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      kill();
      throw e;
    }
    lastStartSeconds = (System.nanoTime() - started) / 1e9;
  }

  private void awaitReady() throws IOException, InterruptedException {
    DistributionServer.awaitReady(
        process, URI.create("http://127.0.0.1:" + managementPort + "/health/ready"), log);
  }

  /** kill -9 of the whole process tree (kc.sh and the Java it runs), then waits for the exit. */
  public void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = tree();
    tree.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : tree) {
      handle.onExit().join();
    }
    process.waitFor();
  }

  /** A graceful stop (SIGTERM to the tree), forced after 30 s. */
  public void stop() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    List<ProcessHandle> tree = tree();
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (ProcessHandle handle : tree) {
      while (handle.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    process.waitFor();
  }

  private List<ProcessHandle> tree() {
    List<ProcessHandle> tree = new ArrayList<>();
    process.toHandle().descendants().forEach(tree::add);
    tree.add(process.toHandle());
    return tree;
  }

  /** The last cluster view in this node's current log: its members, or empty before any. */
  public Optional<List<String>> lastView() throws IOException {
    if (log == null || !Files.exists(log)) {
      return Optional.empty();
    }
    List<String> last = null;
    for (String line : Files.readAllLines(log)) {
      Matcher matcher = VIEW.matcher(line);
      if (matcher.find()) {
        last = List.of(matcher.group(2).split(",\\s*"));
      }
    }
    return Optional.ofNullable(last);
  }

  /** The last view line itself, as Infinispan logged it. */
  public Optional<String> lastViewLine() throws IOException {
    if (log == null || !Files.exists(log)) {
      return Optional.empty();
    }
    String last = null;
    for (String line : Files.readAllLines(log)) {
      if (VIEW.matcher(line).find()) {
        last = line.trim();
      }
    }
    return Optional.ofNullable(last);
  }

  /**
   * Waits (up to {@code timeout}) until this node's last view has {@code members} members; returns
   * the last view seen either way.
   */
  public List<String> awaitView(int members, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> view = lastView().orElse(List.of());
    while (view.size() != members && System.nanoTime() < deadline) {
      Thread.sleep(250);
      view = lastView().orElse(List.of());
    }
    return view;
  }
}
