package io.github.policyscopes.it.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The wall time of every phase of {@link ClusterIT} (what it puts) and of every test (this
 * extension clocks them), printed as one table.
 */
final class Timings implements BeforeEachCallback, AfterEachCallback {

  private final Map<String, Double> phases = new LinkedHashMap<>();
  private long testStarted;

  void put(String phase, double seconds) {
    phases.put(phase, seconds);
  }

  void putAll(Map<String, Double> more) {
    phases.putAll(more);
  }

  void print() {
    StringBuilder out = new StringBuilder("Cluster timings:\n");
    phases.forEach(
        (phase, seconds) -> out.append(String.format("  %6.1f s  %s%n", seconds, phase)));
    System.out.print(out);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    testStarted = System.nanoTime();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    put(
        "test " + context.getRequiredTestMethod().getName(),
        (System.nanoTime() - testStarted) / 1e9);
  }
}
