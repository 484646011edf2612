package io.github.policyscopes.keycloak.token;

import java.util.Collection;
import java.util.List;
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
    put(event, details(scopes));
  }

  /**
   * The event details of {@code scopes}, worked out once for {@link #put}: name, value, name, value
   * (the scopes, then their count where this detail has one).
   */
  List<String> details(Collection<String> scopes) {
    String joined = String.join(" ", scopes);
    return countKey == null
        ? List.of(key, joined)
        : List.of(key, joined, countKey, String.valueOf(scopes.size()));
  }

  /** Puts details made by {@link #details} (several, one after the other) into {@code event}. */
  static void put(EventBuilder event, List<String> details) {
    for (int i = 0; i + 1 < details.size(); i += 2) {
      event.detail(details.get(i), details.get(i + 1));
    }
  }
}
