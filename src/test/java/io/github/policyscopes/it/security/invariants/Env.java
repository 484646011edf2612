package io.github.policyscopes.it.security.invariants;

import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.util.Set;

/**
 * What every sequence runs against: the server (as a token client, {@code http}, and through the
 * config API, {@code api}), the operator ({@code admin}), the fixed resources, the counters, the
 * seed that reproduces a run, and the invariants {@code -Dinvariants.skip} leaves unchecked.
 */
public record Env(
    TestClient http,
    ConfigApi api,
    Admin admin,
    Fixed fx,
    Stats stats,
    String seed,
    Set<String> skip) {

  /** The fixed resources made once on the server behind {@code http}. */
  public static Env create(TestClient http, String seed, Set<String> skip) {
    Admin admin = new Admin(http);
    return new Env(http, new ConfigApi(http), admin, Fixed.create(admin), new Stats(), seed, skip);
  }
}
