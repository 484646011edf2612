package io.github.policyscopes.access;

/** A request path that is not in canonical form; the config API answers 400 before any decision. */
public final class InvalidPathException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String reason;

  public InvalidPathException(String reason) {
    super(reason);
    this.reason = reason;
  }

  /** Why the path was refused. */
  public String reason() {
    return reason;
  }
}
