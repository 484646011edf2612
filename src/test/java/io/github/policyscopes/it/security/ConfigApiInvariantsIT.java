package io.github.policyscopes.it.security;

import io.github.policyscopes.it.KeycloakServer;
import io.github.policyscopes.it.PropertyServer;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.security.invariants.Actions;
import io.github.policyscopes.it.security.invariants.Checker;
import io.github.policyscopes.it.security.invariants.Env;
import io.github.policyscopes.it.security.invariants.Model;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.state.ActionChain;
import org.jspecify.annotations.Nullable;

/**
 * The security invariants of docs/contract.md §7 under random use of the config API, in the style
 * of Kubernetes' RBAC escalation tests: a seeded jqwik action chain against the real server.
 *
 * <ul>
 *   <li>The fixed resources the operator makes, and five actors with config power and denies that
 *       protect something: {@link io.github.policyscopes.it.security.invariants.Fixed}.
 *   <li>The model of one sequence, what the config API should hold: {@link Model}.
 *   <li>The generated actions (policies, clients, secrets, lists, hand-overs): {@link Actions}.
 *   <li>One {@link Checker} per invariant (I1, I2, I3, I7, I13, I15, MANAGED), checked on every
 *       answer and after every step: {@link Checker#all}.
 * </ul>
 *
 * <p>Reproducible: fixed seed; on failure the message holds the invariant, the seed and the whole
 * sequence as it ran (ids resolved, statuses), after jqwik's shrinking (bounded to {@link
 * #SHRINK_BUDGET}). {@code -Dinvariants.skip=I2,MANAGED} leaves named invariants unchecked (to see
 * what else breaks); a run never skips anything by default.
 */
class ConfigApiInvariantsIT {

  static final String SEED = "20261127";
  static final int SEQUENCES = 12;
  static final int ACTIONS = 12;
  static final Duration SHRINK_BUDGET = Duration.ofSeconds(120);
  static final boolean VERBOSE = Boolean.getBoolean("invariants.verbose");

  private static @Nullable KeycloakServer server;
  private static @Nullable Env env;
  private static @Nullable Instant firstFailure;

  @BeforeContainer
  static void start() {
    KeycloakServer started = PropertyServer.start("invariants");
    server = started;
    Set<String> skip =
        Arrays.stream(System.getProperty("invariants.skip", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toSet());
    env = Env.create(new TestClient(started.baseUrl()), SEED, skip);
  }

  @AfterContainer
  static void stop() {
    if (env != null) {
      System.out.println(env.stats().summary(SEED));
    }
    if (server != null) {
      server.close();
    }
  }

  @Property(
      tries = SEQUENCES,
      seed = SEED,
      shrinking = ShrinkingMode.FULL,
      edgeCases = EdgeCasesMode.NONE)
  void configApiKeepsTheSecurityInvariants(@ForAll("sequences") ActionChain<Model> chain) {
    Instant failed = firstFailure;
    if (failed != null && Instant.now().isAfter(failed.plus(SHRINK_BUDGET))) {
      started().stats().skippedShrink(); // budget spent: a candidate not run does not fail
      return;
    }
    try {
      Model end =
          chain
              .withInvariant("security invariants (docs/contract.md §7)", Model::checkInvariants)
              .run();
      if (VERBOSE) {
        System.out.println(end.trace("passed"));
      }
    } catch (RuntimeException | Error e) {
      if (firstFailure == null) {
        firstFailure = Instant.now();
      }
      throw e;
    }
  }

  @Provide
  Arbitrary<ActionChain<Model>> sequences() {
    return Actions.chains(started(), Checker.all(), ACTIONS, () -> firstFailure != null);
  }

  private static Env started() {
    Env e = env;
    if (e == null) {
      throw new IllegalStateException("the invariants' server did not start");
    }
    return e;
  }
}
