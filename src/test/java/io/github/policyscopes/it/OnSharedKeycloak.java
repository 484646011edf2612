package io.github.policyscopes.it;

import io.github.policyscopes.it.api.ConfigApi;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What most ITs stand on, filled by {@link KeycloakServerExtension} before the class's own
 * {@code @BeforeAll}: the shared server as a token and admin client ({@link #http}), the demo
 * realm's {@link #fixtures}, and its config API ({@link #api}). An IT extends it and declares no
 * setup of its own for these.
 */
@ExtendWith(KeycloakServerExtension.class)
public abstract class OnSharedKeycloak {

  protected static TestClient http;
  protected static Fixtures fixtures;
  protected static ConfigApi api;
}
