package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The one definition of path characters, and the parser and segments built on it. */
class PathCharsTest {

  @Test
  void pathCharsAreVisibleAsciiButTheGrammarsOwn() {
    assertThat(PathChars.isPathChar('a')).isTrue();
    assertThat(PathChars.isPathChar('~')).isTrue();
    assertThat(PathChars.isPathChar('%')).isTrue(); // a pattern may name it; requests may not
    for (char c : new char[] {' ', '/', '*', ':', '\\', '"', '\u007f', '\u00e9', '\n', '\0'}) {
      assertThat(PathChars.isPathChar(c)).as("U+%04x", (int) c).isFalse();
    }
  }

  /** Every char: the parser accepts it inside a literal segment exactly when it is a path char. */
  @Test
  void parserAcceptsALiteralCharIffItIsAPathChar() {
    for (int i = 0; i <= Character.MAX_VALUE; i++) {
      char c = (char) i;
      if (c == '/' || c == '*') {
        continue; // the grammar's separator and wildcard
      }
      boolean parses;
      try {
        PathPattern p = PathPattern.parse("a" + c + "b");
        parses = true;
        assertThat(p.isLiteral()).isTrue();
        assertThat(p.matches("a" + c + "b")).isTrue();
      } catch (ScopeParseException e) {
        parses = false;
        assertThat(e.position()).isEqualTo(1);
        assertThat(e.reason())
            .isIn(Reason.INVALID_CHARACTER, Reason.CONTROL_CHARACTER, Reason.NON_ASCII_CHARACTER);
      }
      assertThat(parses).as("U+%04x", i).isEqualTo(PathChars.isPathChar(c));
    }
  }

  @Provide
  Arbitrary<String> segments() {
    return Arbitraries.strings()
        .withChars("ab%;.-_~ :\\\"\u00e9\u0007")
        .withCharRange('!', '~')
        .ofMinLength(1)
        .ofMaxLength(12)
        .filter(s -> s.indexOf('/') < 0 && s.indexOf('*') < 0);
  }

  @Property
  void aLiteralSegmentParsesIffAllItsCharsArePathChars(@ForAll("segments") String segment) {
    boolean allPathChars = segment.chars().allMatch(c -> PathChars.isPathChar((char) c));
    boolean parses;
    try {
      PathPattern.parse(segment);
      parses = true;
    } catch (ScopeParseException e) {
      parses = false;
    }
    assertThat(parses).isEqualTo(allPathChars);
  }

  @Test
  void segmentsHaveAnExplicitKind() {
    assertThat(Segment.of("clients").kind).isEqualTo(Segment.Kind.LITERAL);
    assertThat(Segment.of("app-*").kind).isEqualTo(Segment.Kind.WILDCARD);
    assertThat(Segment.of("*a*").kind).isEqualTo(Segment.Kind.WILDCARD);
    assertThat(Segment.of("*").kind).isEqualTo(Segment.Kind.ANY);
    assertThat(Segment.of("**").kind).isEqualTo(Segment.Kind.DOUBLE_STAR);
    assertThat(Segment.of("a*b*c").parts).containsExactly("a", "b", "c");
    assertThat(Segment.of("a*b*c").minLength).isEqualTo(3);
  }

  @Test
  void segmentMatchingByKind() {
    String s = "x/app-1/y";
    assertThat(Segment.of("app-1").matches(s, 2, 7)).isTrue();
    assertThat(Segment.of("app-2").matches(s, 2, 7)).isFalse();
    assertThat(Segment.of("app-*").matches(s, 2, 7)).isTrue();
    assertThat(Segment.of("*-*-*").matches(s, 2, 7)).isFalse();
    assertThat(Segment.of("*").matches(s, 2, 7)).isTrue();
    assertThat(Segment.of("a*p*1").matches(s, 2, 7)).isTrue();
    assertThat(Segment.of("app-1x*").matches(s, 2, 7)).isFalse();
  }

  @Test
  void segmentAlgebra() {
    assertThat(PatternAlgebra.contains(Segment.of("*"), Segment.of("a*"))).isTrue();
    assertThat(PatternAlgebra.contains(Segment.of("a*"), Segment.of("ab*"))).isTrue();
    assertThat(PatternAlgebra.contains(Segment.of("ab*"), Segment.of("a*"))).isFalse();
    assertThat(PatternAlgebra.contains(Segment.of("abc"), Segment.of("abc"))).isTrue();
    assertThat(PatternAlgebra.contains(Segment.of("abc"), Segment.of("ab*"))).isFalse();
    assertThat(PatternAlgebra.intersects(Segment.of("a*"), Segment.of("*b"))).isTrue();
    assertThat(PatternAlgebra.intersects(Segment.of("a*"), Segment.of("b*"))).isFalse();
    assertThat(PatternAlgebra.intersects(Segment.of("abc"), Segment.of("*"))).isTrue();
  }
}
