package io.github.policyscopes.policy;

import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import io.github.policyscopes.scope.Scopes.Malformed;
import io.github.policyscopes.scope.Scopes.Valid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a token request of a policy-bound client gets: the one decision that the grant wrapper and
 * the policy mapper apply to a real request, and that the dry run ({@code
 * config/clients/{id}/evaluate}) applies without issuing anything. Nothing here is computed twice:
 * the dry run calls the same {@link #decide}, {@link #rejects} and {@link #tally}, and only adds
 * {@link #explain}, which says for each scope which entry covers it or why none does.
 */
public final class IssuanceDecision {

  /**
   * The longest {@code scope} parameter a bound client may send (and the dry run accepts): Keycloak
   * 26.7's default for the token endpoint's standard parameters ({@code
   * req-params-default-max-size}). Longer ones are {@code invalid_scope}.
   */
  public static final int MAX_SCOPE_PARAMETER = 4000;

  /** The {@code error_description} of a reject-mode refusal, before the dropped scopes. */
  public static final String REJECTED_DESCRIPTION =
      "Scopes not allowed by the client's token policy: ";

  /**
   * The most distinct deny scopes ({@code -:…}) one token request may ask for. A requested deny is
   * granted whatever the policy says, so without a limit every token could carry kilobytes of
   * caller-chosen denies, each compiled and cached by the config API (docs/adr/0024). Sixteen is
   * four times the denies any real client asks for in this project's tests and demo; a client that
   * needs more narrows its policy instead.
   */
  public static final int MAX_REQUESTED_DENIES = 16;

  private IssuanceDecision() {}

  /**
   * Why a token request is refused ({@code invalid_scope}, RFC 6749 §5.2) whatever its client's
   * policy says, or null when it is not: it asks for more than {@link #MAX_REQUESTED_DENIES}
   * distinct denies, or for a deny that is longer than a policy entry may be ({@link
   * PathPattern#MAX_LENGTH}, the limit {@link PolicyValidator} applies to entries) or otherwise
   * malformed. Such a deny is refused, never dropped: without it the token would be more powerful
   * than asked. The grant wrapper (issuance, refresh, exchange) and the dry run ask this with the
   * scopes of the request's {@code scope} parameter, before anything is decided.
   *
   * @return a sentence for {@code error_description} that names the limit
   */
  public static @Nullable String requestRefusal(@Nullable Collection<String> asked) {
    if (asked == null) {
      return null;
    }
    Set<String> denies = new HashSet<>();
    for (String s : asked) {
      if (s == null || !isDenySyntax(s) || !denies.add(s)) {
        continue;
      }
      if (s.length() > PathPattern.MAX_LENGTH) {
        return "A requested deny scope may be at most "
            + PathPattern.MAX_LENGTH
            + " characters long (one has "
            + s.length()
            + ")";
      }
      if (Scopes.tryParse(s) instanceof Malformed m) {
        return "A requested deny scope is malformed, and is refused rather than dropped: "
            + m.message();
      }
      if (denies.size() > MAX_REQUESTED_DENIES) {
        return "At most "
            + MAX_REQUESTED_DENIES
            + " deny scopes may be requested in one token request (this one asks for more)";
      }
    }
    return null;
  }

  private static boolean isDenySyntax(String s) {
    return Scope.isConfigScopeSyntax(s) && s.charAt(0) == Access.DENY.symbol();
  }

  /** How a token request ended, for metrics and for the dry run. */
  public enum Outcome {
    /** A token with every scope the client asked for. */
    GRANTED_ALL,
    /** A token without some of the scopes the client asked for (ignore mode). */
    DROPPED_SOME,
    /**
     * No token, {@code invalid_scope}: reject mode and the policy drops a requested scope, or the
     * request itself is refused ({@link #requestRefusal}, a {@code scope} parameter too long).
     */
    REJECTED,
    /** A token with no scope at all: active, and able to do nothing. */
    EMPTY,
    /**
     * No token, {@code unauthorized_client}: the policy cannot be applied to this request (a grant
     * bound clients may not use, a Keycloak the extension cannot run on, the policy's client scope
     * left out of the session), so nothing is issued.
     */
    REFUSED;

    /**
     * The tag value: {@code granted_all}, {@code dropped_some}, {@code rejected}, {@code empty},
     * {@code refused}.
     */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The granted set for the scopes Keycloak itself puts into the token (its default client scopes
   * and the requested ones it knows) plus what the client asked for: everything goes through the
   * policy as it is now, and through the original grant ({@code ceiling}) for refresh and exchange.
   */
  public static GrantResult decide(
      Collection<String> requested,
      Collection<String> keycloakScopes,
      Ceiling ceiling,
      EffectivePolicy policy) {
    Set<String> candidates = new LinkedHashSet<>(requested);
    candidates.addAll(keycloakScopes);
    return ScopeGrant.computeWithin(candidates, ceiling, policy);
  }

  /**
   * Whether the request fails with {@code invalid_scope}: the policy is in {@code reject} mode and
   * drops a scope the client asked for; {@code asked} is {@link #decide} of the asked scopes alone.
   */
  public static boolean rejects(GrantResult asked, EffectivePolicy policy) {
    return policy.mode() == DisallowedScopesMode.REJECT && asked.hasDropped();
  }

  /**
   * What one decided token request reports, the same in its event, its meters and the dry run
   * (docs/adr/0033-dropped-is-what-was-asked.md).
   *
   * @param outcome how the request ended
   * @param dropped the scopes the client asked for and did not get (for a rejection: the refused
   *     ones), in request order: the event's {@code dropped_scopes}, the meter's dropped count
   * @param filteredDefaults Keycloak's default client scopes of the client that the client did not
   *     ask for and the policy left out of the token: filtered, not dropped
   */
  public record Tally(Outcome outcome, List<String> dropped, List<String> filteredDefaults) {
    public Tally {
      dropped = List.copyOf(dropped);
      filteredDefaults = List.copyOf(filteredDefaults);
    }
  }

  /**
   * The tally of an issued token: {@code issued} is {@link #decide} of {@code asked} and the scopes
   * Keycloak adds, {@code defaults} the names of the client's default client scopes. A scope the
   * policy left out counts as dropped when the client asked for it, or when Keycloak added it
   * although it is no default client scope (an optional scope asked for at the authorization
   * endpoint, a scope of the refreshed grant); a default client scope the client did not name is
   * Keycloak's doing, filtered by the policy as designed, and never makes a request {@code
   * dropped_some}. The outcome: {@code empty} when nothing is granted, else {@code dropped_some}
   * when something asked for was dropped, else {@code granted_all}.
   */
  public static Tally tally(
      GrantResult issued, Collection<String> asked, Collection<String> defaults) {
    Set<String> askedSet = asked instanceof Set<String> set ? set : new HashSet<>(asked);
    Set<String> defaultSet = defaults instanceof Set<String> set ? set : new HashSet<>(defaults);
    List<String> dropped = new ArrayList<>();
    List<String> filtered = new ArrayList<>();
    for (String s : issued.dropped()) {
      if (askedSet.contains(s) || !defaultSet.contains(s)) {
        dropped.add(s);
      } else {
        filtered.add(s);
      }
    }
    Outcome outcome;
    if (issued.granted().isEmpty()) {
      outcome = Outcome.EMPTY;
    } else {
      outcome = dropped.isEmpty() ? Outcome.GRANTED_ALL : Outcome.DROPPED_SOME;
    }
    return new Tally(outcome, dropped, filtered);
  }

  /**
   * The tally of a request refused with {@code invalid_scope}: {@code refused} are the scopes that
   * failed it (reject mode), or none (a refusal of the request itself, {@link #requestRefusal}).
   */
  public static Tally rejected(List<String> refused) {
    return new Tally(Outcome.REJECTED, refused, List.of());
  }

  /** The tally of a request refused with {@code unauthorized_client}: nothing was decided. */
  public static Tally refused() {
    return new Tally(Outcome.REFUSED, List.of(), List.of());
  }

  /**
   * One candidate scope of the dry run.
   *
   * @param scope the scope as asked (or as Keycloak adds it)
   * @param granted whether the token would carry it
   * @param entry the allowed entry that covers it, or null (not granted, or a requested deny)
   * @param reason a sentence: which entry covers it, or why none does
   */
  public record Explained(String scope, boolean granted, @Nullable String entry, String reason) {}

  /**
   * Explains {@code result} (what {@link #decide} gave for {@code candidates}): for each candidate,
   * in order and once, whether it is granted, and the covering entry or why there is none. Whether
   * a scope is granted is read from {@code result}, never decided again.
   */
  public static List<Explained> explain(
      Collection<String> candidates, GrantResult result, EffectivePolicy policy) {
    Set<String> granted = new HashSet<>(result.granted());
    Set<String> seen = new HashSet<>();
    List<Explained> out = new ArrayList<>();
    for (String s : candidates) {
      if (s == null || s.isBlank() || !seen.add(s)) {
        continue;
      }
      boolean isGranted = granted.contains(s);
      Scopes.Parsed parsed = Scopes.tryParse(s);
      if (parsed instanceof Malformed m) {
        out.add(new Explained(s, isGranted, null, "malformed config scope: " + m.message()));
        continue;
      }
      Scope scope = ((Valid) parsed).scope();
      Scope entry = policy.coveringEntry(scope);
      if (isGranted && scope instanceof ConfigScope c && c.isDeny()) {
        out.add(new Explained(s, true, null, "a requested deny is always granted"));
      } else if (isGranted && entry != null) {
        out.add(new Explained(s, true, entry.text(), "covered by " + entry.text()));
      } else if (isGranted) {
        out.add(new Explained(s, true, null, "granted"));
      } else {
        out.add(new Explained(s, false, null, whyNot(scope, entry, policy)));
      }
    }
    return out;
  }

  /**
   * The denies the token would carry without anyone asking for them (sticky deny): the granted
   * scopes that are not candidates.
   */
  public static List<String> stickyDenies(Collection<String> candidates, GrantResult result) {
    Set<String> asked = new HashSet<>(candidates);
    return result.granted().stream().filter(s -> !asked.contains(s)).toList();
  }

  private static String whyNot(Scope scope, @Nullable Scope entry, EffectivePolicy policy) {
    if (entry != null) {
      // covered, yet not granted: only a refresh or exchange ceiling does that
      return "not within the original grant";
    }
    if (!(scope instanceof ConfigScope c)) {
      return "no allowed entry is " + scope.text();
    }
    if (policy.grants().isEmpty()) {
      return policy.broken().isEmpty()
          ? "the client's policies give no config grant"
          : "a policy bound to the client holds an invalid entry: no config grant is given";
    }
    for (ConfigScope g : policy.grants()) {
      if (g.pattern().contains(c.pattern()) && c.access() == Access.WRITE) {
        return "only read access: " + g.text() + " covers the path, not write";
      }
    }
    return "no allowed entry covers it";
  }
}
