package io.github.policyscopes.scope;

/**
 * The characters a path may hold: {@code pchar} of the scope grammar, i.e. visible ASCII
 * (0x21-0x7E) except {@code /} (the separator), {@code *} (the wildcard), {@code :} (the access
 * separator), {@code \} and {@code "}. The one definition shared by the pattern parser ({@link
 * PathPatternParser}), the canonical request path check ({@code access.RequestPaths}) and the
 * narrowest-scope suggestion of a refused request ({@code access.Decision}).
 */
public final class PathChars {

  private PathChars() {}

  /** Whether {@code c} may appear in a path segment as itself. Allocation-free. */
  public static boolean isPathChar(char c) {
    return c > 0x20 && c < 0x7F && c != '/' && c != '*' && c != ':' && c != '\\' && c != '"';
  }
}
