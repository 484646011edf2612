package io.github.policyscopes.keycloak.rest;

import org.jspecify.annotations.Nullable;

/** {@code first} and {@code max} query parameters of the list endpoints. */
final class Paging {

  static final int DEFAULT_MAX = 100;
  static final int MAX_MAX = 1000;

  private Paging() {}

  static int first(@Nullable String value) {
    int first = parse("first", value, 0);
    if (first < 0) {
      throw ApiError.invalidField("first", "must be 0 or more");
    }
    return first;
  }

  static int max(@Nullable String value) {
    int max = parse("max", value, DEFAULT_MAX);
    if (max < 1 || max > MAX_MAX) {
      throw ApiError.invalidField("max", "must be between 1 and " + MAX_MAX);
    }
    return max;
  }

  private static int parse(String field, @Nullable String value, int fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ApiError.invalidField(field, "must be an integer");
    }
  }
}
