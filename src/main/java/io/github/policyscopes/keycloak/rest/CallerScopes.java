package io.github.policyscopes.keycloak.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PlainScope;
import java.util.ArrayList;
import java.util.List;
import org.keycloak.models.ClientModel;

/**
 * SPEC §7 I14, power is what the policy gives now: at the API, a token's config grants count only
 * as far as the token's client ({@code azp}) is bound, at request time, to policies that cover
 * them: each grant counts only as far as a current policy grant reaches ({@link #within}); the rest
 * is ignored (a policy narrowed or unbound after the token was issued, or a client scope that
 * merely looks like a config scope on an unbound client); the token's denies stay and, with any
 * grant left, the current policies' denies are added (the sticky deny). A public client, or a
 * client no policy governs, has no config power at all.
 *
 * <p>Results are cached per (scope claim, the client's policies as stored): a changed policy is a
 * different key, so the cache never serves an outdated answer; the cache is bounded.
 */
final class CallerScopes {

  static final int MAX_CACHED = 4096;

  /** A scope claim met with one version of a client's effective policy (cached by identity). */
  private record Key(String scope, EffectivePolicy policy) {}

  private static final Cache<Key, ScopeSet> CACHE =
      Caffeine.newBuilder().maximumSize(MAX_CACHED).build();

  private CallerScopes() {}

  /**
   * The caller's effective scopes; {@code tokenScopes} is {@code scopeClaim} compiled. What the
   * client's tokens may carry now is {@link PolicyStore#effectiveFor}, the same answer issuance
   * uses: none for an unbound client, no config grant for a public one or a broken policy.
   */
  static ScopeSet effective(String scopeClaim, ScopeSet tokenScopes, ClientModel client) {
    EffectivePolicy policy = client == null ? null : PolicyStore.effectiveFor(client);
    if (policy == null || policy.grants().isEmpty()) {
      return withoutGrants(tokenScopes);
    }
    return CACHE.get(
        new Key(scopeClaim == null ? "" : scopeClaim, policy), k -> within(tokenScopes, policy));
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
