package io.github.policyscopes.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * JFR in the benchmark's Keycloak: start and stop a recording with {@code jcmd} (the server's JVM
 * is a child of this one: {@code kc.sh} starts it), and the aggregation of its {@code
 * jdk.ExecutionSample} events that {@code jfr print --events jdk.ExecutionSample} would list one by
 * one: the top frames by sample count, and how often this project's code is on the stack.
 */
final class JfrTopFrames {

  static final String OURS = "io.github.policyscopes.";

  private JfrTopFrames() {}

  /** The Keycloak JVM: the newest live {@code java} process below this one. */
  static long keycloakPid() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .max(Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.EPOCH)))
        .map(ProcessHandle::pid)
        .orElseThrow(() -> new IllegalStateException("no Keycloak JVM below this process"));
  }

  /** {@code jcmd <pid> <command> <args>} of this JDK; fails on a non-zero exit. */
  static void jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(pid));
    line.addAll(List.of(command));
    Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", line) + " failed:\n" + output);
    }
  }

  /**
   * Prints the top {@code limit} frames (self samples), then where our code sits: for each sample
   * with a frame of ours on the stack, the innermost such frame (the one nearest to the running
   * code). Samples whose innermost frame of ours is the grant's entry point ({@code
   * PolicyBoundGrantType.process}, which wraps the whole grant, bound or not) are Keycloak's own
   * work called from it; the other rows are the bound path's own code and what it calls.
   */
  static void print(Path recording, int limit) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> innermostOurs = new HashMap<>();
    int samples = 0;
    int withOurs = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
      if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      self.merge(frame(stack.getFrames().get(0)), 1, Integer::sum);
      for (RecordedFrame frame : stack.getFrames()) { // innermost first
        String name = frame(frame);
        if (name.startsWith(OURS)) {
          innermostOurs.merge(name, 1, Integer::sum);
          withOurs++;
          break;
        }
      }
    }
    if (samples == 0) {
      System.out.println("  no jdk.ExecutionSample events in " + recording);
      return;
    }
    System.out.printf(
        "  top %d frames by samples (self time) of %d execution samples; * = %s*%n",
        limit, samples, OURS);
    printTop(self, samples, limit, true);
    System.out.printf(
        "  a frame of ours on the stack: %d of %d samples (%.1f %%); the innermost frame of ours:%n",
        withOurs, samples, 100.0 * withOurs / samples);
    printTop(innermostOurs, samples, 10, false);
  }

  private static void printTop(Map<String, Integer> counts, int samples, int limit, boolean mark) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(limit)
        .forEach(
            e ->
                System.out.printf(
                    "  %s %6d %5.1f %%  %s%n",
                    mark && e.getKey().startsWith(OURS) ? "*" : " ",
                    e.getValue(),
                    100.0 * e.getValue() / samples,
                    e.getKey()));
  }

  private static String frame(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    return method == null ? "?" : method.getType().getName() + "." + method.getName();
  }
}
