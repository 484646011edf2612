package io.github.policyscopes.keycloak.token;

import java.util.Collection;
import org.jspecify.annotations.Nullable;
import org.keycloak.events.EventBuilder;

/**
 * The scope sets this extension adds to a token request's event, next to Keycloak's own details
 * ({@code scope}, {@code grant_type}, …): the scopes space-separated, and how many. Keycloak leaves
 * out an empty detail, so the count tells "none" from "not recorded".
 */
enum ScopeDetail {
  /** The scopes the token was issued with. */
  GRANTED("granted_scopes", "granted_count"),
  /** The scopes the client asked for and did not get (or that failed the request). */
  DROPPED("dropped_scopes", "dropped_count"),
  /**
   * Keycloak's default client scopes of the client that it did not ask for and the policy left out
   * ({@link io.github.policyscopes.policy.IssuanceDecision.Tally#filteredDefaults}): filtered by
   * design, not dropped; not counted.
   */
  FILTERED_DEFAULTS("filtered_default_scopes", null);

  private final String key;
  private final @Nullable String countKey;

  ScopeDetail(String key, @Nullable String countKey) {
    this.key = key;
    this.countKey = countKey;
  }

  /** Puts {@code scopes} (and their count, where this detail has one) into {@code event}. */
  void record(EventBuilder event, Collection<String> scopes) {
    event.detail(key, String.join(" ", scopes));
    if (countKey != null) {
      event.detail(countKey, String.valueOf(scopes.size()));
    }
  }
}
