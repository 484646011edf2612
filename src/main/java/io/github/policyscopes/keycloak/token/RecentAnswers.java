package io.github.policyscopes.keycloak.token;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The answers to the last few questions asked of one object, kept by question (compared with {@code
 * equals}): at most {@code max} of them, the oldest replaced first. Readers see an array that is
 * never changed once published, so a look-up takes no lock; keeping takes this object's lock, for
 * as long as copying at most {@code max} references takes.
 *
 * @param <Q> the question
 * @param <A> its answer
 */
final class RecentAnswers<Q, A> {

  private record Entry<Q, A>(Q question, A answer) {}

  private final int max;
  private volatile Entry<?, ?>[] entries = new Entry<?, ?>[0];
  private int next;

  RecentAnswers(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one answer is kept");
    }
    this.max = max;
  }

  /** The most answers kept. */
  int max() {
    return max;
  }

  /** The answer kept for {@code question}; null when none is. */
  @SuppressWarnings("unchecked") // only entries of <Q, A> are ever kept
  @Nullable A get(Q question) {
    for (Entry<?, ?> e : entries) {
      if (e.question().equals(question)) {
        return (A) e.answer();
      }
    }
    return null;
  }

  /**
   * Keeps {@code answer} for {@code question}, in place of the oldest one when {@link #max} are
   * kept; nothing when an answer to the question was kept meanwhile.
   */
  synchronized void keep(Q question, A answer) {
    Entry<?, ?>[] now = entries;
    for (Entry<?, ?> e : now) {
      if (e.question().equals(question)) {
        return;
      }
    }
    Entry<?, ?>[] kept;
    if (now.length < max) {
      kept = Arrays.copyOf(now, now.length + 1);
      kept[now.length] = new Entry<>(question, answer);
    } else {
      kept = now.clone();
      kept[next] = new Entry<>(question, answer);
      next = (next + 1) % max;
    }
    entries = kept;
  }
}
