package io.github.policyscopes.bench;

import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.keycloak.rest.CallerScopes;
import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.Scopes;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory an input can fill (issue 20, class 2; docs/adr/0024-bounded-memory.md): the config
 * API's cache of compiled scope claims ({@link CallerScopes#effective}, what {@code BearerGuard}
 * calls for every request) driven with the worst case, measured as retained heap after several GCs
 * ({@link MemoryMXBean}), per entry and in total, next to the weight the cache estimates.
 *
 * <ul>
 *   <li><b>anchor, before the fix</b>: a token of any bound client could carry ~3,700 characters of
 *       distinct short denies. The entry the old cache kept for it (the claim, the compiled token
 *       and the same scopes compiled again as the answer under the client's policy) is built and
 *       held here as the old code did, and multiplied by the old count bound (4,096 entries);
 *   <li><b>worst accepted now</b>: the most a token request may add ({@value
 *       IssuanceDecision#MAX_REQUESTED_DENIES} distinct denies filling the 4,000-character scope
 *       parameter, each of many segments, the heaviest shape per character) next to a config grant,
 *       so that the answer under the policy is a set of its own; more distinct claims than fit;
 *   <li><b>old tokens now</b>: tokens issued before the fix still reach the config API until they
 *       expire: the anchor's claims through today's cache.
 * </ul>
 *
 * Prints one table; exits non-zero when the cache retains more than its budget or the estimate is
 * below what is retained.
 */
public final class MemoryFootprint {

  /** The old bound of the cache: a count. */
  static final int OLD_MAX_ENTRIES = 4096;

  /** The policy the claims meet: a config grant and a deny, as a handed-over client's. */
  static final EffectivePolicy POLICY =
      EffectivePolicy.of(
          List.of("openid", "*:config/**", "-:config/tokenPolicies/p"),
          DisallowedScopesMode.IGNORE,
          null);

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MemoryFootprint() {}

  /** The pre-fix worst case: about 3,700 characters of distinct short denies. */
  static String oldWorstClaim(int n) {
    StringBuilder claim = new StringBuilder("openid");
    for (int i = 0; claim.length() < 3_700; i++) {
      claim.append(" -:config/clients/").append(n).append('x').append(i);
    }
    return claim.toString();
  }

  /**
   * The worst claim a token request may produce now: openid, a grant, and {@value
   * IssuanceDecision#MAX_REQUESTED_DENIES} distinct denies of short segments filling the scope
   * parameter, plus the policy's sticky deny that issuance adds.
   */
  static String newWorstClaim(int n) {
    String head = "openid *:config/clients/**";
    int room = IssuanceDecision.MAX_SCOPE_PARAMETER - head.length();
    int each = Math.min(PathPattern.MAX_LENGTH, room / IssuanceDecision.MAX_REQUESTED_DENIES - 1);
    StringBuilder claim = new StringBuilder(head);
    for (int d = 0; d < IssuanceDecision.MAX_REQUESTED_DENIES; d++) {
      StringBuilder deny = new StringBuilder("-:config/" + n + "-" + d);
      int segments = 2;
      while (deny.length() + 8 <= each && segments < PathPattern.MAX_SEGMENTS) {
        deny.append("/s")
            .append(segments)
            .append("abcde", 0, 5 - String.valueOf(segments).length());
        segments++;
      }
      while (deny.length() < each) {
        deny.append('z');
      }
      claim.append(' ').append(deny);
    }
    String asked = claim.toString();
    if (asked.length() > IssuanceDecision.MAX_SCOPE_PARAMETER
        || IssuanceDecision.requestRefusal(Scopes.split(asked)) != null) {
      throw new IllegalStateException("not an accepted request: " + asked.length() + " chars");
    }
    return asked + " -:config/tokenPolicies/p"; // the sticky deny issuance adds
  }

  static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      System.gc();
      Thread.sleep(60);
      used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** What the old cache kept per claim, held here exactly so. */
  record OldEntry(String claim, ScopeSet token, ScopeSet answer) {}

  public static void main(String[] args) throws InterruptedException {
    // warm up the classes involved, so that their metadata is not counted
    CallerScopes.effective(newWorstClaim(-1), POLICY);
    CallerScopes.effective(oldWorstClaim(-1), POLICY);
    CallerScopes.clear();

    // 1. anchor: the old entry, held as the old cache held it
    int oldSample = 400;
    long before = usedAfterGc();
    List<OldEntry> old = new ArrayList<>();
    for (int n = 0; n < oldSample; n++) {
      String claim = oldWorstClaim(n);
      ScopeSet token = ScopeSet.parse(claim);
      old.add(new OldEntry(claim, token, ScopeSet.parse(token.toString())));
    }
    long oldPerEntry = (usedAfterGc() - before) / oldSample;
    int oldClaimLength = old.get(0).claim().length();
    int oldDenies = old.get(0).token().denies().size();
    old.clear();

    // 2. worst accepted now, more distinct claims than fit
    String sample = newWorstClaim(0);
    CallerScopes.clear();
    before = usedAfterGc();
    CallerScopes.effective(sample, POLICY);
    long oneEstimate = CallerScopes.weightedSize();
    int driven = (int) (3 * CacheBudget.CALLER_SCOPES_BYTES / oneEstimate);
    for (int n = 0; n < driven; n++) {
      CallerScopes.effective(newWorstClaim(n), POLICY);
      CallerScopes.token(newWorstClaim(n));
    }
    long newSize = CallerScopes.size();
    long newEstimate = CallerScopes.weightedSize();
    long newRetained = usedAfterGc() - before;

    // 3. old tokens through today's cache
    CallerScopes.clear();
    before = usedAfterGc();
    int oldDriven = 3 * OLD_MAX_ENTRIES;
    for (int n = 0; n < oldDriven; n++) {
      CallerScopes.effective(oldWorstClaim(n), POLICY);
    }
    long oldNowSize = CallerScopes.size();
    long oldNowEstimate = CallerScopes.weightedSize();
    long oldNowRetained = usedAfterGc() - before;

    double mib = 1024.0 * 1024.0;
    System.out.println();
    System.out.printf(
        "=== memory an input can fill: the config API's compiled claims (budget %.0f MiB of %.0f MiB"
            + " for all caches), retained heap after GC ===%n",
        CacheBudget.CALLER_SCOPES_BYTES / mib, CacheBudget.TOTAL_BYTES / mib);
    System.out.printf(
        "%-44s %9s %10s %12s %12s %12s %9s%n",
        "case", "claim ch", "entries", "retained/e", "retained", "estimated", "est/ret");
    System.out.printf(
        "%-44s %9d %10d %,10d B %,9.1f MiB %12s %9s%n",
        "before: " + oldDenies + " denies, count bound (x" + OLD_MAX_ENTRIES + ")",
        oldClaimLength,
        OLD_MAX_ENTRIES,
        oldPerEntry,
        oldPerEntry * (double) OLD_MAX_ENTRIES / mib,
        "-",
        "-");
    printNow(
        "now: worst accepted ("
            + IssuanceDecision.MAX_REQUESTED_DENIES
            + " denies), "
            + driven
            + " driven",
        sample.length(),
        newSize,
        newRetained,
        newEstimate);
    printNow(
        "now: old tokens' claims, " + oldDriven + " driven",
        oldClaimLength,
        oldNowSize,
        oldNowRetained,
        oldNowEstimate);
    System.out.printf(
        "retained in total now / before = %.3f (%,.1f MiB at most, was %,.1f MiB)%n",
        Math.max(newRetained, oldNowRetained) / (oldPerEntry * (double) OLD_MAX_ENTRIES),
        Math.max(newRetained, oldNowRetained) / mib,
        oldPerEntry * (double) OLD_MAX_ENTRIES / mib);

    boolean ok =
        newRetained <= CacheBudget.CALLER_SCOPES_BYTES
            && oldNowRetained <= CacheBudget.CALLER_SCOPES_BYTES
            && newEstimate >= newRetained
            && oldNowEstimate >= oldNowRetained;
    if (!ok) {
      System.out.println("FAILED: over the budget, or the estimate is below what is retained");
      System.exit(1);
    }
  }

  /** One row of today's cache: the claim length, entries, retained and estimated bytes. */
  private static void printNow(
      String label, int claimLength, long size, long retained, long estimate) {
    double mib = 1024.0 * 1024.0;
    System.out.printf(
        "%-44s %9d %10d %,10d B %,9.1f MiB %,8.1f MiB %9.2f%n",
        label,
        claimLength,
        size,
        retained / Math.max(1, size),
        retained / mib,
        estimate / mib,
        estimate / (double) retained);
  }
}
