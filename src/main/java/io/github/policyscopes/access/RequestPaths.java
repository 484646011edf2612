package io.github.policyscopes.access;

import io.github.policyscopes.scope.PathChars;
import org.jspecify.annotations.Nullable;

/**
 * Canonical request paths for the config API. A path relative to the realm (still percent-encoded,
 * e.g. {@code config/clients/abc/secret}) is accepted only in its one canonical spelling, so that
 * no other spelling of a denied path can reach a resource: no empty segment, no {@code .} or {@code
 * ..} segment, no {@code %} (no encoded anything), no {@code ;} (matrix parameters), no {@code \},
 * and only {@link PathChars path characters}.
 */
public final class RequestPaths {

  private static final String EMPTY = "empty path";
  private static final String LEADING_SLASH = "path starts with '/'";
  private static final String EMPTY_SEGMENT = "empty path segment ('//' or trailing '/')";
  private static final String DOT_SEGMENT = "'.' or '..' path segment";
  private static final String PERCENT = "percent-encoded character";
  private static final String MATRIX = "matrix parameter (';')";
  private static final String BACKSLASH = "backslash";
  private static final String INVALID = "character not allowed in a path";
  private static final String TOO_LONG = "path too long";

  /** The longest accepted request path. */
  public static final int MAX_LENGTH = 2048;

  private RequestPaths() {}

  /**
   * Returns {@code rawPath} when it is canonical.
   *
   * @throws InvalidPathException naming the problem otherwise
   */
  public static String validate(String rawPath) {
    String problem = problem(rawPath);
    if (problem != null) {
      throw new InvalidPathException(problem);
    }
    return rawPath;
  }

  /** Whether {@code path} is canonical. Allocation-free. */
  public static boolean isCanonical(@Nullable String path) {
    return problem(path) == null;
  }

  private static @Nullable String problem(@Nullable String path) {
    if (path == null || path.isEmpty()) {
      return EMPTY;
    }
    int len = path.length();
    if (len > MAX_LENGTH) {
      return TOO_LONG;
    }
    if (path.charAt(0) == '/') {
      return LEADING_SLASH;
    }
    int segStart = 0;
    for (int i = 0; i <= len; i++) {
      char c = i == len ? '/' : path.charAt(i);
      if (c == '/') {
        int segLen = i - segStart;
        if (segLen == 0) {
          return EMPTY_SEGMENT;
        }
        if (path.charAt(segStart) == '.'
            && (segLen == 1 || (segLen == 2 && path.charAt(segStart + 1) == '.'))) {
          return DOT_SEGMENT;
        }
        segStart = i + 1;
      } else if (c == '%') {
        return PERCENT;
      } else if (c == ';') {
        return MATRIX;
      } else if (c == '\\') {
        return BACKSLASH;
      } else if (!PathChars.isPathChar(c)) {
        return INVALID;
      }
    }
    return null;
  }
}
