package io.github.policyscopes.keycloak.rest;

/**
 * An input of a config API write that passed every check that needs no lock: its shape, its counts
 * and lengths, the resources it names and whether the caller may name them (docs/adr/0025). {@link
 * Writes#inTransaction} takes only this, so the compiler shows that a write validates before it
 * takes a write lock or claims a revision row: what runs under the lock is bounded by what these
 * checks let through, never by what a request sent. It also names what the write holds while it
 * runs ({@link Writes.Keys}): the member it writes and the unique values its body claims.
 *
 * <p>Only the lock-free checks make one: {@link #id} for a member named in the path, and a
 * collection's {@code check} for a body ({@link ResourceCollection#check}; an architecture test
 * holds this).
 *
 * @param <T> the checked value
 */
final class Checked<T> {

  /**
   * The longest id Keycloak stores for a client or a client scope (its {@code ID} columns are
   * {@code VARCHAR(36)}): a longer one names nothing.
   */
  static final int MAX_ID = 36;

  private final T value;
  private final Writes.Keys keys;

  private Checked(T value, Writes.Keys keys) {
    this.value = value;
    this.keys = keys;
  }

  T value() {
    return value;
  }

  /** What the write of this input holds while it runs ({@link Writes#inTransaction}). */
  Writes.Keys keys() {
    return keys;
  }

  /** Whether {@code id} could be a Keycloak id at all: 1-{@value #MAX_ID} characters. */
  static boolean possibleId(String id) {
    return !id.isEmpty() && id.length() <= MAX_ID;
  }

  /**
   * A member's id from the path: one Keycloak could hold, else 404 before any lock (the answer for
   * any id that names nothing). Its write holds {@code keys} (the member, {@link
   * Writes.Keys#member}, or more).
   */
  static Checked<String> id(String id, String notFound, Writes.Keys keys) {
    if (!possibleId(id)) {
      throw ApiError.notFound(notFound);
    }
    return new Checked<>(id, keys);
  }

  /**
   * A body a collection's lock-free check accepted ({@link ResourceCollection#check}), with the
   * unique values it claims in the realm (a policy's title and scope name), or the whole realm.
   */
  static <T> Checked<T> body(T input, Writes.Keys keys) {
    return new Checked<>(input, keys);
  }

  /** This input, held together with what {@code other} holds (a body and the member it writes). */
  Checked<T> and(Checked<?> other) {
    return new Checked<>(value, keys.and(other.keys));
  }
}
