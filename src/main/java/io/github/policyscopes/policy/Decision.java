package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.ScopeParseException;

/**
 * The explained decision for one request.
 *
 * @param allowed whether the request may proceed
 * @param method the HTTP method
 * @param path the path relative to the realm
 * @param required the access the request needs
 * @param deniedBy the deny scope that refused it, or null
 * @param allowedBy the grant that allowed it, or null
 */
public record Decision(
    boolean allowed,
    String method,
    String path,
    Access required,
    ConfigScope deniedBy,
    ConfigScope allowedBy) {

  /** A human sentence: why the request is allowed or denied. */
  public String reason() {
    if (allowed) {
      return "allowed by " + allowedBy.text();
    }
    if (deniedBy != null) {
      return "denied by " + deniedBy.text();
    }
    if (!RequestPaths.isCanonical(path)) {
      return "path \"" + path + "\" is not canonical";
    }
    return "no scope grants " + (required == Access.WRITE ? "write" : "read") + " on " + path;
  }

  /**
   * The narrowest scope that would allow the request: the access symbol, ":" and the path (for a
   * path that is not a valid pattern, its characters outside the grammar are replaced by {@code *}
   * and empty segments are dropped; when nothing is left, {@code **}).
   */
  public String requiredScope() {
    return requiredScope(required, path);
  }

  static String requiredScope(Access required, String path) {
    String candidate = required.symbol() + ":" + sanitize(path);
    try {
      return ConfigScope.parse(candidate).text();
    } catch (ScopeParseException e) {
      return required.symbol() + ":**";
    }
  }

  private static String sanitize(String path) {
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
      boolean pchar = c > 0x20 && c < 0x7F && c != '*' && c != ':' && c != '\\' && c != '"';
      if (pchar) {
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
