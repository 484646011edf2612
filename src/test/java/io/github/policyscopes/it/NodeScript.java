package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Node.js script of {@code src/test/node/<name>/} run as a real third-party client: its {@code
 * package.json}, {@code package-lock.json} and scripts are copied to {@code target/node/<name>/},
 * {@code npm ci} installs the locked packages there (once per lock file, never into {@code src/}),
 * and {@link #run} gives the script's last output line as JSON.
 *
 * <p>Needs {@code node} (18 or later) and {@code npm} on the {@code PATH} and the npm registry;
 * when either is missing the test fails and says what to install: these ITs test a third-party
 * client, skipping them would hide that nothing was tested.
 */
final class NodeScript {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long NPM_TIMEOUT_SECONDS = 300;
  private static final long RUN_TIMEOUT_SECONDS = 60;

  private final Path dir;

  private NodeScript(Path dir) {
    this.dir = dir;
  }

  /** The project {@code name} installed ({@code npm ci}) under {@code target/node/}. */
  static synchronized NodeScript install(String name) {
    Path source = Path.of(KeycloakServerExtension.required("node.sources")).resolve(name);
    Path work = Path.of(KeycloakServerExtension.required("node.work")).resolve(name);
    requireTool("node", "--version");
    requireTool("npm", "--version");
    try {
      Files.createDirectories(work);
      boolean lockChanged = !sameContent(source.resolve("package-lock.json"), work);
      try (Stream<Path> files = Files.list(source)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          Files.copy(file, work.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      if (lockChanged || !Files.isDirectory(work.resolve("node_modules"))) {
        String out = exec(work, NPM_TIMEOUT_SECONDS, "npm", "ci", "--no-audit", "--no-fund");
        System.out.printf("npm ci in %s: %s%n", work, out.strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new NodeScript(work);
  }

  /** Runs {@code node script args…}; its last output line, parsed as JSON. */
  JsonNode run(String script, String... args) {
    List<String> command = new ArrayList<>(List.of("node", script));
    command.addAll(Arrays.asList(args));
    String out = exec(dir, RUN_TIMEOUT_SECONDS, command.toArray(String[]::new)).strip();
    String last = out.substring(out.lastIndexOf('\n') + 1);
    try {
      return JSON.readTree(last);
    } catch (IOException e) {
      throw new AssertionError("node " + script + " printed no JSON: " + out, e);
    }
  }

  private static boolean sameContent(Path lock, Path work) throws IOException {
    Path installed = work.resolve("package-lock.json");
    return Files.exists(installed)
        && Arrays.equals(Files.readAllBytes(lock), Files.readAllBytes(installed));
  }

  private static void requireTool(String tool, String versionFlag) {
    try {
      exec(Path.of("."), 30, tool, versionFlag);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "This IT runs a real third-party client (the MCP TypeScript SDK) and needs Node.js 18+"
              + " and npm on the PATH, and the npm registry: '"
              + tool
              + " "
              + versionFlag
              + "' failed ("
              + e.getMessage()
              + "). Install them (e.g. apt-get install nodejs npm) and run again.",
          e);
    }
  }

  /** Runs a command in {@code dir}; its output (stdout and stderr); fails unless it exits 0. */
  private static String exec(Path dir, long timeoutSeconds, String... command) {
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      String text = new String(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + process.exitValue() + ": " + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
