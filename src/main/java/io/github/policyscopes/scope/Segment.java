package io.github.policyscopes.scope;

import java.util.ArrayList;
import java.util.List;

/**
 * One segment element of a {@link PathPattern}, with an explicit {@link Kind}. Matching one segment
 * of a request path is allocation-free; comparing segments with each other (containment,
 * intersection) is {@link PatternAlgebra}'s.
 */
final class Segment {

  /** What a segment element matches. */
  enum Kind {
    /** Exactly its text ({@code clients}). */
    LITERAL,
    /** A segment with {@code *} inside ({@code app-*}, {@code a*b*c}): literal pieces, in order. */
    WILDCARD,
    /** {@code *} alone: any one segment. */
    ANY,
    /** {@code **}: zero or more whole segments. */
    DOUBLE_STAR
  }

  private static final String[] NO_PARTS = new String[0];

  static final Segment DOUBLE_STAR = new Segment(Kind.DOUBLE_STAR, "**", NO_PARTS);
  static final Segment ANY = new Segment(Kind.ANY, "*", NO_PARTS);

  final Kind kind;
  final String text;

  /** For {@link Kind#WILDCARD}: the literal pieces between the stars (maybe empty); else none. */
  final String[] parts;

  /** For {@link Kind#WILDCARD}: the shortest segment it matches; for a literal, its length. */
  final int minLength;

  private Segment(Kind kind, String text, String[] parts) {
    this.kind = kind;
    this.text = text;
    this.parts = parts;
    int min = kind == Kind.LITERAL ? text.length() : 0;
    for (String p : parts) {
      min += p.length();
    }
    this.minLength = min;
  }

  /** Builds a segment from validated text (no "/", "**" only as the whole segment). */
  static Segment of(String text) {
    if (text.equals("**")) {
      return DOUBLE_STAR;
    }
    if (text.equals("*")) {
      return ANY;
    }
    if (text.indexOf('*') < 0) {
      return new Segment(Kind.LITERAL, text, NO_PARTS);
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
    return new Segment(Kind.WILDCARD, text, pieces.toArray(NO_PARTS));
  }

  /** A conservative estimate of the heap this element retains ({@link Footprint}). */
  long estimatedBytes() {
    long bytes = Footprint.object(4) + Footprint.string(text) + Footprint.refArray(parts.length);
    for (String p : parts) {
      bytes += Footprint.string(p);
    }
    return bytes;
  }

  boolean isDoubleStar() {
    return kind == Kind.DOUBLE_STAR;
  }

  /**
   * Whether this segment matches the one path segment {@code s[from, to)} ({@code **} and {@code *}
   * match any). Allocation-free.
   */
  boolean matches(String s, int from, int to) {
    return switch (kind) {
      case LITERAL -> to - from == minLength && s.regionMatches(from, text, 0, minLength);
      case WILDCARD -> matchesWildcard(s, from, to);
      default -> true;
    };
  }

  private boolean matchesWildcard(String s, int from, int to) {
    String first = parts[0];
    String last = parts[parts.length - 1];
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

  @Override
  public String toString() {
    return text;
  }
}
