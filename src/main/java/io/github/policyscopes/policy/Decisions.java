package io.github.policyscopes.policy;

import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Footprint;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * The decisions of one policy ({@link IssuanceDecision#decide}), kept by their inputs: the token
 * requests of a client ask its policy the same few questions again and again. The decision is pure,
 * so a kept answer is the answer; this only saves making it again.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} answers, each to a question of at most {@link
 * #MAX_SCOPES} scopes and {@link #MAX_CHARS} characters (a larger one, or one with a null scope, is
 * decided afresh every time, never kept); when full, every answer is let go before the next one is
 * kept, so that questions asked once cannot crowd out the ones asked all the time for long. {@link
 * #estimatedBytes} counts what is kept.
 */
public final class Decisions {

  /** The most answers kept. */
  static final int MAX_ENTRIES = 16;

  /** The most characters, over all its scopes, of a question whose answer is kept. */
  static final int MAX_CHARS = 512;

  /** The most scopes, over its lists, of a question whose answer is kept. */
  static final int MAX_SCOPES = 32;

  private final EffectivePolicy policy;
  private final ConcurrentMap<Question, Answer> kept = new ConcurrentHashMap<>();

  /**
   * The inputs of one decision. Equality written out, not a record's (whose bootstrap-linked {@code
   * equals} showed in a bound token's profile): it is asked on every token of a bound client.
   */
  private record Question(
      List<String> requested, List<String> keycloakScopes, @Nullable List<String> ceiling) {

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Question other
          && requested.equals(other.requested)
          && keycloakScopes.equals(other.keycloakScopes)
          && Objects.equals(ceiling, other.ceiling);
    }

    @Override
    public int hashCode() {
      return (31 * requested.hashCode() + keycloakScopes.hashCode()) * 31
          + Objects.hashCode(ceiling);
    }
  }

  private record Answer(GrantResult result, long bytes) {}

  public Decisions(EffectivePolicy policy) {
    this.policy = policy;
  }

  /** The policy whose decisions these are. */
  public EffectivePolicy policy() {
    return policy;
  }

  /**
   * {@link IssuanceDecision#decide} of this policy.
   *
   * @return the decision, and whether it was kept just now (so that a cache holding these may weigh
   *     them again)
   */
  public Decided decide(List<String> requested, List<String> keycloakScopes, Ceiling ceiling) {
    List<String> limit = ceiling.isSet() ? ceiling.scopes() : null;
    long chars = chars(requested) + chars(keycloakScopes) + (limit == null ? 0 : chars(limit));
    int scopes = requested.size() + keycloakScopes.size() + (limit == null ? 0 : limit.size());
    if (chars > MAX_CHARS || scopes > MAX_SCOPES) {
      return new Decided(
          IssuanceDecision.decide(requested, keycloakScopes, ceiling, policy), false);
    }
    Answer known = kept.get(new Question(requested, keycloakScopes, limit));
    if (known != null) {
      return new Decided(known.result(), false);
    }
    GrantResult result = IssuanceDecision.decide(requested, keycloakScopes, ceiling, policy);
    Question question =
        new Question(
            List.copyOf(requested),
            List.copyOf(keycloakScopes),
            limit == null ? null : List.copyOf(limit));
    if (kept.size() >= MAX_ENTRIES) {
      kept.clear();
    }
    kept.put(question, new Answer(result, bytes(question, result)));
    return new Decided(result, true);
  }

  /**
   * A decision.
   *
   * @param result what {@link IssuanceDecision#decide} gives
   * @param keptNow whether it was kept by this call
   */
  public record Decided(GrantResult result, boolean keptNow) {}

  /** A conservative estimate of the heap the kept answers retain, in bytes. */
  public long estimatedBytes() {
    long bytes = Footprint.object(2) + Footprint.hashed(MAX_ENTRIES);
    for (Answer answer : kept.values()) {
      bytes += answer.bytes();
    }
    return bytes;
  }

  /** The number of answers kept now. */
  int size() {
    return kept.size();
  }

  private static long chars(Collection<String> scopes) {
    long chars = 0;
    for (String s : scopes) {
      if (s == null) {
        return MAX_CHARS + 1L; // decided, never kept
      }
      chars += s.length();
    }
    return chars;
  }

  /** The question's strings, the result's lists and strings (counted again, to be safe). */
  private static long bytes(Question question, GrantResult result) {
    long bytes = Footprint.object(3) + Footprint.object(2) + Footprint.object(2);
    bytes += Footprint.strings(question.requested()) + Footprint.strings(question.keycloakScopes());
    if (question.ceiling() != null) {
      bytes += Footprint.strings(question.ceiling());
    }
    bytes += Footprint.strings(result.granted()) + Footprint.strings(result.dropped());
    return bytes;
  }
}
