package io.github.policyscopes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The walk-through a newcomer pastes, {@code examples/walkthrough.sh} (README, docs/user-guide.md),
 * runs end to end against the demo realm, and runs again: twice in a row, exit 0 both times.
 */
class WalkthroughIT extends OnSharedKeycloak {

  private static final Path SCRIPT = Path.of("examples/walkthrough.sh").toAbsolutePath();

  @Test
  void theWalkthroughPassesTwiceInARow(KeycloakServer server) throws Exception {
    assertThat(SCRIPT).isRegularFile();
    for (int run = 1; run <= 2; run++) {
      Result result = run(server.baseUrl());
      assertThat(result.exitCode())
          .as(
              "run %d of examples/walkthrough.sh %s, output:%n%s",
              run, server.baseUrl(), result.output())
          .isZero();
      assertThat(result.output()).as("run %d", run).contains("walk-through passed");
    }
  }

  /** The script's exit code and its output (stdout and stderr, interleaved). */
  private record Result(int exitCode, String output) {}

  private static Result run(String baseUrl) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder("bash", SCRIPT.toString(), baseUrl).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return new Result(-1, new String(output, StandardCharsets.UTF_8) + "\n(timed out)");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
