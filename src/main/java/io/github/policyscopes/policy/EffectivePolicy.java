package io.github.policyscopes.policy;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Footprint;
import io.github.policyscopes.scope.PlainScope;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.ScopeParameters;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 *
 * <p>Parameterized client scopes (docs/adr/0030): a merged policy reads every entry literally until
 * the glue tells it which client scopes Keycloak parameterizes for the client ({@link
 * #withParameters}); then an entry {@code name:*} also covers any one {@code name:value} of them.
 */
public final class EffectivePolicy {

  private final List<Scope> allowed;
  private final List<ConfigScope> grants;
  private final List<ConfigScope> denies;
  private final Set<String> plain;
  private final DisallowedScopesMode mode;
  private final @Nullable Integer accessTokenLifetime;
  private final List<String> broken;

  /** The parameterized client scopes the entries are read with (none: literally). */
  private final ScopeParameters parameters;

  /** Each parameterized name whose {@code name:*} is an entry, with that entry. */
  private final Map<String, PlainScope> anyValue;

  /** Whether some plain entry ends with {@code :*}: only then can parameters change anything. */
  private final boolean anyValueSyntax;

  /** The last {@link #withParameters} answer that differs from this one (same content). */
  private volatile @Nullable EffectivePolicy withParameters;

  private EffectivePolicy(
      Collection<String> entries,
      @Nullable DisallowedScopesMode mode,
      @Nullable Integer accessTokenLifetime,
      List<String> broken) {
    this(entries, mode, accessTokenLifetime, broken, ScopeParameters.NONE);
  }

  private EffectivePolicy(
      Collection<String> entries,
      @Nullable DisallowedScopesMode mode,
      @Nullable Integer accessTokenLifetime,
      List<String> broken,
      ScopeParameters parameters) {
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
    this.parameters = parameters;
    Map<String, PlainScope> any = new java.util.HashMap<>();
    boolean syntax = false;
    for (Scope s : allowed) {
      if (s instanceof PlainScope p && p.text().endsWith(":" + ScopeParameters.ANY_VALUE)) {
        syntax = true;
        ScopeParameters.Parameter read = parameters.read(p.text());
        if (read != null && read.anyValue()) {
          any.putIfAbsent(read.name(), p);
        }
      }
    }
    this.anyValue = Map.copyOf(any);
    this.anyValueSyntax = syntax;
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
    return new EffectivePolicy(kept, mode, accessTokenLifetime, broken, parameters);
  }

  /**
   * Whether the entries could read differently with parameterized client scopes: some plain entry
   * ends with {@code :*}. When not, {@link #withParameters} is always this policy, and the glue
   * need not ask Keycloak which client scopes are parameterized.
   */
  public boolean mayHaveParameterPatterns() {
    return anyValueSyntax;
  }

  /**
   * This policy with its entries read for the parameterized client scopes {@code parameters}: an
   * entry {@code name:*} of one of them covers any one {@code name:value}. This policy itself when
   * that changes nothing (the usual case), so one policy version stays one instance; otherwise the
   * same instance for the same names, as long as they do not change.
   */
  public EffectivePolicy withParameters(ScopeParameters parameters) {
    if (parameters.equals(this.parameters)) {
      return this;
    }
    if (!anyValueSyntax) {
      return this;
    }
    EffectivePolicy known = withParameters;
    if (known != null && known.parameters.equals(parameters)) {
      return known;
    }
    List<String> texts = new ArrayList<>(allowed.size());
    for (Scope s : allowed) {
      texts.add(s.text());
    }
    EffectivePolicy derived =
        new EffectivePolicy(texts, mode, accessTokenLifetime, broken, parameters);
    if (derived.anyValue.isEmpty() && anyValue.isEmpty()) {
      return this; // no entry reads as name:* either way
    }
    withParameters = derived;
    return derived;
  }

  /** The parameterized client scopes this policy's entries are read with. */
  public ScopeParameters parameters() {
    return parameters;
  }

  /**
   * A conservative estimate of the heap this merged policy retains, in bytes ({@link Footprint}):
   * its entries compiled, its lists and set, and the titles of broken policies. What the cache of
   * merged policies weighs.
   */
  public long estimatedBytes() {
    long bytes = Footprint.object(11);
    bytes += Footprint.list(allowed.size()) + Footprint.list(grants.size());
    bytes += Footprint.list(denies.size()) + Footprint.hashed(plain.size());
    for (Scope s : allowed) {
      bytes += s.estimatedBytes(); // plain texts are shared with the set
    }
    bytes += Footprint.strings(broken);
    // room for the one instance withParameters keeps: the same entries read another way
    return anyValueSyntax ? 2 * bytes + Footprint.hashed(anyValue.size()) : bytes;
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

  /**
   * Whether some allowed entry covers {@code requested} (plain: equal, or {@code name:*} of a
   * parameterized client scope for its {@code name:value}; config: covers).
   */
  public boolean covers(Scope requested) {
    return coveringEntry(requested) != null;
  }

  /**
   * The allowed entry that covers {@code requested}: for a config scope the first config grant that
   * covers it, for a plain scope the equal entry or else the entry {@code name:*} of the
   * parameterized client scope it is a value of; null when none does. The one coverage rule of
   * issuance, the API and the dry run. Allocation-free unless a parameter has to be read.
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
    return plain.contains(requested.text()) ? requested : anyValueEntry(requested.text());
  }

  /**
   * {@link #covers} of the plain scope {@code text} (one that does not start like a config scope),
   * without parsing it: the path of every token request.
   */
  public boolean coversPlain(String text) {
    return plain.contains(text) || anyValueEntry(text) != null;
  }

  /** The entry {@code name:*} whose parameterized client scope {@code text} is a value of. */
  private @Nullable Scope anyValueEntry(String text) {
    if (anyValue.isEmpty()) {
      return null;
    }
    ScopeParameters.Parameter asked = parameters.read(text);
    return asked == null ? null : anyValue.get(asked.name());
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
