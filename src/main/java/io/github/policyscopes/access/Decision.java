package io.github.policyscopes.access;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathChars;
import io.github.policyscopes.scope.Scopes;
import org.jspecify.annotations.Nullable;

/**
 * The decision for one config API request, and why: {@link Allowed} by a grant, {@link Denied} by a
 * deny, {@link NotGranted} by any scope, or refused as {@link NotCanonical}. The request (method
 * and path) is not stored: {@link ScopeSet#decide} hands out shared instances, so deciding costs no
 * allocation; explaining takes the path (and method) again.
 */
public sealed interface Decision
    permits Decision.Allowed, Decision.Denied, Decision.NotGranted, Decision.NotCanonical {

  /** Whether the request may proceed: only an {@link Allowed} does (fail closed). */
  default boolean allowed() {
    return this instanceof Allowed;
  }

  /** A human sentence: why the request to {@code path} is allowed or refused. */
  String reason(String path);

  /**
   * The narrowest scope that would allow {@code method} on {@code path}: the access the request
   * needs ({@link RequestAccess#required}), ":" and the path (for a path that is not a valid
   * pattern, its characters that are not {@link PathChars path characters} are replaced by {@code
   * *} and empty segments are dropped; when nothing is left, {@code **}).
   */
  default String requiredScope(String method, String path) {
    return requiredScope(RequestAccess.required(method, path), path);
  }

  /** Allowed by {@code grant}, a grant with enough access whose pattern matches the path. */
  record Allowed(ConfigScope grant) implements Decision {
    @Override
    public String reason(String path) {
      return "allowed by " + grant.text();
    }
  }

  /** Refused by {@code deny}, whose pattern matches the path or one of its ancestors. */
  record Denied(ConfigScope deny) implements Decision {
    @Override
    public String reason(String path) {
      return "denied by " + deny.text();
    }
  }

  /** Refused: no scope grants the {@code required} access on the path. */
  record NotGranted(Access required) implements Decision {

    /** No grant for a read. */
    public static final NotGranted READ = new NotGranted(Access.READ);

    /** No grant for a write. */
    public static final NotGranted WRITE = new NotGranted(Access.WRITE);

    public NotGranted {
      if (!required.isGrant()) {
        throw new IllegalArgumentException("required access is read or write, not " + required);
      }
    }

    @Override
    public String reason(String path) {
      return "no scope grants " + (required == Access.WRITE ? "write" : "read") + " on " + path;
    }
  }

  /** Refused: the path is not in its one canonical spelling ({@link RequestPaths}). */
  record NotCanonical() implements Decision {

    /** The one instance. */
    public static final NotCanonical INSTANCE = new NotCanonical();

    @Override
    public String reason(String path) {
      return "path \"" + path + "\" is not canonical";
    }
  }

  /** {@link #requiredScope(String, String)} for a known required access. */
  private static String requiredScope(Access required, String path) {
    ConfigScope scope = Scopes.configOrNull(required.symbol() + ":" + sanitize(path));
    return scope != null ? scope.text() : required.symbol() + ":**";
  }

  private static String sanitize(@Nullable String path) {
    if (path == null) {
      return "**";
    }
    StringBuilder out = new StringBuilder(path.length());
    int segStart = 0;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/') {
        if (out.length() > segStart) {
          out.append('/');
          segStart = out.length();
        }
        continue;
      }
      if (PathChars.isPathChar(c)) {
        out.append(c);
      } else if (out.length() == segStart || out.charAt(out.length() - 1) != '*') {
        out.append('*');
      }
    }
    if (out.length() > 0 && out.charAt(out.length() - 1) == '/') {
      out.setLength(out.length() - 1);
    }
    return out.length() == 0 ? "**" : out.toString();
  }
}
