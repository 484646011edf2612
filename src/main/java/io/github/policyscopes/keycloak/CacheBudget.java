package io.github.policyscopes.keycloak;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Weigher;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * What the extension may keep on the heap, whatever its callers send: every cache of the extension
 * is bounded by an estimate of the bytes it retains ({@link
 * io.github.policyscopes.scope.Footprint}, conservative), never by a count of entries, so that
 * large entries cannot multiply a count into hundreds of megabytes
 * (docs/adr/0024-bounded-memory.md). The shares add up to {@link #TOTAL_BYTES}.
 */
public final class CacheBudget {

  private static final long MIB = 1024L * 1024L;

  /** All caches of the extension together, estimated: 64 MiB per Keycloak node. */
  public static final long TOTAL_BYTES = 64 * MIB;

  /** The config API's compiled scope claims with their worth under current policies. */
  public static final long CALLER_SCOPES_BYTES = 10 * MIB;

  /** Merged and compiled policies, by content (one entry per client's set of policy versions). */
  public static final long MERGED_POLICIES_BYTES = 4 * MIB;

  /** Stored policy configs as read and validated, by their stored values. */
  public static final long POLICY_CONFIGS_BYTES = 2 * MIB;

  /** Lint warnings, by entry list. */
  public static final long POLICY_LINT_BYTES = 4 * MIB;

  /**
   * The config API's lists, part 1 ({@code keycloak.store.PolicyCache}, docs/adr/0035 and 0038):
   * each realm's policy index, ids and titles in list order (about 4 MiB for a realm of 10,000
   * policies).
   */
  public static final long POLICY_INDEX_BYTES = 8 * MIB;

  /**
   * The config API's lists, part 2: the parsed policies with their bounded bindings, so that no
   * page of the list of a realm of about 10,000 policies goes back to the model.
   */
  public static final long POLICY_ENTRIES_BYTES = 24 * MIB;

  /**
   * The claim filter's plans ({@code keycloak.token.ClaimPlans}, docs/adr/0038): per set of mapper
   * models, a plan per kind of token, with the models its key holds.
   */
  public static final long CLAIM_PLANS_BYTES = 4 * MIB;

  /**
   * What a token request of a client reads of Keycloak's model before its grant runs ({@code
   * keycloak.token.ClientFacts}, docs/adr/0040): per client, its default client scopes, its merged
   * policy, the scopes Keycloak knows for it, its policy's kept decisions (docs/adr/0041) and what
   * its first token-request contexts read of their client scopes (docs/adr/0045), which weigh about
   * 10–30 KB each with their mapper models, and up to 8 KB more with their kept access-token
   * outcomes (docs/adr/0046).
   */
  public static final long CLIENT_FACTS_BYTES = 8 * MIB;

  /**
   * What one cache entry costs beyond its key and value: Caffeine's node (key, value, weight,
   * access and write order links, timestamps) and the slot of its hash table.
   */
  public static final int ENTRY_OVERHEAD = 128;

  private CacheBudget() {}

  /**
   * A loading cache bounded by {@code budget} bytes, each entry weighing {@link #ENTRY_OVERHEAD}
   * plus {@code estimate} of its key and value (capped at {@link Integer#MAX_VALUE}; an entry
   * heavier than the whole budget is not kept).
   */
  public static <K, V> LoadingCache<K, V> weighed(
      long budget, Function<K, V> loader, ToLongFunction<Entry<K, V>> estimate) {
    return bounded(budget, estimate).build(loader::apply);
  }

  /**
   * A cache bounded by {@code budget} bytes, filled by its callers ({@code put}), each entry
   * weighed as in {@link #weighed}.
   */
  public static <K, V> Cache<K, V> weighedCache(long budget, ToLongFunction<Entry<K, V>> estimate) {
    return bounded(budget, estimate).build();
  }

  private static <K, V> Caffeine<K, V> bounded(long budget, ToLongFunction<Entry<K, V>> estimate) {
    Weigher<K, V> weigher =
        (key, value) ->
            (int)
                Math.min(
                    Integer.MAX_VALUE,
                    ENTRY_OVERHEAD + estimate.applyAsLong(new Entry<>(key, value)));
    return Caffeine.newBuilder().maximumWeight(budget).weigher(weigher);
  }

  /** A key and its value, for an estimate. */
  public record Entry<K, V>(K key, V value) {}
}
