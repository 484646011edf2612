package io.github.policyscopes.bench;

import java.util.Arrays;

/**
 * The ABBA estimator of a bound/unbound throughput ratio (docs/adr/0044). Rounds run as B U U B B U
 * U B …: pair {@code 2k} is bound then unbound, pair {@code 2k+1} unbound then bound, and the four
 * rounds of the two pairs are one ABBA block. A block's ratio is the sum of its two bound rounds
 * over the sum of its two unbound rounds: both pairs of rounds sit at the same mean time (rounds 1
 * and 4 against 2 and 3), so a server that speeds up or slows down steadily through the block
 * favours neither client. The ratio of one pair of adjacent rounds does not: under a drift of d per
 * round a BU pair reads about 1 − d and the UB pair after it 1 + d, and the median of the pairs
 * cancels that only where the pairs around it split evenly between the two orders. Drift that is
 * not linear within a block leaves a smaller, second-order bias.
 */
final class AbbaBlocks {

  /** The blocks' ratios, in order. */
  private final double[] blocks;

  /** The adjacent pairs' ratios, in order (the estimator before ADR 0044). */
  private final double[] pairs;

  private final double boundMean;
  private final double unboundMean;

  private AbbaBlocks(double[] blocks, double[] pairs, double boundMean, double unboundMean) {
    this.blocks = blocks;
    this.pairs = pairs;
    this.boundMean = boundMean;
    this.unboundMean = unboundMean;
  }

  /** How many blocks. */
  int count() {
    return blocks.length;
  }

  double boundMean() {
    return boundMean;
  }

  double unboundMean() {
    return unboundMean;
  }

  /**
   * The blocks of rounds measured pair by pair.
   *
   * @param bound per pair, the bound round's throughput
   * @param unbound per pair, the unbound round's throughput; pairs alternate BU, UB, BU, …
   */
  static AbbaBlocks of(double[] bound, double[] unbound) {
    if (bound.length != unbound.length || bound.length < 2 || bound.length % 2 != 0) {
      throw new IllegalArgumentException("ABBA blocks need an even number of pairs, at least two");
    }
    double[] blocks = new double[bound.length / 2];
    for (int k = 0; k < blocks.length; k++) {
      blocks[k] = blockRatio(bound, unbound, k);
    }
    double[] pairs = new double[bound.length];
    double boundSum = 0;
    double unboundSum = 0;
    for (int i = 0; i < bound.length; i++) {
      pairs[i] = bound[i] / unbound[i];
      boundSum += bound[i];
      unboundSum += unbound[i];
    }
    return new AbbaBlocks(blocks, pairs, boundSum / bound.length, unboundSum / bound.length);
  }

  /** Block {@code k}: pairs {@code 2k} (B U) and {@code 2k+1} (U B). */
  static double blockRatio(double[] bound, double[] unbound, int k) {
    return (bound[2 * k] + bound[2 * k + 1]) / (unbound[2 * k] + unbound[2 * k + 1]);
  }

  /** The judged figure: the median of the blocks' ratios. */
  double median() {
    return BenchSupport.median(blocks);
  }

  /**
   * A distribution-free interval around the median of the blocks: the k-th smallest and the k-th
   * largest block ratio, for the largest k whose interval holds the true median with at least
   * {@code level} confidence when the blocks are independent and alike (the binomial argument of
   * the sign test); k = 1, the whole range, when even that falls short. Returns {low, high, the
   * confidence reached}.
   */
  double[] medianInterval(double level) {
    double[] sorted = blocks.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    int k = 1;
    double confidence = coverage(n, 1);
    while (k + 1 <= n / 2 && coverage(n, k + 1) >= level) {
      k++;
      confidence = coverage(n, k);
    }
    return new double[] {sorted[k - 1], sorted[n - k], confidence};
  }

  /** The chance that the k-th smallest and k-th largest of n draws hold their median. */
  static double coverage(int n, int k) {
    // 1 - 2 P(Binomial(n, 1/2) <= k - 1)
    double tail = 0;
    double term = Math.pow(0.5, n); // C(n, 0) / 2^n
    for (int i = 0; i <= k - 1; i++) {
      tail += term;
      term = term * (n - i) / (i + 1);
    }
    return 1 - 2 * tail;
  }

  double blockMin() {
    return min(blocks);
  }

  double blockMax() {
    return max(blocks);
  }

  double pairMedian() {
    return BenchSupport.median(pairs);
  }

  double pairMin() {
    return min(pairs);
  }

  double pairMax() {
    return max(pairs);
  }

  double ratioOfMeans() {
    return boundMean / unboundMean;
  }

  /**
   * Checks the estimator before a run relies on it: a server that gains 30 req/s a round from 1,000
   * (3 % at first, 2 % by the last round), serving the bound client at exactly 0.97 of the unbound
   * one's rate in the order {@code IssuanceThroughput} runs them (B U, U B, …), must read 0.97 in
   * every block, while adjacent pairs read off by the drift. Throws when it does not.
   */
  static void check() {
    int pairs = 8;
    double[] bound = new double[pairs];
    double[] unbound = new double[pairs];
    int round = 0;
    for (int pair = 0; pair < pairs; pair++) {
      boolean boundFirst = pair % 2 == 0;
      double first = 1000 + 30 * round++;
      double second = 1000 + 30 * round++;
      bound[pair] = 0.97 * (boundFirst ? first : second);
      unbound[pair] = boundFirst ? second : first;
    }
    AbbaBlocks drifting = of(bound, unbound);
    for (double block : drifting.blocks) {
      if (Math.abs(block - 0.97) > 1e-12) {
        throw new IllegalStateException("ABBA block estimator reads " + block + ", not 0.97");
      }
    }
    if (drifting.pairMin() > 0.95 || drifting.pairMax() < 0.99) {
      throw new IllegalStateException("the check's drift did not reach the adjacent pairs");
    }
    // 16 blocks: the 5th and 12th of them hold the median with 92.3 % (1 - 2 * 2517 / 65536)
    if (Math.abs(coverage(16, 5) - (1 - 2 * 2517.0 / 65536)) > 1e-12
        || Math.abs(coverage(8, 2) - (1 - 2 * 9.0 / 256)) > 1e-12) {
      throw new IllegalStateException("the median's interval is not the sign test's");
    }
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElseThrow();
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElseThrow();
  }
}
