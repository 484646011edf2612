package io.github.policyscopes.scope;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The path of a config scope, compiled once into an immutable array of segment elements (modelled
 * on Spring's {@code web/util/pattern}).
 *
 * <pre>
 * path    = segment *( "/" segment )
 * segment = "**"                  ; zero or more whole segments
 *         / 1*( pchar / "*" )     ; "*" inside a segment: any run of characters except "/"
 * pchar   = visible ASCII (0x21-0x7E) except "/", "*", ":", "\", '"'
 * </pre>
 *
 * <p>Matching walks the request path with indices: no split, no substring, no regular expression,
 * no allocation. {@code **} is handled by greedy matching with a single backtrack point (like a
 * glob star over whole segments), so matching is O(pattern segments × path length) at worst, never
 * exponential. Consecutive {@code **} segments are collapsed into one.
 */
public final class PathPattern {

  /**
   * The longest accepted pattern (and config scope), in characters. With {@link #MAX_WILDCARDS} it
   * bounds what any containment or overlap check can cost (docs/security.md, "Limits").
   */
  public static final int MAX_LENGTH = 256;

  /** The largest accepted number of segments. */
  public static final int MAX_SEGMENTS = 32;

  /** The largest accepted number of wildcards ({@code *} runs and {@code **} segments). */
  public static final int MAX_WILDCARDS = 8;

  /**
   * How many (position, state set) pairs {@link #contains} may visit before it gives up and answers
   * "not contained" (the sound answer). Real patterns use a handful.
   */
  static final int CONTAINS_BUDGET = 4096;

  /** Shapes with a fast path: every segment literal; literal segments then one trailing **. */
  private static final int LITERAL = 0;

  private static final int LITERAL_THEN_DOUBLE_STAR = 1;
  private static final int GENERAL = 2;

  private final String source;
  private final Segment[] elements;
  private final int shape;

  /**
   * A prefix of every path this pattern matches: for {@link #LITERAL} the whole source, for {@link
   * #LITERAL_THEN_DOUBLE_STAR} the literal segments (without the "/**"), otherwise the source up to
   * its first "*".
   */
  private final String prefix;

  private PathPattern(String source, Segment[] elements) {
    this.source = source;
    this.elements = elements;
    int firstWildcard = elements.length;
    for (int k = 0; k < elements.length; k++) {
      if (elements[k].doubleStar || elements[k].parts != null) {
        firstWildcard = k;
        break;
      }
    }
    if (firstWildcard == elements.length) {
      this.shape = LITERAL;
      this.prefix = source;
    } else if (firstWildcard == elements.length - 1 && elements[firstWildcard].doubleStar) {
      this.shape = LITERAL_THEN_DOUBLE_STAR;
      this.prefix = firstWildcard == 0 ? "" : source.substring(0, source.length() - 3);
    } else {
      this.shape = GENERAL;
      this.prefix = source.substring(0, source.indexOf('*'));
    }
  }

  /**
   * Parses a path pattern such as {@code config/tokenPolicies/**}.
   *
   * @throws ScopeParseException for a malformed pattern (positions index into {@code path})
   */
  public static PathPattern parse(String path) {
    Objects.requireNonNull(path, "path");
    return parse(path, 0);
  }

  /** Parses {@code input} from {@code offset}; exception positions index into {@code input}. */
  static PathPattern parse(String input, int offset) {
    int len = input.length();
    if (len - offset > MAX_LENGTH) {
      throw new ScopeParseException(input, offset + MAX_LENGTH, Reason.TOO_LONG);
    }
    if (len == offset) {
      throw new ScopeParseException(input, offset, Reason.EMPTY_PATH);
    }
    List<Segment> segments = new ArrayList<>();
    int count = 0;
    int wildcards = 0;
    int segStart = offset;
    for (int i = offset; i <= len; i++) {
      if (i == len || input.charAt(i) == '/') {
        if (i == segStart) {
          throw new ScopeParseException(input, i, Reason.EMPTY_SEGMENT);
        }
        if (++count > MAX_SEGMENTS) {
          throw new ScopeParseException(input, segStart, Reason.TOO_MANY_SEGMENTS);
        }
        Segment segment = Segment.of(input.substring(segStart, i));
        boolean repeatedDoubleStar =
            segment.doubleStar
                && !segments.isEmpty()
                && segments.get(segments.size() - 1).doubleStar;
        if (!repeatedDoubleStar) {
          segments.add(segment);
        }
        segStart = i + 1;
        continue;
      }
      char c = input.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        throw new ScopeParseException(input, i, Reason.CONTROL_CHARACTER);
      }
      if (c > 0x7E) {
        throw new ScopeParseException(input, i, Reason.NON_ASCII_CHARACTER);
      }
      if (c == ' ' || c == ':' || c == '\\' || c == '"') {
        throw new ScopeParseException(input, i, Reason.INVALID_CHARACTER);
      }
      if (c == '*') {
        if (++wildcards > MAX_WILDCARDS) {
          throw new ScopeParseException(input, i, Reason.TOO_MANY_WILDCARDS);
        }
        int run = i;
        while (run < len && input.charAt(run) == '*') {
          run++;
        }
        if (run - i >= 2) {
          boolean wholeSegment =
              run - i == 2 && i == segStart && (run == len || input.charAt(run) == '/');
          if (!wholeSegment) {
            throw new ScopeParseException(input, i, Reason.INVALID_WILDCARD);
          }
        }
        i = run - 1;
      }
    }
    Segment[] elements = segments.toArray(new Segment[0]);
    StringBuilder canonical = new StringBuilder(len - offset);
    for (int k = 0; k < elements.length; k++) {
      if (k > 0) {
        canonical.append('/');
      }
      canonical.append(elements[k].text);
    }
    return new PathPattern(canonical.toString(), elements);
  }

  /** The number of segment elements (after collapsing {@code **}/{@code **}). */
  public int segmentCount() {
    return elements.length;
  }

  /** Whether the pattern has no wildcard at all, i.e. names exactly one path. */
  public boolean isLiteral() {
    for (Segment s : elements) {
      if (s.doubleStar || s.parts != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * This pattern with {@code /**} appended: it matches what this matches and everything below. A
   * deny's effective pattern.
   */
  public PathPattern withDescendants() {
    if (elements[elements.length - 1].doubleStar) {
      return this;
    }
    Segment[] more = new Segment[elements.length + 1];
    System.arraycopy(elements, 0, more, 0, elements.length);
    more[elements.length] = Segment.DOUBLE_STAR;
    return new PathPattern(source + "/**", more);
  }

  /**
   * Whether this pattern matches the whole path (relative to the realm, segments separated by
   * {@code /}). Allocation-free.
   */
  public boolean matches(String path) {
    if (path == null) {
      return false;
    }
    switch (shape) {
      case LITERAL:
        return path.equals(source);
      case LITERAL_THEN_DOUBLE_STAR:
        return isSelfOrDescendant(path, prefix);
      default:
        return path.startsWith(prefix) && match(path, false);
    }
  }

  /**
   * Whether this pattern matches {@code path} or one of its ancestors (a prefix of whole segments):
   * what a deny applies to. Allocation-free.
   */
  public boolean matchesSelfOrAncestorOf(String path) {
    if (path == null) {
      return false;
    }
    if (shape == GENERAL) {
      return path.startsWith(prefix) && match(path, true);
    }
    return isSelfOrDescendant(path, prefix);
  }

  /** Whether {@code path} equals {@code base} or lies below it ("" is the root of every path). */
  private static boolean isSelfOrDescendant(String path, String base) {
    int n = base.length();
    return n == 0 || path.startsWith(base) && (path.length() == n || path.charAt(n) == '/');
  }

  /**
   * Greedy segment-wise glob match with one backtrack point for the last {@code **} seen. With
   * {@code prefix}, the pattern may stop before the path does (an implicit trailing {@code **}).
   */
  private boolean match(String path, boolean prefix) {
    final Segment[] el = elements;
    final int n = el.length;
    final int len = path.length();
    int pi = 0;
    int pos = len == 0 ? 1 : 0; // start of the current path segment; pos > len: no segment left
    int starPi = -1;
    int starPos = 0;
    while (true) {
      if (prefix && pi == n) {
        return true;
      }
      if (pos > len) {
        while (pi < n && el[pi].doubleStar) {
          pi++;
        }
        return pi == n;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = len;
      }
      if (pi < n) {
        Segment e = el[pi];
        if (e.doubleStar) {
          starPi = pi;
          starPos = pos;
          pi++;
          continue;
        }
        if (e.matches(path, pos, end)) {
          pi++;
          pos = end + 1;
          continue;
        }
      }
      if (starPi < 0) {
        return false;
      }
      // backtrack: the last ** swallows one more segment
      int starEnd = path.indexOf('/', starPos);
      starPos = (starEnd < 0 ? len : starEnd) + 1;
      pos = starPos;
      pi = starPi + 1;
    }
  }

  /**
   * Language containment: true only if every path {@code other} matches is matched by this pattern
   * (sound). It is a subset construction of this pattern's automaton driven by {@code other}'s
   * elements, where a segment of this pattern follows a segment of {@code other} only when it
   * matches every segment that one can match, and {@code **} of {@code other} stands for any number
   * of arbitrary segments. Whenever it is unsure (or the visit budget runs out) it answers false.
   */
  public boolean contains(PathPattern other) {
    if (source.equals(other.source)) {
      return true;
    }
    return new Containment(elements, other.elements).run();
  }

  /**
   * Whether some path is matched by both patterns (exact): a memoized search of the product of the
   * two patterns.
   */
  public boolean intersects(PathPattern other) {
    final Segment[] a = elements;
    final Segment[] b = other.elements;
    final int n = a.length;
    final int m = b.length;
    boolean[][] seen = new boolean[n + 1][m + 1];
    Deque<int[]> todo = new ArrayDeque<>();
    seen[0][0] = true;
    todo.push(new int[] {0, 0});
    while (!todo.isEmpty()) {
      int[] st = todo.pop();
      int i = st[0];
      int j = st[1];
      if (i == n && j == m) {
        return true;
      }
      boolean aStar = i < n && a[i].doubleStar;
      boolean bStar = j < m && b[j].doubleStar;
      if (aStar) {
        visit(seen, todo, i + 1, j);
      }
      if (bStar) {
        visit(seen, todo, i, j + 1);
      }
      if (i < n && j < m) {
        if (!aStar && !bStar && a[i].intersects(b[j])) {
          visit(seen, todo, i + 1, j + 1);
        } else if (aStar && !bStar) {
          visit(seen, todo, i, j + 1);
        } else if (!aStar && bStar) {
          visit(seen, todo, i + 1, j);
        }
      }
    }
    return false;
  }

  private static void visit(boolean[][] seen, Deque<int[]> todo, int i, int j) {
    if (!seen[i][j]) {
      seen[i][j] = true;
      todo.push(new int[] {i, j});
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PathPattern p && p.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  /** The pattern's (canonical) source text. */
  @Override
  public String toString() {
    return source;
  }

  /** Subset construction for {@link #contains}. */
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
          return false; // some path of other is surely not matched
        }
        int j = st.j();
        if (j == m) {
          if (!set.get(n)) {
            return false;
          }
          continue;
        }
        if (b[j].doubleStar) {
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
        if (e.doubleStar) {
          next.set(p);
        } else if (j < 0 ? e.universal : surelyMatches(p, j)) {
          next.set(p + 1);
        }
      }
      closure(next);
      return next;
    }

    /** Adds the states reachable by letting a {@code **} match zero segments. */
    private void closure(BitSet set) {
      for (int p = set.nextSetBit(0); p >= 0 && p < n; p = set.nextSetBit(p + 1)) {
        if (a[p].doubleStar) {
          set.set(p + 1);
        }
      }
    }

    private boolean surelyMatches(int p, int j) {
      if (sure[p][j] == 0) {
        sure[p][j] = a[p].contains(b[j]) ? (byte) 1 : (byte) 2;
      }
      return sure[p][j] == 1;
    }
  }

  /** One segment element: {@code **}, a literal, or a segment with {@code *} wildcards. */
  static final class Segment {
    static final Segment DOUBLE_STAR = new Segment("**", true, null);

    final String text;
    final boolean doubleStar;

    /** The literal pieces between the stars; null for a literal segment and for {@code **}. */
    final String[] parts;

    final boolean universal;
    final int minLength;
    final String first;
    final String last;

    private Segment(String text, boolean doubleStar, String[] parts) {
      this.text = text;
      this.doubleStar = doubleStar;
      this.parts = parts;
      this.universal = "*".equals(text);
      int min = 0;
      if (parts != null) {
        for (String p : parts) {
          min += p.length();
        }
      } else {
        min = text.length();
      }
      this.minLength = min;
      this.first = parts == null ? null : parts[0];
      this.last = parts == null ? null : parts[parts.length - 1];
    }

    /** Builds a segment from validated text (no "/", "**" only as the whole segment). */
    static Segment of(String text) {
      if (text.equals("**")) {
        return DOUBLE_STAR;
      }
      if (text.indexOf('*') < 0) {
        return new Segment(text, false, null);
      }
      List<String> pieces = new ArrayList<>();
      int from = 0;
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) == '*') {
          pieces.add(text.substring(from, i));
          from = i + 1;
        }
      }
      pieces.add(text.substring(from));
      return new Segment(text, false, pieces.toArray(new String[0]));
    }

    /** Whether this (non-{@code **}) segment matches {@code s[from, to)}. Allocation-free. */
    boolean matches(String s, int from, int to) {
      if (parts == null) {
        return to - from == minLength && s.regionMatches(from, text, 0, minLength);
      }
      if (universal) {
        return true;
      }
      if (to - from < minLength
          || !s.regionMatches(from, first, 0, first.length())
          || !s.regionMatches(to - last.length(), last, 0, last.length())) {
        return false;
      }
      int pos = from + first.length();
      int end = to - last.length();
      for (int k = 1; k < parts.length - 1; k++) {
        String piece = parts[k];
        int found = indexOf(s, piece, pos, end);
        if (found < 0) {
          return false;
        }
        pos = found + piece.length();
      }
      return true;
    }

    private static int indexOf(String s, String piece, int from, int end) {
      int plen = piece.length();
      for (int i = from; i + plen <= end; i++) {
        if (s.regionMatches(i, piece, 0, plen)) {
          return i;
        }
      }
      return -1;
    }

    /**
     * Whether every segment {@code other} matches, this matches (sound): this segment matches
     * {@code other}'s text where each {@code *} of {@code other} is a symbol only a {@code *} of
     * this segment can absorb.
     */
    boolean contains(Segment other) {
      if (universal) {
        return true;
      }
      if (parts == null) {
        return other.parts == null && text.equals(other.text);
      }
      // greedy glob over characters with one backtrack point; text chars '*' are symbols
      String p = text;
      String t = other.text;
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

    /** Whether some segment is matched by both (exact), by a search over character positions. */
    boolean intersects(Segment other) {
      if (universal || other.universal) {
        return true;
      }
      String x = text;
      String y = other.text;
      int lx = x.length();
      int ly = y.length();
      boolean[][] seen = new boolean[lx + 1][ly + 1];
      Deque<int[]> todo = new ArrayDeque<>();
      seen[0][0] = true;
      todo.push(new int[] {0, 0});
      while (!todo.isEmpty()) {
        int[] st = todo.pop();
        int p = st[0];
        int q = st[1];
        if (p == lx && q == ly) {
          return true;
        }
        boolean xs = p < lx && x.charAt(p) == '*';
        boolean ys = q < ly && y.charAt(q) == '*';
        if (xs) {
          visit(seen, todo, p + 1, q);
          if (q < ly && !ys) {
            visit(seen, todo, p, q + 1);
          }
        }
        if (ys) {
          visit(seen, todo, p, q + 1);
          if (p < lx && !xs) {
            visit(seen, todo, p + 1, q);
          }
        }
        if (p < lx && q < ly && !xs && !ys && x.charAt(p) == y.charAt(q)) {
          visit(seen, todo, p + 1, q + 1);
        }
      }
      return false;
    }
  }
}
