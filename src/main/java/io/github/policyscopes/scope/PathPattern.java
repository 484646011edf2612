package io.github.policyscopes.scope;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The path of a config scope, compiled once into an immutable array of {@link Segment} elements
 * (the split of Spring's {@code web/util/pattern}): {@link PathPatternParser} builds it, this class
 * matches request paths, {@link PatternAlgebra} compares patterns with each other.
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

  /** Shapes with a fast path. */
  private enum Shape {
    /** Every segment literal: {@code equals}. */
    LITERAL,
    /** Literal segments then one trailing {@code **}: a prefix and a boundary check. */
    LITERAL_THEN_DOUBLE_STAR,
    /** Anything else: the literal prefix, then the segment walk. */
    GENERAL
  }

  private final String source;
  private final Segment[] elements;
  private final Shape shape;

  /**
   * A prefix of every path this pattern matches: for {@link Shape#LITERAL} the whole source, for
   * {@link Shape#LITERAL_THEN_DOUBLE_STAR} the literal segments (without the "/**"), otherwise the
   * source up to its first "*".
   */
  private final String prefix;

  /** A pattern of validated, canonical elements (see {@link PathPatternParser}). */
  PathPattern(String source, Segment[] elements) {
    this.source = source;
    this.elements = elements;
    int firstWildcard = elements.length;
    for (int k = 0; k < elements.length; k++) {
      if (elements[k].kind != Segment.Kind.LITERAL) {
        firstWildcard = k;
        break;
      }
    }
    if (firstWildcard == elements.length) {
      this.shape = Shape.LITERAL;
      this.prefix = source;
    } else if (firstWildcard == elements.length - 1 && elements[firstWildcard].isDoubleStar()) {
      this.shape = Shape.LITERAL_THEN_DOUBLE_STAR;
      this.prefix = firstWildcard == 0 ? "" : source.substring(0, source.length() - 3);
    } else {
      this.shape = Shape.GENERAL;
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
    return PathPatternParser.parse(path, 0);
  }

  /**
   * A conservative estimate of the heap this pattern retains ({@link Footprint}): the object, its
   * source and prefix, the element array and every element as if none were shared.
   */
  public long estimatedBytes() {
    long bytes = Footprint.object(4) + Footprint.string(source) + Footprint.string(prefix);
    bytes += Footprint.refArray(elements.length);
    for (Segment s : elements) {
      bytes += s.estimatedBytes();
    }
    return bytes;
  }

  /** The number of segment elements (after collapsing {@code **}/{@code **}). */
  public int segmentCount() {
    return elements.length;
  }

  /** Whether the pattern has no wildcard at all, i.e. names exactly one path. */
  public boolean isLiteral() {
    return shape == Shape.LITERAL;
  }

  /**
   * This pattern with {@code /**} appended: it matches what this matches and everything below. A
   * deny's effective pattern.
   */
  public PathPattern withDescendants() {
    if (elements[elements.length - 1].isDoubleStar()) {
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
  public boolean matches(@Nullable String path) {
    if (path == null) {
      return false;
    }
    return switch (shape) {
      case LITERAL -> path.equals(source);
      case LITERAL_THEN_DOUBLE_STAR -> isSelfOrDescendant(path, prefix);
      default -> path.startsWith(prefix) && match(path, false);
    };
  }

  /**
   * Whether this pattern matches {@code path} or one of its ancestors (a prefix of whole segments):
   * what a deny applies to. Allocation-free.
   */
  public boolean matchesSelfOrAncestorOf(@Nullable String path) {
    if (path == null) {
      return false;
    }
    if (shape == Shape.GENERAL) {
      return path.startsWith(prefix) && match(path, true);
    }
    return isSelfOrDescendant(path, prefix);
  }

  /**
   * Language containment: true only if every path {@code other} matches is matched by this pattern
   * (sound, bounded; see {@link PatternAlgebra}).
   */
  public boolean contains(PathPattern other) {
    return source.equals(other.source) || PatternAlgebra.contains(elements, other.elements);
  }

  /** Whether some path is matched by both patterns (exact; see {@link PatternAlgebra}). */
  public boolean intersects(PathPattern other) {
    return PatternAlgebra.intersects(elements, other.elements);
  }

  /** Whether {@code path} equals {@code base} or lies below it ("" is the root of every path). */
  private static boolean isSelfOrDescendant(String path, String base) {
    int n = base.length();
    return n == 0 || (path.startsWith(base) && (path.length() == n || path.charAt(n) == '/'));
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
        while (pi < n && el[pi].isDoubleStar()) {
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
        if (e.isDoubleStar()) {
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

  @Override
  public boolean equals(@Nullable Object o) {
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
}
