package io.github.policyscopes.scope;

import io.github.policyscopes.scope.ScopeParseException.Reason;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A config scope {@code access ":" path}: {@code *:} read and write, {@code .:} read only, {@code
 * -:} deny. A grant applies to the paths its pattern matches; a deny also to everything below them.
 */
public final class ConfigScope implements Scope {

  private final Access access;
  private final PathPattern pattern;

  /** What the scope applies to: the pattern for a grant, the pattern plus "/**" for a deny. */
  private final PathPattern reach;

  private final String text;

  private ConfigScope(Access access, PathPattern pattern) {
    this.access = access;
    this.pattern = pattern;
    this.reach = access == Access.DENY ? pattern.withDescendants() : pattern;
    this.text = access.symbol() + ":" + pattern;
  }

  /**
   * Parses a config scope.
   *
   * @throws ScopeParseException when {@code s} is not a well-formed config scope
   */
  public static ConfigScope parse(String s) {
    Objects.requireNonNull(s, "scope");
    if (s.length() > PathPattern.MAX_LENGTH) {
      throw new ScopeParseException(s, PathPattern.MAX_LENGTH, Reason.TOO_LONG);
    }
    if (!Scope.isConfigScopeSyntax(s)) {
      boolean symbolOk = !s.isEmpty() && "*.-".indexOf(s.charAt(0)) >= 0;
      throw new ScopeParseException(s, symbolOk ? 1 : 0, Reason.INVALID_ACCESS);
    }
    return new ConfigScope(Access.ofSymbol(s.charAt(0)), PathPatternParser.parse(s, 2));
  }

  /**
   * A conservative estimate of the heap this scope retains ({@link Footprint}): the object, its
   * text, its pattern and, for a deny, the pattern with {@code /**} it applies through.
   */
  @Override
  @SuppressWarnings("ReferenceEquality") // identity: a grant's reach is its pattern, counted once
  public long estimatedBytes() {
    long bytes = Footprint.object(4) + Footprint.string(text) + pattern.estimatedBytes();
    return reach == pattern ? bytes : bytes + reach.estimatedBytes();
  }

  /** Read, write or deny. */
  public Access access() {
    return access;
  }

  /** The path pattern. */
  public PathPattern pattern() {
    return pattern;
  }

  /** The canonical text: the access symbol, ":" and the canonical pattern. */
  @Override
  public String text() {
    return text;
  }

  public boolean isDeny() {
    return access == Access.DENY;
  }

  public boolean isGrant() {
    return access != Access.DENY;
  }

  /**
   * Whether this scope applies to {@code path}: a grant when its pattern matches it, a deny when
   * its pattern matches it or one of its ancestors. Allocation-free.
   */
  public boolean appliesTo(String path) {
    return isDeny() ? pattern.matchesSelfOrAncestorOf(path) : pattern.matches(path);
  }

  /**
   * Whether this allowed entry covers the requested scope: both are grants, this access includes
   * the requested one and this pattern matches every path the requested pattern can match. A deny
   * never covers anything.
   */
  public boolean covers(ConfigScope requested) {
    return isGrant()
        && requested.isGrant()
        && access.includes(requested.access)
        && pattern.contains(requested.pattern);
  }

  /** Whether both scopes can apply to some common path (a deny applies below its matches too). */
  public boolean overlaps(ConfigScope other) {
    return reach.intersects(other.reach);
  }

  /**
   * Whether this scope applies to every path {@code other} applies to (a deny reaching below its
   * matches), regardless of access.
   */
  public boolean reachesAllOf(ConfigScope other) {
    return reach.contains(other.reach);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ConfigScope c && c.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
