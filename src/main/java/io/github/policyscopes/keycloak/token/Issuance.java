package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.IssuanceDecision.Tally;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
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

  /** Set for the length of every token request a grant wrapper serves, bound client or not. */
  private static final String SERVED_ATTRIBUTE = ATTRIBUTE + ".served";

  /**
   * The claim of a refresh token issued to a bound client that holds the grant a refresh may not
   * exceed. Keycloak's own {@code scope} of a refresh token is its client-scope bookkeeping, never
   * a ceiling.
   */
  static final String GRANT_CLAIM = "policy_grant";

  /**
   * The claim of a refresh token issued with an exchanged token: the subject token's expiry, which
   * no token refreshed from it may pass.
   */
  static final String NOT_AFTER_CLAIM = "policy_not_after";

  private final ClientFacts client;
  private final List<String> requested;
  private final boolean explicit;
  private final Ceiling ceiling;
  private final @Nullable Long notAfter;
  private final @Nullable EventBuilder event;
  private @Nullable GrantResult result;
  private @Nullable String clientId;
  private @Nullable Tally tally;

  /**
   * A grant whose scopes the user approved at another endpoint ({@link GrantKind.Consented}): the
   * scopes Keycloak grants from that approval are the request.
   */
  static Issuance consented(ClientFacts client, @Nullable EventBuilder event) {
    return new Issuance(client, List.of(), false, Ceiling.NONE, null, event);
  }

  /**
   * A grant whose token request names the scopes ({@link GrantKind.Requested}), or refreshes or
   * exchanges a token.
   *
   * @param client what the request read of the client at its start ({@link ClientFacts}), a bound
   *     client's: its policies merged, and the rest the request asks here instead of Keycloak's
   *     model again
   * @param requested the scopes the client asked for, or for refresh and exchange without a {@code
   *     scope} parameter, the original grant
   * @param explicit whether the client sent a {@code scope} parameter; if so, Keycloak's scopes
   *     count only where the client asked for them or they are default client scopes
   * @param ceiling for refresh and exchange, the original grant the new token may not exceed;
   *     {@link Ceiling#NONE} for a first issuance
   * @param notAfter for exchange, the subject token's expiry: the new token never outlives it
   * @param event the request's event, still open: the details land in it before it is sent; null
   *     when Keycloak gives none (then nothing is recorded in an event)
   */
  Issuance(
      ClientFacts client,
      List<String> requested,
      boolean explicit,
      Ceiling ceiling,
      @Nullable Long notAfter,
      @Nullable EventBuilder event) {
    this.client = client;
    this.requested = List.copyOf(requested);
    this.explicit = explicit;
    this.ceiling = ceiling;
    this.notAfter = notAfter;
    this.event = event;
  }

  /** The issuance of this request; null outside a policy-bound token request. */
  static @Nullable Issuance current(KeycloakSession session) {
    return (Issuance) session.getAttribute(ATTRIBUTE);
  }

  /**
   * Marks the request as served by a grant wrapper, for every client: a token of a bound client
   * issued in a token request without this mark comes from a grant the extension does not serve.
   */
  static void markServed(KeycloakSession session, String grantType) {
    session.setAttribute(SERVED_ATTRIBUTE, grantType);
  }

  /** Whether a grant wrapper serves this request ({@link #markServed}). */
  static boolean served(KeycloakSession session) {
    return session.getAttribute(SERVED_ATTRIBUTE) != null;
  }

  /** The client whose registration ceiling the grant wrapper checked in this request. */
  private static final String CEILING_CHECKED_ATTRIBUTE = ATTRIBUTE + ".ceilingChecked";

  /**
   * Marks that the grant wrapper found {@code client} still under its registration ceiling (or
   * registered under none) in this request ({@link ClientFacts#ceilingLost}).
   */
  static void markCeilingChecked(KeycloakSession session, ClientModel client) {
    session.setAttribute(CEILING_CHECKED_ATTRIBUTE, client.getId());
  }

  /** Whether {@link #markCeilingChecked} was called for {@code client} in this request. */
  static boolean ceilingChecked(KeycloakSession session, ClientModel client) {
    return client.getId().equals(session.getAttribute(CEILING_CHECKED_ATTRIBUTE));
  }

  /** Attaches this issuance of {@code client}'s token request to the request's session. */
  void attach(KeycloakSession session, ClientModel client) {
    this.clientId = client.getId();
    session.setAttribute(ATTRIBUTE, this);
  }

  /** Whether this is the issuance of {@code client}'s token request. */
  boolean isFor(ClientModel client) {
    return client.getId().equals(clientId);
  }

  static void detach(KeycloakSession session) {
    session.removeAttribute(ATTRIBUTE);
  }

  /** What the request read of the client at its start. */
  ClientFacts facts() {
    return client;
  }

  /** The client's policies merged, as read at the start of the request. */
  EffectivePolicy policy() {
    return client.decisions().policy();
  }

  /**
   * {@link io.github.policyscopes.policy.IssuanceDecision#decide} by the client's policies, kept
   * with what the request read of the client ({@link ClientFacts#decide}).
   */
  GrantResult decide(List<String> requested, List<String> keycloakScopes, Ceiling ceiling) {
    return client.decide(requested, keycloakScopes, ceiling);
  }

  /** The names of the client's default client scopes. */
  Set<String> defaultScopes() {
    return client.defaultScopes();
  }

  /**
   * What Keycloak accepts in the {@code scope} parameter of the client's requests ({@link
   * KnownScopes}), for the grant wrapper and the policy mapper alike.
   */
  Predicate<String> knownScopes() {
    return client.knownScopes();
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
  @Nullable Long notAfter() {
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
    // the original grant decided within itself: the one decision, kept with the client's facts
    return client.decide(ceiling.scopes(), List.of(), ceiling).granted();
  }

  /**
   * Writes into a refresh token of this issuance the grant a refresh may not exceed ({@value
   * #GRANT_CLAIM}) and, for an exchange, the subject token's expiry ({@value #NOT_AFTER_CLAIM}),
   * capping the refresh token's own expiry there: an exchanged token never outlives its subject,
   * through a refresh neither. Nothing before the mapper decided.
   *
   * @return whether the token was changed
   */
  boolean stamp(@Nullable RefreshToken refreshToken) {
    if (result == null || refreshToken == null) {
      return false;
    }
    refreshToken.getOtherClaims().put(GRANT_CLAIM, String.join(" ", refreshCeiling()));
    if (notAfter != null) {
      refreshToken.getOtherClaims().put(NOT_AFTER_CLAIM, notAfter);
      if (refreshToken.getExp() == null || refreshToken.getExp() > notAfter) {
        refreshToken.exp(notAfter);
      }
    }
    return true;
  }

  /**
   * What counts as dropped of the access token's decision {@code result}: {@link
   * IssuanceDecision#tally}'s, the same for the event, the meters and the dry run.
   */
  Tally tally(GrantResult result) {
    return IssuanceDecision.tally(result, requested, client.defaultScopes());
  }

  /**
   * The shape of this request's access token when Keycloak put {@code keycloakScope} into it
   * ({@link TokenOutcome.Shape}), by which its outcome is kept; null when it is too large to keep.
   */
  TokenOutcome.@Nullable Shape shape(@Nullable String keycloakScope) {
    return TokenOutcome.Shape.of(
        keycloakScope,
        requested,
        explicit,
        ceiling.isSet() ? ceiling.scopes() : null,
        client.decisions());
  }

  /**
   * Records the decision for the access token ({@link TokenOutcome#of} with {@link #tally}) and
   * puts it into the request's event (the mapper runs once per bound policy: later calls write the
   * same values again).
   */
  void record(TokenOutcome outcome) {
    this.result = outcome.result();
    this.tally = outcome.tally();
    if (event != null) {
      ScopeDetail.put(event, outcome.details());
    }
  }

  /** The tally of the token issued in this request; null before the mapper ran. */
  @Nullable Tally tally() {
    return tally;
  }

  /** The decision for the token issued in this request; null before the mapper ran. */
  @Nullable GrantResult result() {
    return result;
  }
}
