package io.github.policyscopes.scope;

/** The access a config scope grants, written as the scope's first character. */
public enum Access {
  /** {@code .}: read only ({@code GET}, {@code HEAD}). */
  READ('.'),
  /** {@code *}: read and write. */
  WRITE('*'),
  /** {@code -}: takes away what any other scope grants. */
  DENY('-');

  private final char symbol;

  Access(char symbol) {
    this.symbol = symbol;
  }

  /** The character that introduces a config scope with this access. */
  public char symbol() {
    return symbol;
  }

  /**
   * The access for a symbol.
   *
   * @throws IllegalArgumentException for any other character
   */
  public static Access ofSymbol(char symbol) {
    return switch (symbol) {
      case '.' -> READ;
      case '*' -> WRITE;
      case '-' -> DENY;
      default -> throw new IllegalArgumentException("not an access symbol: '" + symbol + "'");
    };
  }

  /** Whether this access grants something (read or write), as opposed to deny. */
  public boolean isGrant() {
    return this != DENY;
  }

  /** Whether this access grants at least {@code other}: write includes read, deny includes none. */
  public boolean includes(Access other) {
    return switch (this) {
      case WRITE -> other == WRITE || other == READ;
      case READ -> other == READ;
      case DENY -> false;
    };
  }
}
