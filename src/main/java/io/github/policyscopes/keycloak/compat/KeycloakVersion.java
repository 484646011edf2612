package io.github.policyscopes.keycloak.compat;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A Keycloak server version as {@code org.keycloak.common.Version.VERSION} prints it ({@code
 * 26.4.7}, {@code 26.7.3}, {@code 26.5.0-SNAPSHOT}, Red Hat's {@code 26.4.7.redhat-00001}), and
 * whether this extension supports it: every 26.x from 26.4 through 26.7. Pure: no Keycloak type.
 */
public record KeycloakVersion(int major, int minor, int micro)
    implements Comparable<KeycloakVersion> {

  /** The oldest supported version. */
  public static final KeycloakVersion OLDEST = new KeycloakVersion(26, 4, 0);

  /** The newest supported minor line: every 26.7.x. */
  public static final KeycloakVersion NEWEST_LINE = new KeycloakVersion(26, 7, 0);

  private static final Pattern FORM = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

  /** The version in {@code text}, or empty when it is not a version ({@code null}, "unknown"). */
  public static Optional<KeycloakVersion> parse(@Nullable String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORM.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      int micro = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
      return Optional.of(
          new KeycloakVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), micro));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }

  /** 26.4.0 up to and including every 26.7.x. */
  public boolean supported() {
    return compareTo(OLDEST) >= 0
        && (major < NEWEST_LINE.major
            || (major == NEWEST_LINE.major && minor <= NEWEST_LINE.minor));
  }

  @Override
  public int compareTo(KeycloakVersion other) {
    int c = Integer.compare(major, other.major);
    if (c == 0) {
      c = Integer.compare(minor, other.minor);
    }
    return c != 0 ? c : Integer.compare(micro, other.micro);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + micro;
  }
}
