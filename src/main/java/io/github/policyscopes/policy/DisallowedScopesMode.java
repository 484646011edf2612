package io.github.policyscopes.policy;

import org.jspecify.annotations.Nullable;

/** What happens to requested scopes a policy does not allow. */
public enum DisallowedScopesMode {
  /** Silently left out; the token is still issued. */
  IGNORE("ignore"),
  /** The request fails with {@code 400 invalid_scope}. */
  REJECT("reject");

  private final String value;

  DisallowedScopesMode(String value) {
    this.value = value;
  }

  /** The configuration value: {@code ignore} or {@code reject}. */
  public String value() {
    return value;
  }

  /**
   * Parses a configuration value, exactly {@code ignore} or {@code reject} (case-sensitive, like
   * every other value of the API: what is stored is what was sent); null or empty is the default
   * {@link #IGNORE}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static DisallowedScopesMode parse(@Nullable String s) {
    if (s == null || s.isEmpty()) {
      return IGNORE;
    }
    for (DisallowedScopesMode mode : values()) {
      if (mode.value.equals(s)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("disallowedScopes must be ignore or reject, not: " + s);
  }
}
