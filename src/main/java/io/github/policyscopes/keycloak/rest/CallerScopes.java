package io.github.policyscopes.keycloak.rest;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PlainScope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
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
 * claim is compiled once per distinct string (a bounded Caffeine cache), and what it is worth under
 * a client's current policy is kept with it, per policy version ({@link PolicyStore#effectiveFor}
 * hands out one {@link EffectivePolicy} instance per policy content, so a changed policy is a new
 * key and an outdated answer is never served). A token seen before costs two cache lookups and no
 * allocation.
 */
public final class CallerScopes {

  /** How many distinct scope claims are kept compiled. */
  static final int MAX_CACHED = 4096;

  /** How many policy versions one scope claim remembers (usually one: one client's). */
  static final int MAX_POLICIES_PER_CLAIM = 8;

  private static final LoadingCache<String, Compiled> CACHE =
      Caffeine.newBuilder().maximumSize(MAX_CACHED).build(Compiled::new);

  private CallerScopes() {}

  /** A scope claim compiled once, with what it is worth under the policies it was met with. */
  private static final class Compiled {
    final ScopeSet token;
    final ScopeSet withoutGrants;
    final ConcurrentHashMap<EffectivePolicy, ScopeSet> within = new ConcurrentHashMap<>(4);

    Compiled(String claim) {
      this.token = ScopeSet.parse(claim);
      this.withoutGrants = CallerScopes.withoutGrants(token);
    }

    ScopeSet under(EffectivePolicy policy) {
      ScopeSet known = within.get(policy); // by identity: one instance per policy version
      if (known != null) {
        return known;
      }
      if (within.size() >= MAX_POLICIES_PER_CLAIM) {
        within.clear(); // old policy versions: bounded, recomputed on demand
      }
      return within.computeIfAbsent(policy, p -> CallerScopes.within(token, p));
    }
  }

  /** The token's {@code scope} claim compiled (cached): what it carries, before any policy. */
  public static ScopeSet token(String scopeClaim) {
    return CACHE.get(scopeClaim == null ? "" : scopeClaim).token;
  }

  /** The caller's effective scopes for a token of {@code client} carrying {@code scopeClaim}. */
  static ScopeSet forClient(String scopeClaim, ClientModel client) {
    return effective(scopeClaim, client == null ? null : PolicyStore.effectiveFor(client));
  }

  /**
   * The effective scopes of a token carrying {@code scopeClaim} whose client's current policy is
   * {@code policy} ({@link PolicyStore#effectiveFor}: null for a client no policy governs, no
   * config grant for a public client or a broken policy). What {@link BearerGuard} decides with on
   * every request; allocation-free for a claim and policy seen before.
   */
  public static ScopeSet effective(String scopeClaim, EffectivePolicy policy) {
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
    if (!kept.isEmpty()) {
      // sticky deny, as at issuance: with any config grant come all of the policy's denies
      policy.denies().forEach(deny -> kept.add(deny.text()));
    }
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
