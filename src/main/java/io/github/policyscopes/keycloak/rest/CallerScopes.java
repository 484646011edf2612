package io.github.policyscopes.keycloak.rest;

import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Footprint;
import io.github.policyscopes.scope.PlainScope;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;

/**
 * Invariant I14, power is what the policy gives now: at the API, a token's config grants count only
 * as far as the token's client ({@code azp}) is bound, at request time, to policies that cover
 * them: each grant counts only as far as a current policy grant reaches ({@link #within}); the rest
 * is ignored (a policy narrowed or unbound after the token was issued, or a client scope that
 * merely looks like a config scope on an unbound client); the token's denies stay and, with any
 * grant left, the current policies' denies are added (the sticky deny). A public client, or a
 * client no policy governs, has no config power at all.
 *
 * <p>This is the hot path of every config API request, so nothing here is computed twice: a scope
 * claim is compiled once per distinct string (a Caffeine cache), and what it is worth under a
 * client's current policy is kept with it, per policy version ({@link PolicyStore#effectiveFor}
 * hands out one {@link EffectivePolicy} instance per policy content, so a changed policy is a new
 * key and an outdated answer is never served). A token seen before costs two cache lookups and no
 * allocation.
 *
 * <p>The cache is bounded by weight, not by count ({@link CacheBudget#CALLER_SCOPES_BYTES}): any
 * bound client's token carries caller-chosen denies, so one entry may be large. An entry is
 * immutable and weighs, conservatively, its claim, its compiled sets and each remembered policy
 * answer ({@link #weight}); remembering a new answer replaces the entry, so the weight is always
 * the entry's own. A remembered policy is held weakly: an entry never keeps an outdated policy
 * alive.
 */
public final class CallerScopes {

  /** How many policy versions one scope claim remembers (usually one: one client's). */
  static final int MAX_POLICIES_PER_CLAIM = 4;

  private static final LoadingCache<String, Compiled> CACHE =
      CacheBudget.weighed(CacheBudget.CALLER_SCOPES_BYTES, Compiled::new, e -> e.value().weight);

  private CallerScopes() {}

  /**
   * A scope claim compiled once, with what it is worth under the policies it was met with. Never
   * changed once built: {@link #under} with a new policy puts a new one in the cache.
   */
  private static final class Compiled {
    final String claim;
    final ScopeSet token;
    final ScopeSet withoutGrants;
    final WeakReference<?>[] policies;
    final ScopeSet[] answers;

    /** The estimated bytes it retains (the key included): its weight in the cache. */
    final long weight;

    Compiled(String claim) {
      this(claim, ScopeSet.parse(claim), null, new WeakReference<?>[0], new ScopeSet[0]);
    }

    private Compiled(
        String claim,
        ScopeSet token,
        @Nullable ScopeSet withoutGrants,
        WeakReference<?>[] policies,
        ScopeSet[] answers) {
      this.claim = claim;
      this.token = token;
      this.withoutGrants =
          withoutGrants != null ? withoutGrants : CallerScopes.withoutGrants(token);
      this.policies = policies;
      this.answers = answers;
      this.weight = weight(claim, token, this.withoutGrants, answers);
    }

    ScopeSet under(EffectivePolicy policy) {
      for (int i = 0; i < policies.length; i++) {
        if (policies[i].get() == policy) { // by identity: one instance per policy version
          return answers[i];
        }
      }
      ScopeSet answer = CallerScopes.within(token, policy, withoutGrants);
      // remember it with at most MAX_POLICIES_PER_CLAIM - 1 of the newest live others
      List<WeakReference<?>> keptPolicies = new ArrayList<>();
      List<ScopeSet> keptAnswers = new ArrayList<>();
      keptPolicies.add(new WeakReference<>(policy));
      keptAnswers.add(answer);
      for (int i = 0; i < policies.length && keptPolicies.size() < MAX_POLICIES_PER_CLAIM; i++) {
        if (policies[i].get() != null) {
          keptPolicies.add(policies[i]);
          keptAnswers.add(answers[i]);
        }
      }
      CACHE.put(
          claim,
          new Compiled(
              claim,
              token,
              withoutGrants,
              keptPolicies.toArray(WeakReference<?>[]::new),
              keptAnswers.toArray(ScopeSet[]::new)));
      return answer;
    }
  }

  /**
   * The weight of a compiled claim: the claim, the compiled token, its grant-free copy (when it is
   * one) and each remembered answer (when it is not that copy), each counted as if nothing were
   * shared, plus the entry's own arrays and weak references.
   */
  static long weight(String claim, ScopeSet token, ScopeSet withoutGrants, ScopeSet[] answers) {
    long bytes = Footprint.object(6) + Footprint.string(claim) + token.estimatedBytes();
    if (withoutGrants != token) {
      bytes += withoutGrants.estimatedBytes();
    }
    bytes += 2 * Footprint.refArray(answers.length);
    for (ScopeSet answer : answers) {
      bytes += Footprint.object(4); // its weak reference
      if (answer != withoutGrants && answer != token) {
        bytes += answer.estimatedBytes();
      }
    }
    return bytes;
  }

  /** The estimated bytes of the cache now (after pending evictions), for tests and benchmarks. */
  public static long weightedSize() {
    CACHE.cleanUp();
    return CACHE.policy().eviction().orElseThrow().weightedSize().orElseThrow();
  }

  /** How many claims the cache holds now (after pending evictions). */
  public static long size() {
    CACHE.cleanUp();
    return CACHE.estimatedSize();
  }

  /** Forgets every compiled claim (tests and benchmarks). */
  public static void clear() {
    CACHE.invalidateAll();
    CACHE.cleanUp();
  }

  /** The token's {@code scope} claim compiled (cached): what it carries, before any policy. */
  public static ScopeSet token(@Nullable String scopeClaim) {
    return CACHE.get(scopeClaim == null ? "" : scopeClaim).token;
  }

  /** The caller's effective scopes for a token of {@code client} carrying {@code scopeClaim}. */
  static ScopeSet forClient(@Nullable String scopeClaim, @Nullable ClientModel client) {
    return effective(scopeClaim, client == null ? null : PolicyStore.effectiveFor(client));
  }

  /**
   * The effective scopes of a token carrying {@code scopeClaim} whose client's current policy is
   * {@code policy} ({@link PolicyStore#effectiveFor}: null for a client no policy governs, no
   * config grant for a public client or a broken policy). What {@link BearerGuard} decides with on
   * every request; allocation-free for a claim and policy seen before.
   */
  public static ScopeSet effective(@Nullable String scopeClaim, @Nullable EffectivePolicy policy) {
    Compiled compiled = CACHE.get(scopeClaim == null ? "" : scopeClaim);
    if (policy == null || policy.grants().isEmpty()) {
      return compiled.withoutGrants;
    }
    return compiled.under(policy);
  }

  /**
   * The token's grants met with the policy's: for a token grant G and a policy grant P whose
   * patterns nest, the narrower pattern with the lesser access (a token's {@code
   * *:config/clients/**} under a policy narrowed to {@code .:config/clients/**} still reads; under
   * {@code *:config/clients/abc} it writes that client only). Patterns that merely overlap give
   * nothing (fail closed). So every effective grant is within the token and within the policy. Then
   * the token's denies and, with any grant left, the policy's denies; the plain scopes as they are.
   */
  static ScopeSet within(ScopeSet tokenScopes, EffectivePolicy policy) {
    return within(tokenScopes, policy, withoutGrants(tokenScopes));
  }

  /**
   * As {@link #within(ScopeSet, EffectivePolicy)}; {@code withoutGrants} is the token without its
   * grants, the answer (the same instance, nothing compiled twice) when no grant counts.
   */
  private static ScopeSet within(
      ScopeSet tokenScopes, EffectivePolicy policy, ScopeSet withoutGrants) {
    List<String> kept = new ArrayList<>();
    for (ConfigScope grant : tokenScopes.grants()) {
      if (policy.covers(grant)) {
        kept.add(grant.text());
        continue;
      }
      for (ConfigScope allowed : policy.grants()) {
        Access access =
            grant.access() == Access.WRITE && allowed.access() == Access.WRITE
                ? Access.WRITE
                : Access.READ;
        if (allowed.pattern().contains(grant.pattern())) {
          kept.add(access.symbol() + ":" + grant.pattern());
        } else if (grant.pattern().contains(allowed.pattern())) {
          kept.add(access.symbol() + ":" + allowed.pattern());
        }
      }
    }
    if (kept.isEmpty()) {
      return withoutGrants; // the token's denies and plain scopes, as compiled already
    }
    // sticky deny, as at issuance: with any config grant come all of the policy's denies
    policy.denies().forEach(deny -> kept.add(deny.text()));
    tokenScopes.denies().forEach(deny -> kept.add(deny.text()));
    tokenScopes.plain().forEach(plain -> kept.add(plain.text()));
    return ScopeSet.of(kept);
  }

  private static ScopeSet withoutGrants(ScopeSet tokenScopes) {
    if (tokenScopes.grants().isEmpty()) {
      return tokenScopes;
    }
    List<String> kept = new ArrayList<>();
    tokenScopes.denies().forEach(deny -> kept.add(deny.text()));
    tokenScopes.plain().stream().map(PlainScope::text).forEach(kept::add);
    return ScopeSet.of(kept);
  }
}
