package io.github.policyscopes.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link ScopeDecisionBenchmark} with the GC profiler and prints ops/s, B/op and ratios. */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(ScopeDecisionBenchmark.class.getName() + "\\.")
            .forks(2)
            .warmupIterations(5)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(8)
            .measurementTime(TimeValue.seconds(1))
            .threads(1)
            .addProfiler(GCProfiler.class)
            .build();
    Collection<RunResult> results = new Runner(options).run();

    Map<String, double[]> byName = new HashMap<>();
    for (RunResult r : results) {
      String label = r.getParams().getBenchmark();
      String name = label.substring(label.lastIndexOf('.') + 1);
      Result<?> primary = r.getPrimaryResult();
      Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
      byName.put(
          name,
          new double[] {
            primary.getScore(),
            primary.getScoreError(),
            alloc == null ? Double.NaN : alloc.getScore()
          });
    }
    int requests = ScopeDecisionBenchmark.REQUESTS.length;
    System.out.println();
    System.out.println(
        "=== config API decision from the token scope claim, 20-scope token, "
            + requests
            + " requests per op (2 forks, 5x1s warmup, 8x1s measurement each) ===");
    System.out.printf(
        "%-28s %16s %12s %18s %12s%n", "benchmark", "ops/s", "± error", "decisions/s", "B/op");
    for (String name :
        new String[] {
          "ours",
          "oursUncached",
          "springAntPathMatcher",
          "springPathPattern",
          "springPathPatternPreparsed"
        }) {
      double[] v = byName.get(name);
      if (v != null) {
        System.out.printf(
            "%-28s %,16.0f %,12.0f %,18.0f %12.1f%n", name, v[0], v[1], v[0] * requests, v[2]);
      }
    }
    double ours = score(byName, "ours");
    String[][] ratios = {
      {"springAntPathMatcher", "AntPathMatcher             ", " (target >= 2)"},
      {"springPathPattern", "PathPattern (parse/request)", " (target >= 1)"},
      {"springPathPatternPreparsed", "PathPattern (pre-parsed)   ", ""},
      {"oursUncached", "ours uncached (claim parsed per request)", ""},
    };
    for (String[] ratio : ratios) {
      System.out.printf(
          "ours / %s = %.2fx%s%n", ratio[1], ours / score(byName, ratio[0]), ratio[2]);
    }
    System.out.printf(
        "ours allocation                    = %.1f B/op (target 0)%n", allocation(byName));
  }

  private static double allocation(Map<String, double[]> byName) {
    double[] v = byName.get("ours");
    return v == null ? Double.NaN : v[2];
  }

  private static double score(Map<String, double[]> byName, String name) {
    double[] v = byName.get(name);
    return v == null ? Double.NaN : v[0];
  }
}
