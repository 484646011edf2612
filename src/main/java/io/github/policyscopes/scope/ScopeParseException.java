package io.github.policyscopes.scope;

/**
 * A malformed config scope or path pattern: the input, the 0-based position of the problem and the
 * reason. Parsing any string yields a value or this exception, never anything else.
 */
public final class ScopeParseException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** Why a config scope does not parse. */
  public enum Reason {
    EMPTY_PATH("empty path"),
    EMPTY_SEGMENT("empty path segment"),
    INVALID_CHARACTER("character not allowed in a path"),
    CONTROL_CHARACTER("control character"),
    NON_ASCII_CHARACTER("non-ASCII character"),
    INVALID_WILDCARD("\"**\" must be a whole segment and \"***\" is not allowed"),
    INVALID_ACCESS("a config scope starts with \"*:\", \".:\" or \"-:\""),
    TOO_LONG("too long (at most " + PathPattern.MAX_LENGTH + " characters)"),
    TOO_MANY_SEGMENTS("too many segments (at most " + PathPattern.MAX_SEGMENTS + ")"),
    TOO_MANY_WILDCARDS("too many wildcards (at most " + PathPattern.MAX_WILDCARDS + ")");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    /** The human-readable text of this reason. */
    public String message() {
      return message;
    }
  }

  private final String input;
  private final int position;
  private final Reason reason;

  public ScopeParseException(String input, int position, Reason reason) {
    super(format(input, position, reason));
    this.input = input;
    this.position = position;
    this.reason = reason;
  }

  /** The input, the reason and the position, in words; never null. */
  @Override
  public String getMessage() {
    return format(input, position, reason);
  }

  /** The string that failed to parse. */
  public String input() {
    return input;
  }

  /** The 0-based index of the offending character in {@link #input()}. */
  public int position() {
    return position;
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }

  private static String format(String input, int position, Reason reason) {
    return "\"" + printable(input) + "\": " + reason.message() + " at position " + position;
  }

  /** Quotes control and non-ASCII characters so that a message never carries them raw. */
  private static String printable(String s) {
    int limit = Math.min(s.length(), 200);
    StringBuilder out = new StringBuilder(limit + 8);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (limit < s.length()) {
      out.append("...");
    }
    return out.toString();
  }
}
