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

/**
 * Warnings for a policy's allowed scopes: things that are valid but probably not what the operator
 * meant. English sentences, in the order of the entries.
 */
public final class PolicyLinter {

  /** Characters that look like a mistyped ":" after the access symbol. */
  private static final String SEPARATOR_TYPOS = ".;,=|";

  private PolicyLinter() {}

  public static List<String> lint(Collection<String> allowedScopes) {
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
        }
        continue;
      }
      ConfigScope c = Scopes.configOrNull(s);
      if (c == null) {
        continue; // a validation error, not a warning
      }
      config.add(c);
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
  static String mistypedConfigScope(String s) {
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

  /** Whether a grant names exactly a collection (or the root): it grants no member. */
  private static boolean isCollection(ConfigScope grant) {
    return grant.pattern().isLiteral()
        && ApiLayout.collectionPaths().contains(grant.pattern().toString());
  }
}
