package io.github.policyscopes.policy;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a new token may not exceed: {@link #NONE} for a first issuance, or the original grant for a
 * refresh or a token exchange ({@link #of}), which the requested scopes are narrowed by before the
 * policy decides.
 */
public final class Ceiling {

  /** No ceiling: a first issuance, decided by the policy alone. */
  public static final Ceiling NONE = new Ceiling(null);

  /** The original grant's scopes; null for {@link #NONE}. */
  private final @Nullable List<String> scopes;

  /** {@link #asPolicy()}, compiled the first time it is asked for. */
  private volatile @Nullable EffectivePolicy asPolicy;

  private Ceiling(@Nullable List<String> scopes) {
    this.scopes = scopes;
  }

  /** The ceiling of an original grant (refresh, exchange): exactly these scopes, maybe none. */
  public static Ceiling of(Collection<String> originalGrant) {
    return new Ceiling(List.copyOf(originalGrant));
  }

  /** Whether there is a ceiling (a refresh or exchange), as opposed to {@link #NONE}. */
  public boolean isSet() {
    return scopes != null;
  }

  /**
   * The original grant's scopes.
   *
   * @throws IllegalStateException for {@link #NONE}, which has no scopes (not even none)
   */
  public List<String> scopes() {
    if (scopes == null) {
      throw new IllegalStateException("no ceiling");
    }
    return scopes;
  }

  /**
   * The original grant as the "policy" the requested scopes are first narrowed by ({@link
   * EffectivePolicy#ofGrantedScopes}): compiled once per ceiling, however many times one request
   * decides within it (the grant wrapper, the policy mapper, the refresh token's own ceiling).
   *
   * @throws IllegalStateException for {@link #NONE}
   */
  public EffectivePolicy asPolicy() {
    EffectivePolicy compiled = asPolicy;
    if (compiled == null) {
      compiled = EffectivePolicy.ofGrantedScopes(scopes());
      asPolicy = compiled;
    }
    return compiled;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Ceiling c && Objects.equals(c.scopes, scopes);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(scopes);
  }

  @Override
  public String toString() {
    return scopes == null ? "Ceiling.NONE" : "Ceiling" + scopes;
  }
}
