package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.PlainScope;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.ScopeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The compiled scopes of a token: grants, denies and plain scopes, each list without duplicates and
 * sorted by text, so that neither order nor repetition of the token's scopes changes anything.
 * Malformed config scopes are ignored: they carry no power.
 */
public final class ScopeSet {

  private static final ScopeSet EMPTY = new ScopeSet(List.of(), List.of(), List.of());

  private final List<ConfigScope> grants;
  private final List<ConfigScope> denies;
  private final List<PlainScope> plain;

  // hot path: flat arrays
  private final PathPattern[] denyPatterns;
  private final PathPattern[] grantPatterns;
  private final PathPattern[] writePatterns;

  private ScopeSet(List<ConfigScope> grants, List<ConfigScope> denies, List<PlainScope> plain) {
    this.grants = List.copyOf(grants);
    this.denies = List.copyOf(denies);
    this.plain = List.copyOf(plain);
    this.denyPatterns = denies.stream().map(ConfigScope::pattern).toArray(PathPattern[]::new);
    this.grantPatterns = grants.stream().map(ConfigScope::pattern).toArray(PathPattern[]::new);
    this.writePatterns =
        grants.stream()
            .filter(g -> g.access() == Access.WRITE)
            .map(ConfigScope::pattern)
            .toArray(PathPattern[]::new);
  }

  /** Compiles a token's scopes; null or blank entries are skipped. */
  public static ScopeSet of(Collection<String> scopes) {
    if (scopes == null || scopes.isEmpty()) {
      return EMPTY;
    }
    Set<ConfigScope> grants = new LinkedHashSet<>();
    Set<ConfigScope> denies = new LinkedHashSet<>();
    Set<PlainScope> plain = new LinkedHashSet<>();
    for (String s : scopes) {
      if (s == null || s.isBlank()) {
        continue;
      }
      Scope scope;
      try {
        scope = Scope.parse(s);
      } catch (ScopeParseException e) {
        continue; // no power
      }
      if (scope instanceof ConfigScope c) {
        (c.isDeny() ? denies : grants).add(c);
      } else {
        plain.add((PlainScope) scope);
      }
    }
    return new ScopeSet(sorted(grants), sorted(denies), sortedPlain(plain));
  }

  /**
   * Compiles a space-separated scope string (a token's {@code scope} claim); null/blank = empty.
   */
  public static ScopeSet parse(String spaceSeparated) {
    return of(split(spaceSeparated));
  }

  /** Splits a scope parameter or claim on whitespace; null or blank gives an empty list. */
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

  private static List<ConfigScope> sorted(Set<ConfigScope> set) {
    List<ConfigScope> list = new ArrayList<>(set);
    list.sort(Comparator.comparing(ConfigScope::text));
    return list;
  }

  private static List<PlainScope> sortedPlain(Set<PlainScope> set) {
    List<PlainScope> list = new ArrayList<>(set);
    list.sort(Comparator.comparing(PlainScope::text));
    return list;
  }

  /** The read and write grants. */
  public List<ConfigScope> grants() {
    return grants;
  }

  /** The deny scopes. */
  public List<ConfigScope> denies() {
    return denies;
  }

  /** The plain scopes. */
  public List<PlainScope> plain() {
    return plain;
  }

  /** Whether the set holds no scope at all. */
  public boolean isEmpty() {
    return grants.isEmpty() && denies.isEmpty() && plain.isEmpty();
  }

  /**
   * The decision of SPEC §2 without explanation: a deny matching the path or an ancestor refuses;
   * else a grant with enough access matching the path allows; else refused. A path that is not
   * canonical is refused. Allocation-free.
   */
  public boolean isAllowed(String method, String path) {
    if (!RequestPaths.isCanonical(path)) {
      return false;
    }
    for (PathPattern deny : denyPatterns) {
      if (deny.matchesSelfOrAncestorOf(path)) {
        return false;
      }
    }
    PathPattern[] candidates =
        RequestAccess.required(method, path) == Access.WRITE ? writePatterns : grantPatterns;
    for (PathPattern grant : candidates) {
      if (grant.matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** The same decision as {@link #isAllowed}, with the scope that made it. */
  public Decision decide(String method, String path) {
    Access required = RequestAccess.required(method, path);
    if (!RequestPaths.isCanonical(path)) {
      return new Decision(false, method, path, required, null, null);
    }
    for (ConfigScope deny : denies) {
      if (deny.pattern().matchesSelfOrAncestorOf(path)) {
        return new Decision(false, method, path, required, deny, null);
      }
    }
    for (ConfigScope grant : grants) {
      if (grant.access().includes(required) && grant.pattern().matches(path)) {
        return new Decision(true, method, path, required, null, grant);
      }
    }
    return new Decision(false, method, path, required, null, null);
  }

  /** The scopes, space-separated: grants, denies, plain. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (ConfigScope g : grants) {
      append(out, g.text());
    }
    for (ConfigScope d : denies) {
      append(out, d.text());
    }
    for (PlainScope p : plain) {
      append(out, p.text());
    }
    return out.toString();
  }

  private static void append(StringBuilder out, String s) {
    if (out.length() > 0) {
      out.append(' ');
    }
    out.append(s);
  }
}
