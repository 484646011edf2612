package io.github.policyscopes.scope;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one way the rest of the code turns strings into scopes: a malformed config scope is a value
 * ({@link Malformed}) or a null, never an exception to catch at each call site. Malformed scopes
 * carry no power, so most callers just skip them.
 */
public final class Scopes {

  private Scopes() {}

  /** What parsing one scope string gave. */
  public sealed interface Parsed permits Valid, Malformed {}

  /** A well-formed scope (plain, or a config scope). */
  public record Valid(Scope scope) implements Parsed {}

  /** A string with config scope syntax but a malformed path; {@code error} says where and why. */
  public record Malformed(ScopeParseException error) implements Parsed {

    /** The parser's message: the input, the reason and the position. */
    public String message() {
      return error.getMessage();
    }
  }

  /** Parses {@code s} (not null) into a {@link Valid} or a {@link Malformed} scope. */
  public static Parsed tryParse(String s) {
    try {
      return new Valid(Scope.parse(s));
    } catch (ScopeParseException e) {
      return new Malformed(e);
    }
  }

  /** The scope {@code s} stands for; null when {@code s} is null or a malformed config scope. */
  public static Scope parseOrNull(String s) {
    return s != null && tryParse(s) instanceof Valid v ? v.scope() : null;
  }

  /**
   * The config scope {@code s} stands for; null when {@code s} is null, a plain scope or a
   * malformed config scope.
   */
  public static ConfigScope configOrNull(String s) {
    return Scope.isConfigScopeSyntax(s) && parseOrNull(s) instanceof ConfigScope c ? c : null;
  }

  /** Whether {@code s} is a well-formed config scope. */
  public static boolean isConfigScope(String s) {
    return configOrNull(s) != null;
  }

  /**
   * The well-formed scopes of {@code entries}, in first-seen order, once per string: null, blank
   * and malformed entries are skipped. Null gives an empty list.
   */
  public static List<Scope> wellFormed(Collection<String> entries) {
    Map<String, Scope> out = new LinkedHashMap<>();
    if (entries != null) {
      for (String s : entries) {
        if (s != null && !s.isBlank() && !out.containsKey(s)) {
          Scope scope = parseOrNull(s);
          if (scope != null) {
            out.put(s, scope);
          }
        }
      }
    }
    return new ArrayList<>(out.values());
  }

  /**
   * Splits a space-separated scope string (a {@code scope} parameter or claim) on whitespace; null
   * or blank gives an empty list.
   */
  public static List<String> split(String spaceSeparated) {
    List<String> out = new ArrayList<>();
    if (spaceSeparated == null) {
      return out;
    }
    int start = -1;
    for (int i = 0; i <= spaceSeparated.length(); i++) {
      boolean ws = i == spaceSeparated.length() || Character.isWhitespace(spaceSeparated.charAt(i));
      if (ws) {
        if (start >= 0) {
          out.add(spaceSeparated.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    return out;
  }
}
