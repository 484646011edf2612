package io.github.policyscopes.keycloak.rest;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The audiences a token must name to be accepted at the config API (docs/adr/0026, RFC 9068 §4, RFC
 * 8707). When an operator configured audiences for the API ({@value #OPTION}, e.g. {@code
 * --spi-realm-restapi-extension--config--audience=config-api}), a token must name one of them: its
 * own client is not enough, since the policy mapper puts the client into {@code aud} of every token
 * it governs (ADR 0006), those meant for other resource servers too. With none configured, a token
 * must name the client it was issued to ({@code azp}): a token exchanged with {@code
 * audience=other-service} does not. The residual risk of that default (a token a client addresses
 * to another service as well can be replayed by that service) is why the option exists.
 *
 * @param configured the configured audiences of the API; empty when none is set
 */
record ApiAudience(Set<String> configured) {

  /** The option of the config resource provider that names the API's own audiences. */
  static final String OPTION = "audience";

  /** None configured: a token that names its own client is accepted. */
  static final ApiAudience CLIENT_ONLY = new ApiAudience(Set.of());

  ApiAudience {
    configured = Set.copyOf(configured);
  }

  /** From the option's values (a comma-separated list); blanks are ignored. */
  static ApiAudience of(@Nullable String @Nullable [] values) {
    if (values == null) {
      return CLIENT_ONLY;
    }
    return new ApiAudience(
        Arrays.stream(values)
            .filter(Objects::nonNull)
            .map(String::trim)
            .filter(value -> !value.isEmpty())
            .collect(Collectors.toSet()));
  }

  /**
   * Whether a token with audience {@code aud} (null when it has none), issued to {@code clientId},
   * is one for the API.
   */
  boolean accepts(@Nullable String @Nullable [] aud, String clientId) {
    if (aud == null) {
      return false;
    }
    for (String value : aud) {
      if (value != null
          && (configured.isEmpty() ? value.equals(clientId) : configured.contains(value))) {
        return true;
      }
    }
    return false;
  }
}
