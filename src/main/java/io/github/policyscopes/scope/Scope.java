package io.github.policyscopes.scope;

import org.jspecify.annotations.Nullable;

/**
 * A scope string from a request, a token or a policy: a {@link ConfigScope} exactly when it starts
 * with {@code *:}, {@code .:} or {@code -:}, otherwise a {@link PlainScope} compared literally.
 */
public sealed interface Scope permits PlainScope, ConfigScope {

  /** The scope as written (canonical for config scopes). */
  String text();

  /** A conservative estimate of the heap this scope retains, in bytes ({@link Footprint}). */
  long estimatedBytes();

  /**
   * Parses a scope.
   *
   * @throws ScopeParseException when {@code s} has config scope syntax but a malformed path
   */
  static Scope parse(String s) {
    if (isConfigScopeSyntax(s)) {
      return ConfigScope.parse(s);
    }
    return new PlainScope(s);
  }

  /** Whether {@code s} starts like a config scope: {@code *:}, {@code .:} or {@code -:}. */
  static boolean isConfigScopeSyntax(@Nullable String s) {
    if (s == null || s.length() < 2 || s.charAt(1) != ':') {
      return false;
    }
    char c = s.charAt(0);
    return c == '*' || c == '.' || c == '-';
  }
}
