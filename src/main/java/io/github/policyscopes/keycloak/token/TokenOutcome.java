package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.policy.IssuanceDecision.Tally;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the policy mapper puts into an access token and into its request's event: the decision, the
 * token's {@code scope}, and for a token request the tally and the event's details, all worked out
 * together. In a bound client's token request it is kept with the context's reading ({@link
 * ContextScopes#outcomes}) for the request's {@link Shape}, since the same shape of request in a
 * context built alike is decided alike: the decision is pure, and everything it reads is in the
 * shape or fixed with the context's reading.
 *
 * @param result the decision ({@link io.github.policyscopes.policy.IssuanceDecision#decide})
 * @param scope the token's {@code scope}: the granted scopes, space-separated; null when none
 * @param tally what counts as dropped ({@link
 *     io.github.policyscopes.policy.IssuanceDecision#tally}); null outside a token request
 * @param details the event details of the decision ({@link ScopeDetail#details}); none outside a
 *     token request
 */
record TokenOutcome(
    GrantResult result, @Nullable String scope, @Nullable Tally tally, List<String> details) {

  /**
   * The most estimated bytes of an outcome with its shape that is kept: a request of a few scopes
   * weighs about half of it; a larger one is decided afresh every time.
   */
  static final long MAX_KEPT_BYTES = 4096;

  /** The outcome of {@code result}; {@code tally} for a token request, null otherwise. */
  static TokenOutcome of(GrantResult result, @Nullable Tally tally) {
    String scope = result.scopeString();
    List<String> details = new ArrayList<>(10);
    if (tally != null) {
      details.addAll(ScopeDetail.GRANTED.details(result.granted()));
      details.addAll(ScopeDetail.DROPPED.details(tally.dropped()));
      details.addAll(ScopeDetail.FILTERED_DEFAULTS.details(tally.filteredDefaults()));
    }
    return new TokenOutcome(result, scope.isEmpty() ? null : scope, tally, List.copyOf(details));
  }

  /** The estimated bytes this retains with {@code shape}, its key. */
  long estimatedBytes(Shape shape) {
    long bytes =
        Footprint.object(4)
            + Footprint.object(2)
            + Footprint.strings(result.granted())
            + Footprint.strings(result.dropped())
            + Footprint.string(scope)
            + Footprint.strings(details);
    if (tally != null) {
      bytes +=
          Footprint.object(3)
              + Footprint.strings(tally.dropped())
              + Footprint.strings(tally.filteredDefaults());
    }
    return bytes + shape.estimatedBytes();
  }

  /**
   * What an access token's decision in a token request is made of, besides what is fixed with the
   * context's reading: the scopes Keycloak put into the token ({@code scope}, as Keycloak wrote
   * it), the request (its scopes, whether it named them, the grant it may not exceed) and the
   * client's decisions (compared by identity: the facts they came with). Equality written out, not
   * a record's (whose bootstrap-linked {@code equals} showed in a bound token's profile).
   */
  static final class Shape {

    private final @Nullable String keycloakScope;
    private final List<String> requested;
    private final boolean explicit;
    private final @Nullable List<String> ceiling;
    private final Object decisions;

    /** The most characters of Keycloak's {@code scope} in a shape whose outcome is kept. */
    static final int MAX_SCOPE_CHARS = 512;

    /**
     * The shape of a request, or null when it is too large for its outcome to be kept: Keycloak's
     * {@code scope} longer than {@value #MAX_SCOPE_CHARS} characters, or a request or ceiling of
     * more than {@value ContextScopes#MAX_GRANTED_SCOPES} scopes or {@value
     * ContextScopes#MAX_GRANTED_CHARS} characters.
     */
    static @Nullable Shape of(
        @Nullable String keycloakScope,
        List<String> requested,
        boolean explicit,
        @Nullable List<String> ceiling,
        Object decisions) {
      if ((keycloakScope != null && keycloakScope.length() > MAX_SCOPE_CHARS)
          || !ContextScopes.small(requested)
          || (ceiling != null && !ContextScopes.small(ceiling))) {
        return null;
      }
      return new Shape(keycloakScope, requested, explicit, ceiling, decisions);
    }

    private Shape(
        @Nullable String keycloakScope,
        List<String> requested,
        boolean explicit,
        @Nullable List<String> ceiling,
        Object decisions) {
      this.keycloakScope = keycloakScope;
      this.requested = requested;
      this.explicit = explicit;
      this.ceiling = ceiling;
      this.decisions = decisions;
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // the very decisions of the client's facts, on purpose
    public boolean equals(@Nullable Object o) {
      return o instanceof Shape other
          && other.decisions == decisions
          && other.explicit == explicit
          && Objects.equals(other.keycloakScope, keycloakScope)
          && other.requested.equals(requested)
          && Objects.equals(other.ceiling, ceiling);
    }

    @Override
    public int hashCode() {
      return Objects.hash(keycloakScope, requested, explicit, ceiling, decisions);
    }

    private long estimatedBytes() {
      return Footprint.object(5)
          + Footprint.string(keycloakScope)
          + Footprint.strings(requested)
          + (ceiling == null ? 0 : Footprint.strings(ceiling));
    }
  }
}
