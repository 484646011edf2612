package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathChars;
import io.github.policyscopes.scope.PathPattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Where canonical request paths meet the scope grammar's path characters. */
class RequestPathsPropertiesTest {

  @Provide
  Arbitrary<String> rawPaths() {
    return Arbitraries.strings()
        .withChars("/abc.%;\\*:\" \u00e9\u0000\t")
        .withCharRange('!', '~')
        .ofMaxLength(24);
  }

  @Property(tries = 3000)
  void aCanonicalPathHoldsOnlyPathCharsAndSeparators(@ForAll("rawPaths") String path) {
    if (RequestPaths.isCanonical(path)) {
      assertThat(path.chars().allMatch(c -> c == '/' || PathChars.isPathChar((char) c))).isTrue();
    }
  }

  /** Every canonical path short enough is a literal pattern that matches exactly itself. */
  @Property(tries = 3000)
  void aCanonicalPathIsALiteralPatternOfItself(@ForAll("rawPaths") String path) {
    if (RequestPaths.isCanonical(path)) {
      PathPattern p = PathPattern.parse(path);
      assertThat(p.isLiteral()).isTrue();
      assertThat(p.matches(path)).isTrue();
      assertThat(p).hasToString(path);
    }
  }

  /** The scope a refusal names is well-formed, and for a canonical path it allows the request. */
  @Property(tries = 3000)
  void theRequiredScopeAllowsTheRequest(@ForAll("rawPaths") String path) {
    for (String method : new String[] {"GET", "PUT"}) {
      Decision refused = ScopeSet.parse("").decide(method, path);
      String required = refused.requiredScope(method, path);
      ConfigScope scope = ConfigScope.parse(required);
      assertThat(scope.text()).isEqualTo(required);
      if (RequestPaths.isCanonical(path)) {
        assertThat(ScopeSet.parse(required).decide(method, path).allowed()).isTrue();
      }
    }
  }
}
