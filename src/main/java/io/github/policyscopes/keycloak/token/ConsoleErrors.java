package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.policy.PolicyValidator.FieldError;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.keycloak.protocol.ProtocolMapperConfigException;

/** A policy the admin console refuses to save, said as the console shows it. */
final class ConsoleErrors {

  private static final Pattern ENTRY = Pattern.compile("allowedScopes\\[(\\d{1,9})]");

  private ConsoleErrors() {}

  /**
   * The console shows the exception message ("error") in the alert's title and the key's text,
   * "Invalid token policy: {0}" with the message, as its description ("error_description"). Were
   * the key ever missing, Keycloak would use the message itself as a MessageFormat pattern: what
   * MessageFormat would read is quoted, so that a scope with ' or { is no 500.
   */
  static ProtocolMapperConfigException invalidPolicy(List<FieldError> errors) {
    String message =
        errors.stream()
            .map(e -> consoleField(e.field()) + ": " + e.message())
            .collect(Collectors.joining("; "));
    String formatSafe = message.replace("'", "''").replace("{", "'{'").replace("}", "'}'");
    return new ProtocolMapperConfigException(
        TokenPolicyMapper.INVALID_POLICY_KEY, formatSafe, message);
  }

  /**
   * A field as the console names it, counting entries from one as the console shows them: {@code
   * allowedScopes[0]} is "Allowed scopes, entry 1". (The config API's JSON errors keep the JSON
   * index.)
   */
  static String consoleField(String field) {
    Matcher entry = ENTRY.matcher(field);
    return entry.matches()
        ? "Allowed scopes, entry " + (Long.parseLong(entry.group(1)) + 1)
        : field;
  }
}
