package io.github.policyscopes.policy;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.ScopeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Validates the fields of a token policy; each problem names its field (a 400 for the API). */
public final class PolicyValidator {

  /** The longest accepted title. */
  public static final int MAX_TITLE_LENGTH = 255;

  /** The largest accepted number of allowed entries (keeps coverage checks bounded). */
  public static final int MAX_ALLOWED_SCOPES = 256;

  /** One invalid field, e.g. {@code allowedScopes[2]}. */
  public record FieldError(String field, String message) {}

  private PolicyValidator() {}

  /** All problems of the given policy fields; empty when the policy is valid. */
  public static List<FieldError> validate(
      String title, Collection<String> allowedScopes, Integer lifetime, String disallowedScopes) {
    List<FieldError> errors = new ArrayList<>();
    if (title == null || title.isBlank()) {
      errors.add(new FieldError("title", "must not be blank"));
    } else if (title.length() > MAX_TITLE_LENGTH) {
      errors.add(
          new FieldError("title", "must be at most " + MAX_TITLE_LENGTH + " characters long"));
    }
    if (allowedScopes != null && allowedScopes.size() > MAX_ALLOWED_SCOPES) {
      errors.add(
          new FieldError("allowedScopes", "must have at most " + MAX_ALLOWED_SCOPES + " entries"));
    } else if (allowedScopes != null) {
      int i = 0;
      for (String scope : allowedScopes) {
        String field = "allowedScopes[" + i++ + "]";
        String problem = scopeProblem(scope);
        if (problem != null) {
          errors.add(new FieldError(field, problem));
        }
      }
    }
    if (lifetime != null
        && (lifetime < TokenPolicy.MIN_LIFETIME || lifetime > TokenPolicy.MAX_LIFETIME)) {
      errors.add(
          new FieldError(
              "accessTokenLifetime",
              "must be between "
                  + TokenPolicy.MIN_LIFETIME
                  + " and "
                  + TokenPolicy.MAX_LIFETIME
                  + " seconds"));
    }
    try {
      DisallowedScopesMode.parse(disallowedScopes);
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError("disallowedScopes", "must be ignore or reject"));
    }
    return errors;
  }

  /** Why one allowed entry is invalid, or null. */
  static String scopeProblem(String scope) {
    if (scope == null || scope.isBlank()) {
      return "must not be blank";
    }
    if (Scope.isConfigScopeSyntax(scope)) {
      try {
        ConfigScope.parse(scope);
        return null;
      } catch (ScopeParseException e) {
        return e.getMessage();
      }
    }
    if (scope.length() > PathPattern.MAX_LENGTH) {
      return "must be at most " + PathPattern.MAX_LENGTH + " characters long";
    }
    if (!isOAuthScopeToken(scope)) {
      return "\""
          + printable(scope)
          + "\" is not a valid OAuth scope (RFC 6749 §3.3: visible ASCII except '\"' and '\\')";
    }
    return null;
  }

  /** RFC 6749 §3.3: {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}. */
  public static boolean isOAuthScopeToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(s.length(), 100); i++) {
      char c = s.charAt(i);
      out.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}
