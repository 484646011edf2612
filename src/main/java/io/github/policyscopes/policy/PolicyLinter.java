package io.github.policyscopes.policy;

import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Warnings for a policy's allowed scopes: things that are valid but probably not what the operator
 * meant. English sentences, in the order of the entries.
 */
public final class PolicyLinter {

  /** Characters that look like a mistyped ":" after the access symbol. */
  private static final String SEPARATOR_TYPOS = ".;,=|";

  private PolicyLinter() {}

  public static List<String> lint(@Nullable Collection<String> allowedScopes) {
    List<String> warnings = new ArrayList<>();
    if (allowedScopes == null) {
      return warnings;
    }
    List<String> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Set<String> reportedTwice = new HashSet<>();
    for (String s : allowedScopes) {
      if (s == null || s.isBlank()) {
        continue;
      }
      if (!seen.add(s)) {
        if (reportedTwice.add(s)) {
          warnings.add("`" + s + "` is listed more than once.");
        }
        continue;
      }
      entries.add(s);
    }

    List<ConfigScope> config = new ArrayList<>();
    for (String s : entries) {
      if (!Scope.isConfigScopeSyntax(s)) {
        String suggestion = mistypedConfigScope(s);
        if (suggestion != null) {
          warnings.add("`" + s + "` is a plain scope — did you mean `" + suggestion + "`?");
        } else {
          String access = unknownAccess(s);
          if (access != null) {
            warnings.add(access);
          }
        }
        continue;
      }
      ConfigScope c = Scopes.configOrNull(s);
      if (c == null) {
        continue; // a validation error, not a warning
      }
      config.add(c);
      String layout = layoutMiss(c.access().symbol(), c.pattern().toString());
      if (layout != null) {
        warnings.add("`" + s + "` " + layout);
      }
      if (c.isGrant() && isCollection(c)) {
        warnings.add(
            "`"
                + s
                + "` grants the collection only — did you mean `"
                + c.access().symbol()
                + ":"
                + c.pattern()
                + "/**`?");
      }
    }

    for (int i = 0; i < config.size(); i++) {
      ConfigScope c = config.get(i);
      for (int k = 0; k < config.size(); k++) {
        ConfigScope other = config.get(k);
        if (k == i || other.isDeny() != c.isDeny()) {
          continue;
        }
        boolean covered = c.isGrant() ? other.covers(c) : other.reachesAllOf(c);
        boolean mutual = c.isGrant() ? c.covers(other) : c.reachesAllOf(other);
        if (covered && (!mutual || k < i)) {
          warnings.add(
              "`" + c.text() + "` is redundant: `" + other.text() + "` already covers it.");
          break;
        }
      }
      if (c.isGrant()) {
        for (ConfigScope deny : config) {
          if (deny.isDeny() && deny.reachesAllOf(c)) {
            warnings.add(
                "`"
                    + c.text()
                    + "` has no effect: `"
                    + deny.text()
                    + "` denies every path it grants.");
            break;
          }
        }
      }
    }
    return warnings;
  }

  /**
   * A config scope the plain scope {@code s} was probably meant to be ({@code *.**} → {@code *:**},
   * {@code *config/**} → {@code *:config/**}), or null.
   */
  static @Nullable String mistypedConfigScope(String s) {
    if (s.length() < 2 || "*.-".indexOf(s.charAt(0)) < 0) {
      return null;
    }
    char access = s.charAt(0);
    String candidate = null;
    if (SEPARATOR_TYPOS.indexOf(s.charAt(1)) >= 0) {
      candidate = access + ":" + s.substring(2);
      if (!Scopes.isConfigScope(candidate)) {
        candidate = null;
      }
    }
    if (candidate == null && (s.indexOf('/') >= 0 || s.indexOf('*', 1) >= 0)) {
      candidate = access + ":" + s.substring(1);
      if (!Scopes.isConfigScope(candidate)) {
        candidate = null;
      }
    }
    return candidate;
  }

  /** Access words that mean read and write ({@code *}). */
  private static final Set<String> WRITE_WORDS =
      Set.of(
          "w",
          "rw",
          "wr",
          "write",
          "writes",
          "readwrite",
          "read-write",
          "read_write",
          "all",
          "full",
          "manage",
          "admin",
          "edit",
          "modify",
          "update",
          "create",
          "delete",
          "put",
          "post");

  /** Access words that mean read only ({@code .}). */
  private static final Set<String> READ_WORDS =
      Set.of("r", "ro", "read", "reads", "readonly", "read-only", "read_only", "view", "get");

  /** Access words that mean deny ({@code -}). */
  private static final Set<String> DENY_WORDS =
      Set.of("d", "deny", "denied", "no", "none", "not", "block", "forbid", "forbidden");

  /** The longest word taken for a mistyped access symbol. */
  private static final int MAX_ACCESS_WORD = 16;

  /**
   * The warning for a plain scope that is a config scope with a word instead of the access symbol
   * ({@code write:config/**}, {@code r:config/**}), or null. Only an entry whose path starts with
   * the API's root and a slash ({@code config/}, any case) counts: {@code orders:read}, {@code
   * admin:config} or a parameterized {@code name:*} stay plain scopes without a word.
   */
  static @Nullable String unknownAccess(String s) {
    int colon = s.indexOf(':');
    if (colon < 1 || colon > MAX_ACCESS_WORD) {
      return null;
    }
    String word = s.substring(0, colon);
    String path = s.substring(colon + 1);
    int slash = path.indexOf('/');
    if (slash < 0 || !path.substring(0, slash).equalsIgnoreCase(ApiLayout.ROOT) || !isWord(word)) {
      return null;
    }
    String lower = word.toLowerCase(java.util.Locale.ROOT);
    List<Character> symbols =
        WRITE_WORDS.contains(lower)
            ? List.of('*')
            : READ_WORDS.contains(lower)
                ? List.of('.')
                : DENY_WORDS.contains(lower) ? List.of('-') : List.of('*', '.');
    List<String> suggestions = new ArrayList<>();
    for (char symbol : symbols) {
      String candidate = symbol + ":" + path;
      if (!Scopes.isConfigScope(candidate)) {
        return null;
      }
      suggestions.add(corrected(symbol, path));
    }
    return "`"
        + s
        + "` is a plain scope: `"
        + word
        + "` is no access symbol (`*` read and write, `.` read only, `-` deny) — did you mean "
        + orList(suggestions)
        + "?";
  }

  private static boolean isWord(String word) {
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** {@code symbol:path} with the case of every resource name the API knows fixed. */
  private static String corrected(char symbol, String path) {
    String[] segments = path.split("/", -1);
    fixCase(segments);
    return symbol + ":" + String.join("/", segments);
  }

  /**
   * Why a config scope's path misses the API's resources ({@link ApiLayout}), or null: a resource
   * name in the wrong case ({@code Config}, {@code tokenpolicies}: paths are case-sensitive) or one
   * the API does not have ({@code config/foo}, {@code orders/**}). Only literal segments are
   * checked: a wildcard matches whatever is there.
   */
  static @Nullable String layoutMiss(char symbol, String pattern) {
    String[] segments = pattern.split("/", -1);
    String[] fixed = segments.clone();
    if (fixCase(fixed)) {
      return "never matches: paths are case-sensitive — did you mean `"
          + symbol
          + ":"
          + String.join("/", fixed)
          + "`?";
    }
    if (isLiteralSegment(segments[0]) && !segments[0].equals(ApiLayout.ROOT)) {
      List<String> roots = new ArrayList<>();
      ApiLayout.COLLECTIONS.forEach(c -> roots.add(ApiLayout.collectionPath(c)));
      return "never matches: every path of the config API starts with `"
          + ApiLayout.ROOT
          + "/` ("
          + String.join(", ", roots)
          + ") — did you mean `"
          + symbol
          + ":"
          + ApiLayout.ROOT
          + "/**`?";
    }
    if (segments.length > 1
        && segments[0].equals(ApiLayout.ROOT)
        && isLiteralSegment(segments[1])
        && !ApiLayout.COLLECTIONS.contains(segments[1])) {
      return unknownName(symbol, segments, 1, ApiLayout.COLLECTIONS, "`config/`");
    }
    if (belowAClient(segments)
        && isLiteralSegment(segments[3])
        && !ApiLayout.CLIENT_RESOURCES.contains(segments[3])) {
      return unknownName(symbol, segments, 3, ApiLayout.CLIENT_RESOURCES, "`config/clients/{id}/`");
    }
    return null;
  }

  private static String unknownName(
      char symbol, String[] segments, int at, List<String> known, String under) {
    List<String> suggestions = new ArrayList<>();
    for (String name : known) {
      String[] s = segments.clone();
      s[at] = name;
      suggestions.add(symbol + ":" + String.join("/", s));
    }
    return "never matches: the config API has no `"
        + segments[at]
        + "` under "
        + under
        + " (it has "
        + String.join(", ", known)
        + ") — did you mean "
        + orList(suggestions)
        + "?";
  }

  /**
   * Fixes, in place, the case of the resource names the API knows at their positions ({@code
   * config}, its collections, a client's sub-resources); true when one changed.
   */
  private static boolean fixCase(String[] segments) {
    boolean changed = fixCase(segments, 0, List.of(ApiLayout.ROOT));
    if (segments.length > 1 && segments[0].equals(ApiLayout.ROOT)) {
      changed |= fixCase(segments, 1, ApiLayout.COLLECTIONS);
    }
    if (belowAClient(segments)) {
      changed |= fixCase(segments, 3, ApiLayout.CLIENT_RESOURCES);
    }
    return changed;
  }

  /** Whether the fourth segment is what lies below one client: {@code config/clients/{id}/…}. */
  private static boolean belowAClient(String[] segments) {
    return segments.length > 3
        && segments[0].equals(ApiLayout.ROOT)
        && segments[1].equals(ApiLayout.CLIENTS)
        && !segments[2].contains("**");
  }

  private static boolean fixCase(String[] segments, int at, List<String> known) {
    for (String name : known) {
      if (!segments[at].equals(name) && segments[at].equalsIgnoreCase(name)) {
        segments[at] = name;
        return true;
      }
    }
    return false;
  }

  private static boolean isLiteralSegment(String segment) {
    return !segment.isEmpty() && segment.indexOf('*') < 0;
  }

  private static String orList(List<String> items) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(i == items.size() - 1 ? " or " : ", ");
      }
      out.append('`').append(items.get(i)).append('`');
    }
    return out.toString();
  }

  /** Whether a grant names exactly a collection (or the root): it grants no member. */
  private static boolean isCollection(ConfigScope grant) {
    return grant.pattern().isLiteral()
        && ApiLayout.collectionPaths().contains(grant.pattern().toString());
  }
}
