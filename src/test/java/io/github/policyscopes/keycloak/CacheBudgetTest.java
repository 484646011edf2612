package io.github.policyscopes.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.LoadingCache;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every cache is bounded by estimated bytes: the shares, and a weighed cache under pressure. */
class CacheBudgetTest {

  @Test
  void theSharesAddUpToTheTotal() {
    assertThat(
            CacheBudget.CALLER_SCOPES_BYTES
                + CacheBudget.MERGED_POLICIES_BYTES
                + CacheBudget.POLICY_LINT_BYTES
                + CacheBudget.POLICY_INDEX_BYTES
                + CacheBudget.POLICY_ENTRIES_BYTES
                + CacheBudget.CLAIM_PLANS_BYTES
                + CacheBudget.CLIENT_FACTS_BYTES
                + CacheBudget.POLICY_CONFIGS_BYTES)
        .isEqualTo(CacheBudget.TOTAL_BYTES)
        .isEqualTo(64L * 1024 * 1024);
  }

  @Test
  void aWeighedCacheKeepsItsEstimateUnderItsBudgetWhateverItIsFed() {
    long budget = 1024 * 1024;
    LoadingCache<Integer, String> cache =
        CacheBudget.weighed(budget, n -> "x".repeat(n % 50_000), e -> 2L * e.value().length());
    for (int n = 0; n < 5_000; n++) {
      cache.get(n * 7);
    }
    cache.cleanUp();
    long weighted = cache.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    assertThat(weighted).isPositive().isLessThanOrEqualTo(budget);
    assertThat(cache.estimatedSize()).isLessThan(5_000);
  }

  @Test
  void anEntryHeavierThanTheBudgetIsNotKept() {
    LoadingCache<String, String> cache =
        CacheBudget.weighed(1_000, Function.identity(), e -> 2L * e.key().length());
    cache.get("x".repeat(600));
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isZero();
    cache.get("small");
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(1);
  }
}
