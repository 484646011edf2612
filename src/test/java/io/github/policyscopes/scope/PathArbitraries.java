package io.github.policyscopes.scope;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Generators of paths and patterns for the property tests: one home for how they are built. */
public final class PathArbitraries {

  private PathArbitraries() {}

  /** Paths of 1 to {@code maxSegments} segments, each one of {@code segments}, joined by "/". */
  public static Arbitrary<String> joined(String[] segments, int maxSegments) {
    return Arbitraries.of(segments)
        .list()
        .ofMinSize(1)
        .ofMaxSize(maxSegments)
        .map(l -> String.join("/", l));
  }
}
