package io.github.policyscopes.policy;

import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import io.github.policyscopes.scope.Scopes.Malformed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Validates the fields of a token policy; each problem names its field (a 400 for the API). */
public final class PolicyValidator {

  /** The longest accepted title. */
  public static final int MAX_TITLE_LENGTH = 255;

  /**
   * The largest accepted number of allowed entries. With the per-entry limits of {@link
   * io.github.policyscopes.scope.PathPattern} it bounds every check on a policy.
   */
  public static final int MAX_ALLOWED_SCOPES = 64;

  /** One invalid field, e.g. {@code allowedScopes[2]}. */
  public record FieldError(String field, String message) {}

  private PolicyValidator() {}

  /** All problems of the given policy fields; empty when the policy is valid. */
  public static List<FieldError> validate(
      String title, Collection<String> allowedScopes, Integer lifetime, String disallowedScopes) {
    List<FieldError> errors = new ArrayList<>(titleErrors(title));
    errors.addAll(entryErrors(allowedScopes));
    errors.addAll(lifetimeErrors(lifetime));
    try {
      DisallowedScopesMode.parse(disallowedScopes);
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError("disallowedScopes", "must be ignore or reject"));
    }
    return errors;
  }

  /** The problem of a title: blank, too long, or holding a control character. */
  public static List<FieldError> titleErrors(String title) {
    if (title == null || title.isBlank()) {
      return List.of(new FieldError("title", "must not be blank"));
    }
    if (title.length() > MAX_TITLE_LENGTH) {
      return List.of(
          new FieldError("title", "must be at most " + MAX_TITLE_LENGTH + " characters long"));
    }
    if (hasControlCharacter(title)) {
      return List.of(new FieldError("title", "must not contain control characters"));
    }
    return List.of();
  }

  /** The problem of an access token lifetime (null: Keycloak's normal lifetime, valid). */
  public static List<FieldError> lifetimeErrors(Integer lifetime) {
    if (lifetime != null
        && (lifetime < TokenPolicy.MIN_LIFETIME || lifetime > TokenPolicy.MAX_LIFETIME)) {
      return List.of(
          new FieldError(
              "accessTokenLifetime",
              "must be between "
                  + TokenPolicy.MIN_LIFETIME
                  + " and "
                  + TokenPolicy.MAX_LIFETIME
                  + " seconds"));
    }
    return List.of();
  }

  /** Whether {@code s} holds a control or line-breaking character (CR, LF, ESC, U+2028, …). */
  public static boolean hasControlCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)
          || c == '\u2028'
          || c == '\u2029'
          || Character.getType(c) == Character.FORMAT) {
        return true;
      }
    }
    return false;
  }

  /**
   * The problems of a list of allowed entries: its size, then each entry ({@code
   * allowedScopes[i]}); empty when every entry is valid.
   */
  public static List<FieldError> entryErrors(Collection<String> allowedScopes) {
    List<FieldError> errors = new ArrayList<>();
    if (allowedScopes == null) {
      return errors;
    }
    if (allowedScopes.size() > MAX_ALLOWED_SCOPES) {
      errors.add(
          new FieldError("allowedScopes", "must have at most " + MAX_ALLOWED_SCOPES + " entries"));
      return errors;
    }
    int i = 0;
    for (String scope : allowedScopes) {
      String problem = scopeProblem(scope);
      if (problem != null) {
        errors.add(new FieldError("allowedScopes[" + i + "]", problem));
      }
      i++;
    }
    return errors;
  }

  /** Why one allowed entry is invalid, or null. */
  static String scopeProblem(String scope) {
    if (scope == null || scope.isBlank()) {
      return "must not be blank";
    }
    if (Scope.isConfigScopeSyntax(scope)) {
      return Scopes.tryParse(scope) instanceof Malformed m ? m.message() : null;
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
