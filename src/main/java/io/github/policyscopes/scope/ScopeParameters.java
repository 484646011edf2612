package io.github.policyscopes.scope;

import java.util.Collection;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which scope strings are a parameterized client scope's {@code name:value}, and the one pattern of
 * the policy grammar for them (docs/adr/0030-parameterized-scopes-in-the-grammar.md).
 *
 * <p>The names are Keycloak's to say (the Organizations scope while organizations are on, a client
 * scope marked parameterized while Keycloak's parameterized scopes are on); the glue reads them and
 * passes them here. A string is read as {@code name:value} when it is not a config scope ({@code
 * *:}, {@code .:}, {@code -:} are never parameters), exactly one of the names followed by {@code :}
 * starts it, and the rest (the value) is not empty. A string two names could start ({@code a:b:c}
 * with {@code a} and {@code a:b} parameterized) is read as no parameter at all: Keycloak's reading
 * of it is not defined, so it is matched literally only (fail closed).
 *
 * <p>The pattern: a policy entry {@code name:*} covers every {@code name:value} of that name, one
 * value per scope string, whatever the value (including Keycloak's own {@code organization:*},
 * "every organization of the user"). Any other entry covers only the string it spells: {@code
 * organization:acme} covers {@code organization:acme}; {@code organization} (no parameter) covers
 * {@code organization}; a {@code *} inside a longer value is a character like any other.
 */
public final class ScopeParameters {

  /** The value of an entry that covers every value of its name. */
  public static final String ANY_VALUE = "*";

  /** No parameterized client scope: every scope string is read literally. */
  public static final ScopeParameters NONE = new ScopeParameters(Set.of());

  private final Set<String> names;

  /** The longest name: no colon past it can end one (reading is linear in it). */
  private final int longestName;

  private ScopeParameters(Set<String> names) {
    this.names = names;
    this.longestName = names.stream().mapToInt(String::length).max().orElse(0);
  }

  /** The parameterized client scopes named {@code names} (blank names are ignored). */
  public static ScopeParameters of(@Nullable Collection<String> names) {
    if (names == null || names.isEmpty()) {
      return NONE;
    }
    Set<String> kept =
        Set.copyOf(names.stream().filter(n -> n != null && !n.isBlank()).distinct().toList());
    return kept.isEmpty() ? NONE : new ScopeParameters(kept);
  }

  /** The names of the parameterized client scopes. */
  public Set<String> names() {
    return names;
  }

  public boolean isEmpty() {
    return names.isEmpty();
  }

  /**
   * A scope string read as one parameterized client scope's parameter.
   *
   * @param name the client scope's name
   * @param value the parameter: never empty
   */
  public record Parameter(String name, String value) {

    /** Whether, as a policy entry, it covers every value of its name ({@code name:*}). */
    public boolean anyValue() {
      return ANY_VALUE.equals(value);
    }
  }

  /**
   * {@code scope} read as {@code name:value} of exactly one parameterized client scope, or null (a
   * config scope, no name of these starts it, an empty value, or two names start it).
   */
  public @Nullable Parameter read(@Nullable String scope) {
    if (scope == null || names.isEmpty() || Scope.isConfigScopeSyntax(scope)) {
      return null;
    }
    Parameter found = null;
    int colon = scope.indexOf(ClientScopeGrant.PARAMETER_SEPARATOR);
    while (colon > 0 && colon <= longestName) {
      if (colon + 1 < scope.length() && names.contains(scope.substring(0, colon))) {
        if (found != null) {
          return null; // two readings: Keycloak's is not defined
        }
        found = new Parameter(scope.substring(0, colon), scope.substring(colon + 1));
      }
      colon = scope.indexOf(ClientScopeGrant.PARAMETER_SEPARATOR, colon + 1);
    }
    return found;
  }

  /**
   * Whether the allowed entry {@code entry} covers the requested scope {@code requested}: they are
   * equal, or the entry is {@code name:*} and the request is {@code name:value} of the same
   * parameterized client scope. Never for a config scope.
   */
  public boolean covers(String entry, String requested) {
    if (entry.equals(requested)) {
      return true;
    }
    Parameter pattern = read(entry);
    if (pattern == null || !pattern.anyValue()) {
      return false;
    }
    Parameter asked = read(requested);
    return asked != null && asked.name().equals(pattern.name());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ScopeParameters p && p.names.equals(names);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }

  @Override
  public String toString() {
    return "ScopeParameters" + names;
  }
}
