package io.github.policyscopes.access;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Footprint;
import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.PlainScope;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The compiled scopes of a token: grants, denies and plain scopes, each list without duplicates and
 * sorted by text, so that neither order nor repetition of the token's scopes changes anything.
 * Malformed config scopes are ignored: they carry no power.
 *
 * <p>{@link #decide} is the one decision of the config API. It runs on flat arrays built here once,
 * and returns decisions built here once too (one {@link Decision.Allowed} per grant, one {@link
 * Decision.Denied} per deny), so it allocates nothing.
 */
public final class ScopeSet {

  private static final ScopeSet EMPTY = new ScopeSet(List.of(), List.of(), List.of());

  private final List<ConfigScope> grants;
  private final List<ConfigScope> denies;
  private final List<PlainScope> plain;

  // the decision's hot path: flat arrays, index i of a pattern array goes with index i of its
  // decision array
  private final PathPattern[] denyPatterns;
  private final Decision.Denied[] denied;
  private final PathPattern[] grantPatterns;
  private final Decision.Allowed[] allowedByGrant;
  private final PathPattern[] writePatterns;
  private final Decision.Allowed[] allowedByWrite;

  private ScopeSet(List<ConfigScope> grants, List<ConfigScope> denies, List<PlainScope> plain) {
    this.grants = List.copyOf(grants);
    this.denies = List.copyOf(denies);
    this.plain = List.copyOf(plain);
    this.denyPatterns = denies.stream().map(ConfigScope::pattern).toArray(PathPattern[]::new);
    this.denied = denies.stream().map(Decision.Denied::new).toArray(Decision.Denied[]::new);
    this.grantPatterns = grants.stream().map(ConfigScope::pattern).toArray(PathPattern[]::new);
    this.allowedByGrant =
        grants.stream().map(Decision.Allowed::new).toArray(Decision.Allowed[]::new);
    List<Decision.Allowed> writes = new ArrayList<>();
    for (Decision.Allowed a : allowedByGrant) {
      if (a.grant().access() == Access.WRITE) {
        writes.add(a);
      }
    }
    this.allowedByWrite = writes.toArray(Decision.Allowed[]::new);
    this.writePatterns = writes.stream().map(a -> a.grant().pattern()).toArray(PathPattern[]::new);
  }

  /** Compiles a token's scopes; null or blank entries are skipped. */
  public static ScopeSet of(@Nullable Collection<String> scopes) {
    if (scopes == null || scopes.isEmpty()) {
      return EMPTY;
    }
    Set<ConfigScope> grants = new LinkedHashSet<>();
    Set<ConfigScope> denies = new LinkedHashSet<>();
    Set<PlainScope> plain = new LinkedHashSet<>();
    for (Scope scope : Scopes.wellFormed(scopes)) {
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
    return of(Scopes.split(spaceSeparated));
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

  /**
   * A conservative estimate of the heap this compiled set retains, in bytes ({@link Footprint}):
   * the set, its lists and flat arrays, one decision per grant and deny, and every scope as if none
   * were shared with another set. What the config API's cache of compiled claims weighs.
   */
  public long estimatedBytes() {
    int n = grants.size() + denies.size();
    long bytes = Footprint.object(9);
    bytes += Footprint.list(grants.size()) + Footprint.list(denies.size());
    bytes += Footprint.list(plain.size());
    bytes += 2 * Footprint.refArray(denies.size()) + 2 * Footprint.refArray(grants.size());
    bytes += 2 * Footprint.refArray(allowedByWrite.length);
    bytes += n * Footprint.object(1); // one Allowed or Denied per grant and deny
    for (ConfigScope c : grants) {
      bytes += c.estimatedBytes();
    }
    for (ConfigScope c : denies) {
      bytes += c.estimatedBytes();
    }
    for (PlainScope p : plain) {
      bytes += p.estimatedBytes();
    }
    return bytes;
  }

  /** Whether the set holds no scope at all. */
  public boolean isEmpty() {
    return grants.isEmpty() && denies.isEmpty() && plain.isEmpty();
  }

  /**
   * The decision for {@code method} on {@code path} (relative to the realm): a path that is not
   * canonical is refused; else a deny matching the path or one of its ancestors refuses (deny wins,
   * the first in text order is named); else the first grant (in text order) with enough access
   * whose pattern matches the path allows; else refused as not granted. Allocation-free.
   */
  public Decision decide(String method, String path) {
    if (!RequestPaths.isCanonical(path)) {
      return Decision.NotCanonical.INSTANCE;
    }
    PathPattern[] denyPatterns = this.denyPatterns;
    for (int i = 0; i < denyPatterns.length; i++) {
      if (denyPatterns[i].matchesSelfOrAncestorOf(path)) {
        return denied[i];
      }
    }
    boolean write = RequestAccess.required(method, path) == Access.WRITE;
    PathPattern[] candidates = write ? writePatterns : grantPatterns;
    for (int i = 0; i < candidates.length; i++) {
      if (candidates[i].matches(path)) {
        return write ? allowedByWrite[i] : allowedByGrant[i];
      }
    }
    return write ? Decision.NotGranted.WRITE : Decision.NotGranted.READ;
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
