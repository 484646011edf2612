package io.github.policyscopes.policy;

import java.util.Locale;

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
   * Parses a configuration value, ignoring case and surrounding blanks; null or blank is the
   * default {@link #IGNORE}.
   *
   * @throws IllegalArgumentException for any other value
   */
  public static DisallowedScopesMode parse(String s) {
    if (s == null || s.isBlank()) {
      return IGNORE;
    }
    String v = s.strip().toLowerCase(Locale.ROOT);
    for (DisallowedScopesMode mode : values()) {
      if (mode.value.equals(v)) {
        return mode;
      }
    }
    throw new IllegalArgumentException("disallowedScopes must be ignore or reject, not: " + s);
  }
}
