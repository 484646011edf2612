package io.github.policyscopes.it.security.invariants;

import io.github.policyscopes.it.security.invariants.Model.Act;
import java.util.List;
import java.util.function.BooleanSupplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * The generated actions: create, update and delete policies with entries from an adversarial pool;
 * create and update clients (type, grants, bindings); read and rotate secrets; delete clients;
 * list; an operator hands over a fresh client (sometimes privileged). Each is an {@link Operations}
 * call on the {@link Model}, labelled so that jqwik's report reads as the sequence.
 */
public final class Actions {

  private final Fixed fx;

  private Actions(Fixed fx) {
    this.fx = fx;
  }

  /**
   * Chains of up to {@code length} actions on a fresh model each, checked by {@code checkers};
   * {@code shrinking} tells a run made while shrinking (counted apart).
   */
  public static Arbitrary<ActionChain<Model>> chains(
      Env env, List<Checker> checkers, int length, BooleanSupplier shrinking) {
    Actions a = new Actions(env.fx());
    return ActionChain.startWith(() -> Model.fresh(env, checkers, shrinking.getAsBoolean()))
        .withAction(5, a.createPolicy())
        .withAction(3, a.updatePolicy())
        .withAction(1, a.deletePolicy())
        .withAction(5, a.createClient())
        .withAction(3, a.updateClient())
        .withAction(3, a.secret())
        .withAction(1, a.deleteClient())
        .withAction(1, a.list())
        .withAction(1, a.handOver())
        .withMaxTransformations(length);
  }

  // mostly an actor that may write the collection (A, C, E policies; A, B, E clients), else any

  private Arbitrary<Act> policyWriter() {
    return acts(0, 2, 4);
  }

  private Arbitrary<Act> clientWriter() {
    return acts(0, 1, 4);
  }

  private Arbitrary<Act> anyone() {
    return acts(0, 1, 2, 3, 4);
  }

  private static Arbitrary<Integer> target() {
    return Arbitraries.integers().between(0, 63);
  }

  private Arbitrary<List<String>> entries() {
    return Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.of(fx.entries.ordinary())),
            Tuple.of(2, Arbitraries.of(fx.entries.adversarial())),
            Tuple.of(2, Arbitraries.of(fx.entries.splitting())))
        .list()
        .ofMinSize(1)
        .ofMaxSize(3);
  }

  private static Arbitrary<List<Integer>> picks() {
    return Arbitraries.integers().between(0, 63).list().ofMaxSize(2);
  }

  private static Arbitrary<String> type() {
    return Arbitraries.of("confidential", "public", "confidential");
  }

  private static Arbitrary<List<String>> grants() {
    return Arbitraries.of(Operations.CC, Operations.PASSWORD, Operations.CODE, Operations.EXCHANGE)
        .list()
        .uniqueElements()
        .ofMaxSize(3);
  }

  private Action.Independent<Model> createPolicy() {
    return action(
        Combinators.combine(policyWriter(), entries())
            .as(
                (a, e) ->
                    Transformer.mutate(
                        a.describe(fx) + " creates a policy " + e,
                        m -> Operations.createPolicy(m, a, e))));
  }

  private Action.Independent<Model> updatePolicy() {
    return action(
        Combinators.combine(policyWriter(), target(), entries())
            .as(
                (a, t, e) ->
                    Transformer.mutate(
                        a.describe(fx) + " updates policy@" + t + " to " + e,
                        m -> Operations.updatePolicy(m, a, t, e))));
  }

  private Action.Independent<Model> deletePolicy() {
    return deletes("policy", Operations::deletePolicy);
  }

  private Action.Independent<Model> createClient() {
    return action(
        Combinators.combine(clientWriter(), type(), grants(), picks())
            .as(
                (a, ty, g, p) ->
                    Transformer.mutate(
                        a.describe(fx) + " creates a " + ty + " client " + g + " bound to " + p,
                        m -> Operations.createClient(m, a, ty, g, p))));
  }

  private Action.Independent<Model> updateClient() {
    Arbitrary<Integer> fields = Arbitraries.integers().between(1, 7);
    return action(
        Combinators.combine(clientWriter(), target(), fields, type(), grants(), picks())
            .as(
                (a, t, f, ty, g, p) ->
                    Transformer.mutate(
                        String.join(
                            " ",
                            a.describe(fx),
                            "updates client@" + t,
                            "fields " + f,
                            ty,
                            g.toString(),
                            p.toString()),
                        m -> Operations.updateClient(m, a, t, f, ty, g, p))));
  }

  private Action.Independent<Model> secret() {
    return action(
        Combinators.combine(clientWriter(), target(), Arbitraries.of("GET", "POST"))
            .as(
                (a, t, method) ->
                    Transformer.mutate(
                        a.describe(fx) + " " + method + "s the secret of client@" + t,
                        m -> Operations.secret(m, a, t, method))));
  }

  private Action.Independent<Model> deleteClient() {
    return deletes("client", Operations::deleteClient);
  }

  /** A deletion by anyone of a target (of {@code kind}): {@code op}. */
  private Action.Independent<Model> deletes(String kind, OnTarget op) {
    return action(
        Combinators.combine(anyone(), target())
            .as(
                (a, t) ->
                    Transformer.mutate(
                        a.describe(fx) + " deletes " + kind + "@" + t, m -> op.apply(m, a, t))));
  }

  /** An operation of an actor on the target at an index. */
  private interface OnTarget {
    void apply(Model m, Act a, int target);
  }

  private Action.Independent<Model> list() {
    return action(
        Combinators.combine(anyone(), Arbitraries.of("tokenPolicies", "clients"))
            .as(
                (a, c) ->
                    Transformer.mutate(
                        a.describe(fx) + " lists " + c, m -> Operations.list(m, a, c))));
  }

  private Action.Independent<Model> handOver() {
    return action(
        Combinators.combine(target(), Arbitraries.of(false, true))
            .as(
                (t, p) ->
                    Transformer.mutate(
                        "operator hands over a client bound to policy@"
                            + t
                            + (p ? ", privileged" : ""),
                        m -> Operations.handOver(m, t, p))));
  }

  /** Actor and mask: mostly one of {@code preferred}; half the time all it may ask for. */
  private Arbitrary<Act> acts(Integer... preferred) {
    Arbitrary<Integer> actor =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of(preferred)),
            Tuple.of(1, Arbitraries.integers().between(0, fx.actors.size() - 1)));
    Arbitrary<Integer> mask =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just(15)), Tuple.of(1, Arbitraries.integers().between(1, 15)));
    return Combinators.combine(actor, mask).as(Act::new);
  }

  private static Action.Independent<Model> action(Arbitrary<Transformer<Model>> t) {
    return () -> t;
  }
}
