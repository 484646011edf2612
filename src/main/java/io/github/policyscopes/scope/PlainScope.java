package io.github.policyscopes.scope;

import java.util.Objects;

/** A scope that is not a config scope ({@code openid}, {@code email}, {@code *.**}...). */
public record PlainScope(String text) implements Scope {

  public PlainScope {
    Objects.requireNonNull(text, "text");
  }

  @Override
  public long estimatedBytes() {
    return Footprint.object(1) + Footprint.string(text);
  }

  @Override
  public String toString() {
    return text;
  }
}
