package io.github.policyscopes.scope;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Property tests of the scope grammar: matching, containment, intersection, parsing. */
class ScopePropertiesTest {

  private static final String[] SEGMENTS = {
    "a", "b", "ab", "ba", "aab", "x", "*", "a*", "*b", "a*b", "*a*", "**", "**", "*"
  };
  private static final String[] CONCRETE = {"a", "b", "ab", "ba", "aab", "x", "bab", "abb"};
  private static final String[] FILL = {"", "a", "b", "ab", "x", "ba"};

  @Provide
  Arbitrary<String> patterns() {
    return PathArbitraries.joined(SEGMENTS, 5).filter(ScopePropertiesTest::withinLimits);
  }

  /** Patterns the parser accepts: at most {@link PathPattern#MAX_WILDCARDS} wildcards. */
  static boolean withinLimits(String pattern) {
    try {
      PathPattern.parse(pattern);
      return true;
    } catch (ScopeParseException tooManyWildcards) {
      return false;
    }
  }

  @Provide
  Arbitrary<String> paths() {
    return PathArbitraries.joined(CONCRETE, 6);
  }

  @Provide
  Arbitrary<String> configScopes() {
    return Combinators.combine(Arbitraries.of("*:", ".:"), patterns()).as(String::concat);
  }

  // ---- matching agrees with a slow recursive reference matcher

  @Property
  void matchesAgreesWithReference(
      @ForAll("patterns") String pattern, @ForAll("paths") String path) {
    PathPattern p = PathPattern.parse(pattern);
    assertThat(p.matches(path)).isEqualTo(refMatches(pattern, path));
    boolean selfOrAncestor = false;
    String[] segs = path.split("/");
    for (int k = 1; k <= segs.length; k++) {
      selfOrAncestor |= refMatches(pattern, String.join("/", Arrays.copyOf(segs, k)));
    }
    assertThat(p.matchesSelfOrAncestorOf(path)).isEqualTo(selfOrAncestor);
  }

  @Property
  void everyInstanceOfAPatternMatchesIt(@ForAll("patterns") String pattern, @ForAll long seed) {
    PathPattern p = PathPattern.parse(pattern);
    Random random = new Random(seed);
    for (int i = 0; i < 20; i++) {
      String path = instantiate(pattern, random);
      if (!path.isEmpty()) {
        assertThat(p.matches(path)).as(path).isTrue();
      }
    }
  }

  // ---- containment: sound, reflexive, transitive, complete on specialisations

  @Property
  void coverageIsSound(
      @ForAll("configScopes") String allowed,
      @ForAll("configScopes") String requested,
      @ForAll long seed) {
    ConfigScope a = ConfigScope.parse(allowed);
    ConfigScope r = ConfigScope.parse(requested);
    if (!a.covers(r)) {
      return;
    }
    assertThat(a.access().includes(r.access())).isTrue();
    Random random = new Random(seed);
    for (int i = 0; i < 30; i++) {
      String path = instantiate(requested.substring(2), random);
      if (!path.isEmpty()) {
        assertThat(r.pattern().matches(path)).isTrue();
        assertThat(a.pattern().matches(path)).as("%s covers %s but not %s", a, r, path).isTrue();
      }
    }
  }

  @Property
  void containmentIsSoundAgainstExhaustivePaths(
      @ForAll("patterns") String a, @ForAll("patterns") String b) {
    PathPattern pa = PathPattern.parse(a);
    PathPattern pb = PathPattern.parse(b);
    if (!pa.contains(pb)) {
      return;
    }
    for (String path : smallPaths()) {
      if (pb.matches(path)) {
        assertThat(pa.matches(path)).as("%s contains %s but not %s", a, b, path).isTrue();
      }
    }
  }

  @Property
  void containmentIsCompleteOnSpecialisations(
      @ForAll("patterns") String pattern, @ForAll long seed) {
    String special = specialise(pattern, new Random(seed));
    assertThat(PathPattern.parse(pattern).contains(PathPattern.parse(special)))
        .as("%s contains its specialisation %s", pattern, special)
        .isTrue();
  }

  @Property
  void containsIsReflexive(@ForAll("patterns") String a) {
    PathPattern p = PathPattern.parse(a);
    assertThat(p.contains(p)).isTrue();
    assertThat(p.contains(PathPattern.parse(a))).isTrue();
  }

  @Property
  void containsIsTransitive(
      @ForAll("patterns") String a, @ForAll("patterns") String b, @ForAll long seed) {
    PathPattern pa = PathPattern.parse(a);
    PathPattern pb = PathPattern.parse(b);
    PathPattern pc = PathPattern.parse(specialise(b, new Random(seed)));
    if (pa.contains(pb) && pb.contains(pc)) {
      assertThat(pa.contains(pc)).isTrue();
    }
  }

  // ---- intersection: symmetric, and agrees with a witness search

  @Property
  void intersectsIsSymmetric(@ForAll("patterns") String a, @ForAll("patterns") String b) {
    PathPattern pa = PathPattern.parse(a);
    PathPattern pb = PathPattern.parse(b);
    assertThat(pa.intersects(pb)).isEqualTo(pb.intersects(pa));
  }

  @Property
  void intersectsAgreesWithWitnesses(
      @ForAll("patterns") String a, @ForAll("patterns") String b, @ForAll long seed) {
    PathPattern pa = PathPattern.parse(a);
    PathPattern pb = PathPattern.parse(b);
    boolean intersects = pa.intersects(pb);
    Random random = new Random(seed);
    for (int i = 0; i < 20; i++) {
      String path = instantiate(a, random);
      if (!path.isEmpty() && pb.matches(path)) {
        assertThat(intersects).as("%s and %s share %s", a, b, path).isTrue();
      }
    }
    if (!intersects) {
      for (String path : smallPaths()) {
        assertThat(pa.matches(path) && pb.matches(path)).isFalse();
      }
    }
  }

  // ---- parsing is total: a value or a ScopeParseException

  @Provide
  Arbitrary<String> anyScopeText() {
    Arbitrary<String> body =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(40),
            Arbitraries.strings().withChars("*/.:-ab \\\"\t\u00e9%").ofMaxLength(40),
            Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(40),
            Arbitraries.strings().withChars("a/*").ofMinLength(900).ofMaxLength(1200));
    return Combinators.combine(Arbitraries.of("", "*:", ".:", "-:", "*", ":"), body)
        .as(String::concat);
  }

  @Property(tries = 3000)
  void parsingIsTotal(@ForAll("anyScopeText") String s) {
    try {
      Scope scope = Scope.parse(s);
      if (scope instanceof ConfigScope c) {
        assertThat(ConfigScope.parse(c.text())).isEqualTo(c);
      } else {
        assertThat(scope.text()).isEqualTo(s);
      }
    } catch (ScopeParseException e) {
      assertThat(e.position()).isBetween(0, s.length());
      assertThat(e.input()).isEqualTo(s);
      assertThat(e.getMessage()).contains("at position " + e.position());
    }
  }

  // ---- helpers

  /** Slow, obviously correct: recursion over segments and over characters. */
  static boolean refMatches(String pattern, String path) {
    return refPath(pattern.split("/"), 0, path.split("/", -1), 0);
  }

  private static boolean refPath(String[] p, int i, String[] s, int j) {
    if (i == p.length) {
      return j == s.length;
    }
    if (p[i].equals("**")) {
      return refPath(p, i + 1, s, j) || (j < s.length && refPath(p, i, s, j + 1));
    }
    return j < s.length && refSegment(p[i], 0, s[j], 0) && refPath(p, i + 1, s, j + 1);
  }

  private static boolean refSegment(String p, int i, String s, int j) {
    if (i == p.length()) {
      return j == s.length();
    }
    if (p.charAt(i) == '*') {
      return refSegment(p, i + 1, s, j) || (j < s.length() && refSegment(p, i, s, j + 1));
    }
    return j < s.length() && p.charAt(i) == s.charAt(j) && refSegment(p, i + 1, s, j + 1);
  }

  /** A concrete path the pattern matches (possibly "" when everything was **). */
  static String instantiate(String pattern, Random random) {
    List<String> out = new ArrayList<>();
    for (String seg : pattern.split("/")) {
      if (seg.equals("**")) {
        int n = random.nextInt(3);
        for (int k = 0; k < n; k++) {
          out.add(CONCRETE[random.nextInt(CONCRETE.length)]);
        }
      } else {
        StringBuilder b = new StringBuilder();
        for (char c : seg.toCharArray()) {
          b.append(c == '*' ? FILL[random.nextInt(FILL.length)] : String.valueOf(c));
        }
        out.add(b.length() == 0 ? "a" : b.toString());
      }
    }
    return String.join("/", out);
  }

  /** A pattern whose language is contained in the given one. */
  static String specialise(String pattern, Random random) {
    List<String> out = new ArrayList<>();
    for (String seg : pattern.split("/")) {
      int choice = random.nextInt(4);
      if (seg.equals("**")) {
        switch (choice) {
          case 0 -> out.add("**");
          case 1 -> {
            out.add("*");
            out.add("**");
          }
          case 2 -> out.add(CONCRETE[random.nextInt(CONCRETE.length)]);
          default -> {}
        }
      } else if (seg.contains("*") && choice > 0) {
        StringBuilder b = new StringBuilder();
        for (char c : seg.toCharArray()) {
          if (c == '*') {
            b.append(choice == 1 ? "a*" : choice == 2 ? "*b" : "x");
          } else {
            b.append(c);
          }
        }
        out.add(b.toString());
      } else {
        out.add(seg);
      }
    }
    if (out.isEmpty()) {
      out.add("a");
    }
    String special = String.join("/", out);
    try {
      PathPattern.parse(special);
      return special;
    } catch (ScopeParseException beyondTheLimits) {
      // "**" → "*/**" adds a wildcard: past the limit, specialise by taking wildcards away instead
      List<String> concrete = new ArrayList<>();
      for (String seg : pattern.split("/")) {
        concrete.add(
            seg.equals("**") ? CONCRETE[random.nextInt(CONCRETE.length)] : seg.replace('*', 'x'));
      }
      return String.join("/", concrete);
    }
  }

  private static List<String> smallPaths;

  /** Every path of 1 to 3 segments over a small alphabet. */
  static synchronized List<String> smallPaths() {
    if (smallPaths == null) {
      String[] alphabet = {"a", "b", "ab", "ba", "x", "aab"};
      List<String> all = new ArrayList<>();
      List<String> level = List.of("");
      for (int depth = 1; depth <= 3; depth++) {
        List<String> next = new ArrayList<>();
        for (String prefix : level) {
          for (String s : alphabet) {
            next.add(prefix.isEmpty() ? s : prefix + "/" + s);
          }
        }
        all.addAll(next);
        level = next;
      }
      smallPaths = all;
    }
    return smallPaths;
  }
}
