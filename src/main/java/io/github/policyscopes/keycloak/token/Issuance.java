package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.List;
import java.util.Set;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.RefreshToken;

/**
 * One token request of a policy-bound client, from the grant wrapper (which knows what was asked)
 * to the policy mapper (which knows what Keycloak is about to issue) and back to the wrapper (which
 * writes the same granted set into the response). Kept as a session attribute for the length of the
 * request.
 */
final class Issuance {

  private static final String ATTRIBUTE = Issuance.class.getName();

  /** Event detail keys, next to Keycloak's own ({@code scope}, {@code grant_type}, …). */
  static final String GRANTED_DETAIL = "granted_scopes";

  static final String DROPPED_DETAIL = "dropped_scopes";

  static final String GRANTED_COUNT_DETAIL = "granted_count";
  static final String DROPPED_COUNT_DETAIL = "dropped_count";

  private final EffectivePolicy policy;
  private final Set<String> defaultScopes;
  private final List<String> requested;
  private final boolean explicit;
  private final Ceiling ceiling;
  private final Long notAfter;
  private final EventBuilder event;
  private GrantResult result;

  /**
   * @param policy the client's policies, merged, as read at the start of the request
   * @param defaultScopes the names of the client's default client scopes
   * @param requested the scopes the client asked for, or for refresh and exchange without a {@code
   *     scope} parameter, the original grant
   * @param explicit whether the client sent a {@code scope} parameter; if so, Keycloak's scopes
   *     count only where the client asked for them or they are default client scopes
   * @param ceiling for refresh and exchange, the original grant the new token may not exceed;
   *     {@link Ceiling#NONE} for a first issuance
   * @param notAfter for exchange, the subject token's expiry: the new token never outlives it
   * @param event the request's event, still open: the details land in it before it is sent
   */
  Issuance(
      EffectivePolicy policy,
      Set<String> defaultScopes,
      List<String> requested,
      boolean explicit,
      Ceiling ceiling,
      Long notAfter,
      EventBuilder event) {
    this.policy = policy;
    this.defaultScopes = Set.copyOf(defaultScopes);
    this.requested = List.copyOf(requested);
    this.explicit = explicit;
    this.ceiling = ceiling;
    this.notAfter = notAfter;
    this.event = event;
  }

  static Issuance current(KeycloakSession session) {
    return (Issuance) session.getAttribute(ATTRIBUTE);
  }

  void attach(KeycloakSession session) {
    session.setAttribute(ATTRIBUTE, this);
  }

  static void detach(KeycloakSession session) {
    session.removeAttribute(ATTRIBUTE);
  }

  EffectivePolicy policy() {
    return policy;
  }

  Set<String> defaultScopes() {
    return defaultScopes;
  }

  List<String> requested() {
    return requested;
  }

  boolean explicit() {
    return explicit;
  }

  Ceiling ceiling() {
    return ceiling;
  }

  /** The expiry the new token may not pass (exchange), or null. */
  Long notAfter() {
    return notAfter;
  }

  /**
   * The grant a refresh token issued now may not exceed later: the original grant (for a refresh,
   * the presented one) decided by the policy as it is now, never narrowed by this request's {@code
   * scope} (Keycloak keeps a refresh token's scope when one access token is narrowed).
   */
  List<String> refreshCeiling() {
    if (!ceiling.isSet()) {
      return result == null ? List.of() : result.granted();
    }
    return ScopeGrant.computeWithin(ceiling.scopes(), ceiling, policy).granted();
  }

  /**
   * Writes into a refresh token of this issuance the grant a refresh may not exceed ({@value
   * PolicyBoundGrantType#GRANT_CLAIM}) and, for an exchange, the subject token's expiry ({@value
   * PolicyBoundGrantType#NOT_AFTER_CLAIM}), capping the refresh token's own expiry there: an
   * exchanged token never outlives its subject, through a refresh neither. Nothing before the
   * mapper decided.
   *
   * @return whether the token was changed
   */
  boolean stamp(RefreshToken refreshToken) {
    if (result == null || refreshToken == null) {
      return false;
    }
    refreshToken
        .getOtherClaims()
        .put(PolicyBoundGrantType.GRANT_CLAIM, String.join(" ", refreshCeiling()));
    if (notAfter != null) {
      refreshToken.getOtherClaims().put(PolicyBoundGrantType.NOT_AFTER_CLAIM, notAfter);
      if (refreshToken.getExp() == null || refreshToken.getExp() > notAfter) {
        refreshToken.exp(notAfter);
      }
    }
    return true;
  }

  /**
   * Records the decision for the access token and puts it into the request's event (the mapper runs
   * once per bound policy: later calls write the same values again).
   */
  void record(GrantResult result) {
    this.result = result;
    if (event != null) {
      // Keycloak leaves out empty details: the counts tell "nothing granted" from "not recorded"
      event.detail(GRANTED_DETAIL, result.scopeString());
      event.detail(GRANTED_COUNT_DETAIL, String.valueOf(result.granted().size()));
      event.detail(DROPPED_DETAIL, String.join(" ", result.dropped()));
      event.detail(DROPPED_COUNT_DETAIL, String.valueOf(result.dropped().size()));
    }
  }

  /** The decision for the token issued in this request; null before the mapper ran. */
  GrantResult result() {
    return result;
  }
}
