package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # docs/contract.md §2: whole paths, segment by segment
          config/tokenPolicies          | config/tokenPolicies                                       | true
          config/tokenPolicies          | config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350  | false
          config/tokenPolicies          | config                                                     | false
          config/tokenPolicies/**       | config/tokenPolicies                                       | true
          config/tokenPolicies/**       | config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350  | true
          config/tokenPolicies/**       | config/tokenPolicies/a/b/c                                 | true
          config/tokenPolicies/**       | config/tokenPoliciesX                                      | false
          config/**                     | config                                                     | true
          config/**                     | config/clients                                             | true
          config/**                     | config/clients/abc/secret                                  | true
          config/**                     | configuration                                              | false
          config/**                     | other/config                                               | false
          **                            | config                                                     | true
          **                            | config/clients/abc/secret                                  | true
          **                            | x                                                          | true
          # a whole segment * is exactly one segment
          config/clients/*              | config/clients/abc                                         | true
          config/clients/*              | config/clients                                             | false
          config/clients/*              | config/clients/abc/secret                                  | false
          config/*/abc                  | config/clients/abc                                         | true
          config/*/abc                  | config/abc                                                 | false
          *                             | config                                                     | true
          *                             | config/clients                                             | false
          # * inside a segment: any run, possibly empty, never a /
          config/client*                | config/clients                                             | true
          config/client*                | config/client                                              | true
          config/client*                | config/clients/abc                                         | false
          a*                            | ab                                                         | true
          a*                            | ba                                                         | false
          *b                            | ab                                                         | true
          a*b*c                         | abc                                                        | true
          a*b*c                         | aXbYbZc                                                    | true
          a*b*c                         | aXbYc/c                                                    | false
          a*b*c                         | acb                                                        | false
          a*a                           | a                                                          | false
          a*a                           | aa                                                         | true
          *-*                           | 8cdb3f99-ceee                                              | true
          # ** in the middle and at the start
          config/**/secret              | config/secret                                              | true
          config/**/secret              | config/clients/abc/secret                                  | true
          config/**/secret              | config/clients/abc/secrets                                 | false
          **/secret                     | secret                                                     | true
          **/secret                     | config/clients/abc/secret                                  | true
          **/secret                     | config/clients/abc                                         | false
          **/a/**/b                     | a/x/a/y/b                                                  | true
          **/a/**/b                     | x/b                                                        | false
          **/**/x                       | a/b/x                                                      | true
          # case-sensitive, literal
          config/Clients                | config/clients                                             | false
          a.b                           | aXb                                                        | false
          """)
  void matches(String pattern, String path, boolean expected) {
    assertThat(PathPattern.parse(pattern).matches(path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} matches {1} or an ancestor: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          config/clients/abc  | config/clients/abc         | true
          config/clients/abc  | config/clients/abc/secret  | true
          config/clients/abc  | config/clients/abcd        | false
          config/clients/abc  | config/clients             | false
          config/clients/*    | config/clients/x/secret    | true
          config/clients/*    | config/clients             | false
          config              | config/tokenPolicies/1     | true
          config              | configX/tokenPolicies      | false
          **                  | a/b                        | true
          a/**/c              | a/b/c/d                    | true
          a/**/c              | a/b/d                      | false
          """)
  void matchesSelfOrAncestorOf(String pattern, String path, boolean expected) {
    assertThat(PathPattern.parse(pattern).matchesSelfOrAncestorOf(path)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          **                       | config/clients/*         | true
          **                       | **                       | true
          **                       | config/**                | true
          config/**                | **                       | false
          config/**                | config                   | true
          config/**                | config/clients/abc       | true
          config/**                | config/clients/**        | true
          config/**                | configX                  | false
          *                        | **                       | false
          *                        | config                   | true
          *                        | a*                       | true
          a*                       | ab*                      | true
          ab*                      | a*                       | false
          a*                       | *                        | false
          */x                      | a*/x                     | true
          a*/x                     | */x                      | false
          */**                     | **/x                     | true
          **/x                     | */**                     | false
          */**                     | **/*                     | true
          **/*                     | */**                     | true
          config/*                 | config/a/b               | false
          config/*                 | config/**                | false
          config/a*                | config/*                 | false
          config/x                 | config/x/**              | false
          config/x/**              | config/x                 | true
          config/tokenPolicies     | config/tokenPolicies/**  | false
          config/tokenPolicies/**  | config/tokenPolicies/*   | true
          *a*                      | a*                       | true
          *a*                      | b*a                      | true
          *a*                      | b*                       | false
          a*b*c                    | a*c                      | false
          a*c                      | a*b*c                    | true
          **/secret                | config/**/secret         | true
          config/**/secret         | **/secret                | false
          a/**/b/**                | a/b                      | true
          a/**/b/**                | a/**/b                   | true
          """)
  void contains(String a, String b, boolean expected) {
    assertThat(PathPattern.parse(a).contains(PathPattern.parse(b))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} intersects {1}: {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          **                | x                  | true
          config/**         | **/secret          | true
          config/clients/*  | config/tokens/*    | false
          a*                | *b                 | true
          a*                | b*                 | false
          a*b               | *c                 | false
          a*c               | *b*                | true
          a/*               | a                  | false
          a/**              | a                  | true
          */x               | y/*                | true
          a/**/c            | **/b/**            | true
          a/b               | a/b/**             | true
          a/b               | a/c/**             | false
          *                 | *                  | true
          """)
  void intersects(String a, String b, boolean expected) {
    PathPattern pa = PathPattern.parse(a);
    PathPattern pb = PathPattern.parse(b);
    assertThat(pa.intersects(pb)).isEqualTo(expected);
    assertThat(pb.intersects(pa)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} is canonically {1}")
  @CsvSource({"**/**, **", "a/**/**/b, a/**/b", "**/**/**, **", "a/**/**, a/**", "a/b, a/b"})
  void collapsesDoubleStars(String source, String canonical) {
    PathPattern p = PathPattern.parse(source);
    assertThat(p).hasToString(canonical).isEqualTo(PathPattern.parse(canonical));
  }

  @ParameterizedTest(name = "\"{0}\" fails with {1} at {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a//b        | EMPTY_SEGMENT     | 2
          /a          | EMPTY_SEGMENT     | 0
          a/          | EMPTY_SEGMENT     | 2
          ***         | INVALID_WILDCARD  | 0
          a/***       | INVALID_WILDCARD  | 2
          a**         | INVALID_WILDCARD  | 1
          **a         | INVALID_WILDCARD  | 0
          a/b**c      | INVALID_WILDCARD  | 3
          a:b         | INVALID_CHARACTER | 1
          a\\b        | INVALID_CHARACTER | 1
          a"b         | INVALID_CHARACTER | 1
          a b         | INVALID_CHARACTER | 1
          äb          | NON_ASCII_CHARACTER | 0
          """)
  void parseErrors(String path, Reason reason, int position) {
    ParseFailures.assertRefused(() -> PathPattern.parse(path), path, reason, position);
  }

  @Test
  void emptyPathControlCharactersAndLimits() {
    assertThatThrownBy(() -> PathPattern.parse(""))
        .isInstanceOfSatisfying(
            ScopeParseException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EMPTY_PATH));
    assertThatThrownBy(() -> PathPattern.parse("a\tb"))
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CONTROL_CHARACTER));
    assertThatThrownBy(() -> PathPattern.parse("a\u007fb"))
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CONTROL_CHARACTER));
    assertThatThrownBy(() -> PathPattern.parse("a".repeat(PathPattern.MAX_LENGTH + 1)))
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
              assertThat(e.position()).isEqualTo(PathPattern.MAX_LENGTH);
            });
    String many = "a/".repeat(PathPattern.MAX_SEGMENTS) + "b";
    assertThatThrownBy(() -> PathPattern.parse(many))
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_SEGMENTS);
              assertThat(e.position()).isEqualTo(many.length() - 1);
            });
    assertThat(PathPattern.parse("a/".repeat(PathPattern.MAX_SEGMENTS - 1) + "b").segmentCount())
        .isEqualTo(PathPattern.MAX_SEGMENTS);
  }

  @Test
  void pathologicalInputsStayFast() {
    // would be exponential for a naive backtracking matcher
    PathPattern stars = PathPattern.parse("**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/b");
    String path = "a/".repeat(400) + "c";
    PathPattern inSegment = PathPattern.parse("*a*a*a*a*a*a*a*b");
    String segment = "a".repeat(900);
    long start = System.nanoTime();
    assertThat(stars.matches(path)).isFalse();
    assertThat(inSegment.matches(segment)).isFalse();
    assertThat(stars.contains(PathPattern.parse("**/a/**/a/**/a/**/a/**/a/**/b"))).isFalse();
    assertThat(PathPattern.parse("**/a/**/a/**/a/**/a/**/a/**/b").contains(stars)).isTrue();
    // a ninth wildcard is refused at parse time (limits keep every check bounded)
    assertThatThrownBy(() -> PathPattern.parse("*a*a*a*a*a*a*a*a*a*b"))
        .isInstanceOfSatisfying(
            ScopeParseException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.TOO_MANY_WILDCARDS));
    assertThat(stars.intersects(PathPattern.parse("**/c"))).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }

  @Test
  void literalAndDescendants() {
    assertThat(PathPattern.parse("config/clients").isLiteral()).isTrue();
    assertThat(PathPattern.parse("config/*").isLiteral()).isFalse();
    assertThat(PathPattern.parse("config/**").isLiteral()).isFalse();
    assertThat(PathPattern.parse("config").withDescendants()).hasToString("config/**");
    assertThat(PathPattern.parse("config/**").withDescendants()).hasToString("config/**");
  }

  @Test
  void emptyAndOddPaths() {
    assertThat(PathPattern.parse("**").matches("")).isTrue();
    assertThat(PathPattern.parse("a").matches("")).isFalse();
    assertThat(PathPattern.parse("a").matches(null)).isFalse();
    assertThat(PathPattern.parse("a/b").matches("a//b")).isFalse();
  }
}
