package io.github.policyscopes.keycloak.token;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A value read from Keycloak's model at most once, and only when asked for: one token request reads
 * a client's optional client scopes for several purposes. Not thread-safe: it lives in one request.
 *
 * @param <T> the value
 */
final class Once<T> implements Supplier<T> {

  private final Supplier<T> read;
  private @Nullable T value;

  Once(Supplier<T> read) {
    this.read = read;
  }

  @Override
  public T get() {
    T v = value;
    if (v == null) {
      v = read.get();
      value = v;
    }
    return v;
  }
}
