package io.github.policyscopes.it.security.invariants;

import java.util.Map;
import java.util.TreeMap;

/** The counters of a property run, printed as one summary line when it ends. */
public final class Stats {
  int runs;
  int shrinkRuns;
  int skippedShrinks;
  int checks;
  int actions;
  int requests;
  int successes;
  int tokens;
  final Map<Integer, Integer> refusals = new TreeMap<>();
  final Map<String, Integer> skippedViolations = new TreeMap<>();
  private final long started = System.nanoTime();

  /** A shrink candidate not run because the shrink budget is spent. */
  public void skippedShrink() {
    skippedShrinks++;
  }

  public String summary(String seed) {
    return String.format(
        "ConfigApiInvariantsIT seed %s: %d sequence runs (%d while shrinking, %d shrink"
            + " candidates skipped), %d actions (%d succeeded), %d invariant checks, %d client"
            + " tokens checked, %d requests, refusals by status %s%s, %.0f s",
        seed,
        runs,
        shrinkRuns,
        skippedShrinks,
        actions,
        successes,
        checks,
        tokens,
        requests,
        refusals,
        skippedViolations.isEmpty() ? "" : ", skipped violations " + skippedViolations,
        (System.nanoTime() - started) / 1e9);
  }
}
