package io.github.policyscopes.policy;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Footprint;
import io.github.policyscopes.scope.PlainScope;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The policies bound to one client, merged: allowed lists united, deny entries of any of them
 * apply, {@code reject} if any policy rejects, the shortest lifetime of those that set one.
 *
 * <p>Denies fail closed: when any merged policy holds an entry that is not valid (does not parse,
 * or exceeds the limits, however it was stored), the merged policy grants no config scope at all;
 * its plain scopes and its well-formed denies still apply. A broken deny must never turn into more
 * power.
 */
public final class EffectivePolicy {

  private final List<Scope> allowed;
  private final List<ConfigScope> grants;
  private final List<ConfigScope> denies;
  private final Set<String> plain;
  private final DisallowedScopesMode mode;
  private final @Nullable Integer accessTokenLifetime;
  private final List<String> broken;

  private EffectivePolicy(
      Collection<String> entries,
      @Nullable DisallowedScopesMode mode,
      @Nullable Integer accessTokenLifetime,
      List<String> broken) {
    List<Scope> allowed = new ArrayList<>();
    List<ConfigScope> grants = new ArrayList<>();
    List<ConfigScope> denies = new ArrayList<>();
    Set<String> plain = new LinkedHashSet<>();
    for (Scope scope : Scopes.wellFormed(entries)) {
      if (scope instanceof ConfigScope c) {
        if (c.isDeny()) {
          if (!denies.contains(c)) {
            denies.add(c);
          }
        } else if (broken.isEmpty()) {
          grants.add(c);
        } else {
          continue; // fail closed: a broken policy grants no config scope
        }
      } else {
        plain.add(((PlainScope) scope).text());
      }
      allowed.add(scope);
    }
    this.allowed = List.copyOf(allowed);
    this.grants = List.copyOf(grants);
    this.denies = List.copyOf(denies);
    this.plain = Set.copyOf(plain);
    this.mode = mode == null ? DisallowedScopesMode.IGNORE : mode;
    this.accessTokenLifetime = accessTokenLifetime;
    this.broken = List.copyOf(broken);
  }

  /** Merges the policies bound to a client (none: allows nothing). */
  public static EffectivePolicy merge(@Nullable Collection<TokenPolicy> policies) {
    List<String> entries = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    DisallowedScopesMode mode = DisallowedScopesMode.IGNORE;
    Integer lifetime = null;
    if (policies != null) {
      for (TokenPolicy p : policies) {
        if (p == null) {
          continue;
        }
        if (!PolicyValidator.entryErrors(p.allowedScopes()).isEmpty()) {
          broken.add(p.title() == null ? String.valueOf(p.id()) : p.title());
        }
        entries.addAll(p.allowedScopes());
        if (p.disallowedScopes() == DisallowedScopesMode.REJECT) {
          mode = DisallowedScopesMode.REJECT;
        }
        Integer l = p.accessTokenLifetime();
        if (l != null && (lifetime == null || l < lifetime)) {
          lifetime = l;
        }
      }
    }
    return new EffectivePolicy(entries, mode, lifetime, broken);
  }

  /** A policy from explicit parts. */
  public static EffectivePolicy of(
      @Nullable Collection<String> allowedScopes,
      @Nullable DisallowedScopesMode mode,
      @Nullable Integer accessTokenLifetime) {
    return new EffectivePolicy(
        allowedScopes == null ? List.of() : allowedScopes, mode, accessTokenLifetime, List.of());
  }

  /**
   * This policy without its config grants: what a public client may use (config power is for
   * confidential clients). Plain scopes, denies, mode and lifetime stay.
   */
  public EffectivePolicy withoutConfigGrants() {
    if (grants.isEmpty()) {
      return this;
    }
    List<String> kept = new ArrayList<>();
    for (Scope s : allowed) {
      if (!(s instanceof ConfigScope c) || c.isDeny()) {
        kept.add(s.text());
      }
    }
    return new EffectivePolicy(kept, mode, accessTokenLifetime, broken);
  }

  /**
   * A conservative estimate of the heap this merged policy retains, in bytes ({@link Footprint}):
   * its entries compiled, its lists and set, and the titles of broken policies. What the cache of
   * merged policies weighs.
   */
  public long estimatedBytes() {
    long bytes = Footprint.object(7);
    bytes += Footprint.list(allowed.size()) + Footprint.list(grants.size());
    bytes += Footprint.list(denies.size()) + Footprint.hashed(plain.size());
    for (Scope s : allowed) {
      bytes += s.estimatedBytes(); // plain texts are shared with the set
    }
    return bytes + Footprint.strings(broken);
  }

  /**
   * The titles of the merged policies that hold an invalid entry; when not empty, this policy
   * grants no config scope (it fails closed).
   */
  public List<String> broken() {
    return broken;
  }

  /**
   * The "policy" an original grant stands for when a token is refreshed or exchanged: it allows
   * exactly the original scopes (so a {@code scope} parameter can only narrow), mode ignore. Its
   * denies are the original's denies, so they come back as sticky denies.
   */
  public static EffectivePolicy ofGrantedScopes(Collection<String> originalGrant) {
    return of(originalGrant, DisallowedScopesMode.IGNORE, null);
  }

  /** Whether some allowed entry covers {@code requested} (plain: equal; config: covers). */
  public boolean covers(Scope requested) {
    return coveringEntry(requested) != null;
  }

  /**
   * The allowed entry that covers {@code requested}: for a config scope the first config grant that
   * covers it, for a plain scope the equal entry; null when none does. The one coverage rule of
   * issuance, the API and the dry run. Allocation-free.
   */
  public @Nullable Scope coveringEntry(Scope requested) {
    if (requested instanceof ConfigScope c) {
      for (ConfigScope g : grants) {
        if (g.covers(c)) {
          return g;
        }
      }
      return null;
    }
    return plain.contains(requested.text()) ? requested : null;
  }

  /** The allowed entries that parse, first-seen order, without duplicates. */
  public List<Scope> allowed() {
    return allowed;
  }

  /** The config grants among the allowed entries. */
  public List<ConfigScope> grants() {
    return grants;
  }

  /** The deny entries: added to every token that carries a config grant. */
  public List<ConfigScope> denies() {
    return denies;
  }

  public DisallowedScopesMode mode() {
    return mode;
  }

  /** Seconds, or null for Keycloak's normal lifetime. */
  public @Nullable Integer accessTokenLifetime() {
    return accessTokenLifetime;
  }
}
