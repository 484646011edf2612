package io.github.policyscopes.scope;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the path of a config scope into a {@link PathPattern}: total (a pattern or a {@link
 * ScopeParseException} with position and reason) and bounded by {@link PathPattern#MAX_LENGTH},
 * {@link PathPattern#MAX_SEGMENTS} and {@link PathPattern#MAX_WILDCARDS}.
 *
 * <pre>
 * path    = segment *( "/" segment )
 * segment = "**"                  ; zero or more whole segments
 *         / 1*( pchar / "*" )     ; "*" inside a segment: any run of characters except "/"
 * pchar   = see PathChars
 * </pre>
 *
 * Consecutive {@code **} segments are collapsed into one, so the pattern's text is canonical.
 */
final class PathPatternParser {

  private PathPatternParser() {}

  /** Parses {@code input} from {@code offset}; exception positions index into {@code input}. */
  static PathPattern parse(String input, int offset) {
    int len = input.length();
    if (len - offset > PathPattern.MAX_LENGTH) {
      throw new ScopeParseException(input, offset + PathPattern.MAX_LENGTH, Reason.TOO_LONG);
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
        if (++count > PathPattern.MAX_SEGMENTS) {
          throw new ScopeParseException(input, segStart, Reason.TOO_MANY_SEGMENTS);
        }
        Segment segment = Segment.of(input.substring(segStart, i));
        boolean repeatedDoubleStar =
            segment.isDoubleStar()
                && !segments.isEmpty()
                && segments.get(segments.size() - 1).isDoubleStar();
        if (!repeatedDoubleStar) {
          segments.add(segment);
        }
        segStart = i + 1;
        continue;
      }
      char c = input.charAt(i);
      if (c == '*') {
        if (++wildcards > PathPattern.MAX_WILDCARDS) {
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
      } else if (!PathChars.isPathChar(c)) {
        throw new ScopeParseException(input, i, problem(c));
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

  /** Why a character that is not a path character, "/" or "*" is refused. */
  private static Reason problem(char c) {
    if (c < 0x20 || c == 0x7F) {
      return Reason.CONTROL_CHARACTER;
    }
    if (c > 0x7E) {
      return Reason.NON_ASCII_CHARACTER;
    }
    return Reason.INVALID_CHARACTER;
  }
}
