package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathPatternTest {

  /** How a pattern relates to a path, or to another pattern. */
  enum Relation {
    MATCHES,
    MATCHES_SELF_OR_ANCESTOR_OF,
    CONTAINS,
    INTERSECTS
  }

  @ParameterizedTest(name = "{0} {1} {2}: {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # a pattern matches a path
          # docs/contract.md §2: whole paths, segment by segment
          config/tokenPolicies    | MATCHES                     | config/tokenPolicies                                      | true
          config/tokenPolicies    | MATCHES                     | config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350 | false
          config/tokenPolicies    | MATCHES                     | config                                                    | false
          config/tokenPolicies/** | MATCHES                     | config/tokenPolicies                                      | true
          config/tokenPolicies/** | MATCHES                     | config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350 | true
          config/tokenPolicies/** | MATCHES                     | config/tokenPolicies/a/b/c                                | true
          config/tokenPolicies/** | MATCHES                     | config/tokenPoliciesX                                     | false
          config/**               | MATCHES                     | config                                                    | true
          config/**               | MATCHES                     | config/clients                                            | true
          config/**               | MATCHES                     | config/clients/abc/secret                                 | true
          config/**               | MATCHES                     | configuration                                             | false
          config/**               | MATCHES                     | other/config                                              | false
          **                      | MATCHES                     | config                                                    | true
          **                      | MATCHES                     | config/clients/abc/secret                                 | true
          **                      | MATCHES                     | x                                                         | true
          # a whole segment * is exactly one segment
          config/clients/*        | MATCHES                     | config/clients/abc                                        | true
          config/clients/*        | MATCHES                     | config/clients                                            | false
          config/clients/*        | MATCHES                     | config/clients/abc/secret                                 | false
          config/*/abc            | MATCHES                     | config/clients/abc                                        | true
          config/*/abc            | MATCHES                     | config/abc                                                | false
          *                       | MATCHES                     | config                                                    | true
          *                       | MATCHES                     | config/clients                                            | false
          # * inside a segment: any run, possibly empty, never a /
          config/client*          | MATCHES                     | config/clients                                            | true
          config/client*          | MATCHES                     | config/client                                             | true
          config/client*          | MATCHES                     | config/clients/abc                                        | false
          a*                      | MATCHES                     | ab                                                        | true
          a*                      | MATCHES                     | ba                                                        | false
          *b                      | MATCHES                     | ab                                                        | true
          a*b*c                   | MATCHES                     | abc                                                       | true
          a*b*c                   | MATCHES                     | aXbYbZc                                                   | true
          a*b*c                   | MATCHES                     | aXbYc/c                                                   | false
          a*b*c                   | MATCHES                     | acb                                                       | false
          a*a                     | MATCHES                     | a                                                         | false
          a*a                     | MATCHES                     | aa                                                        | true
          *-*                     | MATCHES                     | 8cdb3f99-ceee                                             | true
          # ** in the middle and at the start
          config/**/secret        | MATCHES                     | config/secret                                             | true
          config/**/secret        | MATCHES                     | config/clients/abc/secret                                 | true
          config/**/secret        | MATCHES                     | config/clients/abc/secrets                                | false
          **/secret               | MATCHES                     | secret                                                    | true
          **/secret               | MATCHES                     | config/clients/abc/secret                                 | true
          **/secret               | MATCHES                     | config/clients/abc                                        | false
          **/a/**/b               | MATCHES                     | a/x/a/y/b                                                 | true
          **/a/**/b               | MATCHES                     | x/b                                                       | false
          **/**/x                 | MATCHES                     | a/b/x                                                     | true
          # case-sensitive, literal
          config/Clients          | MATCHES                     | config/clients                                            | false
          a.b                     | MATCHES                     | aXb                                                       | false
          # a pattern matches a path or one of its ancestors
          config/clients/abc      | MATCHES_SELF_OR_ANCESTOR_OF | config/clients/abc                                        | true
          config/clients/abc      | MATCHES_SELF_OR_ANCESTOR_OF | config/clients/abc/secret                                 | true
          config/clients/abc      | MATCHES_SELF_OR_ANCESTOR_OF | config/clients/abcd                                       | false
          config/clients/abc      | MATCHES_SELF_OR_ANCESTOR_OF | config/clients                                            | false
          config/clients/*        | MATCHES_SELF_OR_ANCESTOR_OF | config/clients/x/secret                                   | true
          config/clients/*        | MATCHES_SELF_OR_ANCESTOR_OF | config/clients                                            | false
          config                  | MATCHES_SELF_OR_ANCESTOR_OF | config/tokenPolicies/1                                    | true
          config                  | MATCHES_SELF_OR_ANCESTOR_OF | configX/tokenPolicies                                     | false
          **                      | MATCHES_SELF_OR_ANCESTOR_OF | a/b                                                       | true
          a/**/c                  | MATCHES_SELF_OR_ANCESTOR_OF | a/b/c/d                                                   | true
          a/**/c                  | MATCHES_SELF_OR_ANCESTOR_OF | a/b/d                                                     | false
          # a pattern contains another (every path the other matches)
          **                      | CONTAINS                    | config/clients/*                                          | true
          **                      | CONTAINS                    | **                                                        | true
          **                      | CONTAINS                    | config/**                                                 | true
          config/**               | CONTAINS                    | **                                                        | false
          config/**               | CONTAINS                    | config                                                    | true
          config/**               | CONTAINS                    | config/clients/abc                                        | true
          config/**               | CONTAINS                    | config/clients/**                                         | true
          config/**               | CONTAINS                    | configX                                                   | false
          *                       | CONTAINS                    | **                                                        | false
          *                       | CONTAINS                    | config                                                    | true
          *                       | CONTAINS                    | a*                                                        | true
          a*                      | CONTAINS                    | ab*                                                       | true
          ab*                     | CONTAINS                    | a*                                                        | false
          a*                      | CONTAINS                    | *                                                         | false
          */x                     | CONTAINS                    | a*/x                                                      | true
          a*/x                    | CONTAINS                    | */x                                                       | false
          */**                    | CONTAINS                    | **/x                                                      | true
          **/x                    | CONTAINS                    | */**                                                      | false
          */**                    | CONTAINS                    | **/*                                                      | true
          **/*                    | CONTAINS                    | */**                                                      | true
          config/*                | CONTAINS                    | config/a/b                                                | false
          config/*                | CONTAINS                    | config/**                                                 | false
          config/a*               | CONTAINS                    | config/*                                                  | false
          config/x                | CONTAINS                    | config/x/**                                               | false
          config/x/**             | CONTAINS                    | config/x                                                  | true
          config/tokenPolicies    | CONTAINS                    | config/tokenPolicies/**                                   | false
          config/tokenPolicies/** | CONTAINS                    | config/tokenPolicies/*                                    | true
          *a*                     | CONTAINS                    | a*                                                        | true
          *a*                     | CONTAINS                    | b*a                                                       | true
          *a*                     | CONTAINS                    | b*                                                        | false
          a*b*c                   | CONTAINS                    | a*c                                                       | false
          a*c                     | CONTAINS                    | a*b*c                                                     | true
          **/secret               | CONTAINS                    | config/**/secret                                          | true
          config/**/secret        | CONTAINS                    | **/secret                                                 | false
          a/**/b/**               | CONTAINS                    | a/b                                                       | true
          a/**/b/**               | CONTAINS                    | a/**/b                                                    | true
          # two patterns match a path in common (checked both ways)
          **                      | INTERSECTS                  | x                                                         | true
          config/**               | INTERSECTS                  | **/secret                                                 | true
          config/clients/*        | INTERSECTS                  | config/tokens/*                                           | false
          a*                      | INTERSECTS                  | *b                                                        | true
          a*                      | INTERSECTS                  | b*                                                        | false
          a*b                     | INTERSECTS                  | *c                                                        | false
          a*c                     | INTERSECTS                  | *b*                                                       | true
          a/*                     | INTERSECTS                  | a                                                         | false
          a/**                    | INTERSECTS                  | a                                                         | true
          */x                     | INTERSECTS                  | y/*                                                       | true
          a/**/c                  | INTERSECTS                  | **/b/**                                                   | true
          a/b                     | INTERSECTS                  | a/b/**                                                    | true
          a/b                     | INTERSECTS                  | a/c/**                                                    | false
          *                       | INTERSECTS                  | *                                                         | true
          """)
  void relation(String pattern, Relation relation, String other, boolean expected) {
    PathPattern p = PathPattern.parse(pattern);
    switch (relation) {
      case MATCHES -> assertThat(p.matches(other)).isEqualTo(expected);
      case MATCHES_SELF_OR_ANCESTOR_OF ->
          assertThat(p.matchesSelfOrAncestorOf(other)).isEqualTo(expected);
      case CONTAINS -> assertThat(p.contains(PathPattern.parse(other))).isEqualTo(expected);
      case INTERSECTS -> {
        assertThat(p.intersects(PathPattern.parse(other))).isEqualTo(expected);
        assertThat(PathPattern.parse(other).intersects(p)).isEqualTo(expected);
      }
    }
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
