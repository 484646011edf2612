package io.github.policyscopes.scope;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Containment and intersection of path patterns: what coverage ("may this token get that scope",
 * "may this caller hand out that entry") and overlap ("does this deny touch that grant") are
 * decided with. The argument in short; in full in the repository's {@code
 * docs/adr/0001-scope-grammar-and-matching.md} (section 4 and 5), the limits in {@code
 * docs/adr/0016-denies-fail-closed-and-limits.md}:
 *
 * <ul>
 *   <li><b>Sound first.</b> A wrong "contained" is an escalation, a wrong "not contained" only a
 *       refusal; so {@link #contains} answers true only when it has shown that every path the other
 *       pattern matches is matched, and false whenever it is unsure.
 *   <li><b>Segments.</b> {@code a ⊇ b} when {@code a} matches the <em>text</em> of {@code b} in
 *       which each {@code *} of {@code b} is a symbol only a {@code *} of {@code a} may absorb (a
 *       glob match with one backtrack point). Sound: any instantiation of {@code b}'s stars is
 *       absorbed by the same stars of {@code a}.
 *   <li><b>Paths.</b> A subset construction of A's automaton (positions 0..n, {@code **} a
 *       self-loop with an ε-skip) driven by B's elements: a B segment moves an A-state past an
 *       element only if that element surely contains it, and a B {@code **} is "any number of
 *       arbitrary segments", which only an A {@code *} or {@code **} can follow. Each step
 *       under-approximates the A-states reachable for <em>every</em> concrete path of B, so
 *       "contained" means every such path ends in an A-accepting state. Visited (position, state
 *       set) pairs are memoized.
 *   <li><b>Bounded.</b> At most {@link #CONTAINS_BUDGET} visited states; on exhaustion the answer
 *       is the sound "not contained". With the parser's limits (length, segments, wildcards) no
 *       realistic pattern comes near it, and adversarial ones cost milliseconds.
 *   <li><b>Intersection is exact</b>: reachability in the product of the two patterns over element
 *       positions, with segment intersection decided by the same product over character positions.
 * </ul>
 *
 * The property tests check containment against exhaustive small paths and random specialisations,
 * and intersection against brute force.
 */
final class PatternAlgebra {

  /**
   * How many (position, state set) pairs {@link #contains} may visit before it gives up and answers
   * "not contained" (the sound answer). Real patterns use a handful.
   */
  static final int CONTAINS_BUDGET = 4096;

  private PatternAlgebra() {}

  /** Whether every path {@code b} matches is matched by {@code a} (sound, bounded). */
  static boolean contains(Segment[] a, Segment[] b) {
    return new Containment(a, b).run();
  }

  /** Whether some path is matched by both (exact): a search of the product of the two patterns. */
  static boolean intersects(Segment[] a, Segment[] b) {
    final int n = a.length;
    final int m = b.length;
    return reaches(
        n,
        m,
        (i, j, next) -> {
          boolean aStar = i < n && a[i].isDoubleStar();
          boolean bStar = j < m && b[j].isDoubleStar();
          if (aStar) {
            next.to(i + 1, j);
          }
          if (bStar) {
            next.to(i, j + 1);
          }
          if (i < n && j < m) {
            if (!aStar && !bStar && intersects(a[i], b[j])) {
              next.to(i + 1, j + 1);
            } else if (aStar && !bStar) {
              next.to(i, j + 1);
            } else if (!aStar && bStar) {
              next.to(i + 1, j);
            }
          }
        });
  }

  /**
   * Whether every segment {@code b} matches, {@code a} matches (sound); neither is {@code **}:
   * {@code a} matches {@code b}'s text where each {@code *} of {@code b} is a symbol only a {@code
   * *} of {@code a} can absorb.
   */
  static boolean contains(Segment a, Segment b) {
    return switch (a.kind) {
      case ANY -> true;
      case LITERAL -> b.kind == Segment.Kind.LITERAL && a.text.equals(b.text);
      default -> globContains(a.text, b.text);
    };
  }

  /** Greedy glob over characters with one backtrack point; {@code t}'s '*' are symbols. */
  private static boolean globContains(String p, String t) {
    int pi = 0;
    int ti = 0;
    int starP = -1;
    int starT = 0;
    while (ti < t.length()) {
      if (pi < p.length() && p.charAt(pi) == '*') {
        starP = pi++;
        starT = ti;
      } else if (pi < p.length() && p.charAt(pi) == t.charAt(ti)) {
        pi++;
        ti++;
      } else if (starP >= 0) {
        pi = starP + 1;
        ti = ++starT;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  /**
   * Whether some segment is matched by both (exact; neither is {@code **}), by a search over
   * character positions.
   */
  static boolean intersects(Segment a, Segment b) {
    if (a.kind == Segment.Kind.ANY || b.kind == Segment.Kind.ANY) {
      return true;
    }
    String x = a.text;
    String y = b.text;
    int lx = x.length();
    int ly = y.length();
    return reaches(
        lx,
        ly,
        (p, q, next) -> {
          boolean xs = p < lx && x.charAt(p) == '*';
          boolean ys = q < ly && y.charAt(q) == '*';
          if (xs) {
            next.to(p + 1, q);
            if (q < ly && !ys) {
              next.to(p, q + 1);
            }
          }
          if (ys) {
            next.to(p, q + 1);
            if (p < lx && !xs) {
              next.to(p + 1, q);
            }
          }
          if (p < lx && q < ly && !xs && !ys && x.charAt(p) == y.charAt(q)) {
            next.to(p + 1, q + 1);
          }
        });
  }

  /** Where a search of a product of two sequences may go next. */
  private interface Step {
    void to(int i, int j);
  }

  /** The moves of such a search from the pair of positions {@code (i, j)}. */
  private interface Moves {
    void from(int i, int j, Step next);
  }

  /**
   * Whether {@code (n, m)} is reachable from {@code (0, 0)} by {@code moves}: the depth-first
   * search both intersections run, each pair of positions visited once (at most {@code
   * (n+1)(m+1)}).
   */
  private static boolean reaches(int n, int m, Moves moves) {
    boolean[][] seen = new boolean[n + 1][m + 1];
    Deque<int[]> todo = new ArrayDeque<>();
    Step visit =
        (i, j) -> {
          if (!seen[i][j]) {
            seen[i][j] = true;
            todo.push(new int[] {i, j});
          }
        };
    visit.to(0, 0);
    while (!todo.isEmpty()) {
      int[] st = todo.pop();
      if (st[0] == n && st[1] == m) {
        return true;
      }
      moves.from(st[0], st[1], visit);
    }
    return false;
  }

  /** The subset construction of {@link #contains(Segment[], Segment[])}. */
  private static final class Containment {
    private final Segment[] a;
    private final Segment[] b;
    private final int n;
    private final int m;

    /** 0 = unknown, 1 = a-segment surely matches every b-segment match, 2 = not sure. */
    private final byte[][] sure;

    Containment(Segment[] a, Segment[] b) {
      this.a = a;
      this.b = b;
      this.n = a.length;
      this.m = b.length;
      this.sure = new byte[n][m];
    }

    private record State(int j, BitSet set) {}

    boolean run() {
      BitSet start = new BitSet(n + 1);
      start.set(0);
      closure(start);
      Set<State> seen = new HashSet<>();
      Deque<State> todo = new ArrayDeque<>();
      State first = new State(0, start);
      seen.add(first);
      todo.push(first);
      while (!todo.isEmpty()) {
        if (seen.size() > CONTAINS_BUDGET) {
          return false;
        }
        State st = todo.pop();
        BitSet set = st.set();
        if (set.isEmpty()) {
          return false; // some path of b is surely not matched
        }
        int j = st.j();
        if (j == m) {
          if (!set.get(n)) {
            return false;
          }
          continue;
        }
        if (b[j].isDoubleStar()) {
          push(seen, todo, new State(j + 1, set));
          push(seen, todo, new State(j, step(set, -1)));
        } else {
          push(seen, todo, new State(j + 1, step(set, j)));
        }
      }
      return true;
    }

    private static void push(Set<State> seen, Deque<State> todo, State s) {
      if (seen.add(s)) {
        todo.push(s);
      }
    }

    /** A-states after one segment matched by b[j] (or by any segment when j < 0). */
    private BitSet step(BitSet set, int j) {
      BitSet next = new BitSet(n + 1);
      for (int p = set.nextSetBit(0); p >= 0 && p < n; p = set.nextSetBit(p + 1)) {
        Segment e = a[p];
        if (e.isDoubleStar()) {
          next.set(p);
        } else if (j < 0 ? e.kind == Segment.Kind.ANY : surelyContains(p, j)) {
          next.set(p + 1);
        }
      }
      closure(next);
      return next;
    }

    /** Adds the states reachable by letting a {@code **} match zero segments. */
    private void closure(BitSet set) {
      for (int p = set.nextSetBit(0); p >= 0 && p < n; p = set.nextSetBit(p + 1)) {
        if (a[p].isDoubleStar()) {
          set.set(p + 1);
        }
      }
    }

    private boolean surelyContains(int p, int j) {
      if (sure[p][j] == 0) {
        sure[p][j] = PatternAlgebra.contains(a[p], b[j]) ? (byte) 1 : (byte) 2;
      }
      return sure[p][j] == 1;
    }
  }
}
