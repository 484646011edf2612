package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.keycloak.store.Revisions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a config write holds (docs/adr/0039): writes that share a key take turns, writes that share
 * nothing run side by side, a write holding the whole realm waits for every other and every other
 * for it. ConfigApiConcurrencyIT shows the invariants the keys keep, against Keycloak.
 */
class WriteKeysTest {

  private final String realm = UUID.randomUUID().toString();
  private final List<Writer> writers = new ArrayList<>();

  @Test
  void titlesThatCompareEqualIgnoringCaseShareOneKey() {
    for (String[] pair :
        new String[][] {{"Billing Ops", "bILLING oPS"}, {"K", "\u212A"}, {"\u0130", "i"}}) {
      assertThat(pair[0].equalsIgnoreCase(pair[1])).isTrue();
      assertThat(Writes.Keys.title(pair[0])).isEqualTo(Writes.Keys.title(pair[1]));
      assertThat(Writes.Keys.title(pair[0]).wholeRealm()).isFalse();
    }
    assertThat(Writes.Keys.title("Billing")).isNotEqualTo(Writes.Keys.title("Billing Ops"));
  }

  @Test
  void aTitleWithASurrogateHoldsTheWholeRealm() {
    assertThat(Writes.Keys.title("Team \uD83D\uDE80").wholeRealm()).isTrue();
    assertThat(Writes.Keys.title("x").and(Writes.Keys.title("\uD801\uDC00")).wholeRealm()).isTrue();
  }

  @Test
  void keysOfKindsAndValuesNeverMeet() {
    assertThat(Writes.Keys.member(Revisions.Kind.POLICY, "a"))
        .isNotEqualTo(Writes.Keys.member(Revisions.Kind.CLIENT, "a"));
    assertThat(Writes.Keys.unique("name", "a")).isNotEqualTo(Writes.Keys.unique("clientId", "a"));
    assertThat(Writes.Keys.title("a").and(Writes.Keys.unique("name", "a")).keys()).hasSize(2);
  }

  @Test
  void writesThatShareAKeyTakeTurns() throws Exception {
    Writer first = new Writer(realm, Writes.Keys.title("Shared").and(name("one")));
    assertThat(first.holds()).isTrue();
    Writer second = new Writer(realm, Writes.Keys.title("SHARED"));
    assertThat(second.waits()).as("a write of a title that compares equal").isTrue();
    first.release();
    assertThat(second.holds()).isTrue();
  }

  @Test
  void writesThatShareNothingRunSideBySide() throws Exception {
    Writer first = new Writer(realm, Writes.Keys.title("One").and(name("one")));
    assertThat(first.holds()).isTrue();
    Writer other =
        new Writer(
            realm,
            Writes.Keys.title("Two")
                .and(name("two"))
                .and(Writes.Keys.member(Revisions.Kind.POLICY, "p")));
    Writer elsewhere = new Writer(UUID.randomUUID().toString(), Writes.Keys.title("One"));
    assertThat(other.holds()).isTrue();
    assertThat(elsewhere.holds()).as("the same key in another realm").isTrue();
  }

  @Test
  void aWriteHoldingTheWholeRealmWaitsForEveryOtherAndEveryOtherForIt() throws Exception {
    Writer keyed = new Writer(realm, Writes.Keys.NONE);
    assertThat(keyed.holds()).isTrue();
    Writer whole = new Writer(realm, Writes.Keys.title("\uD83D\uDE80"));
    assertThat(whole.waits()).isTrue();
    keyed.release();
    assertThat(whole.holds()).isTrue();
    Writer after = new Writer(realm, Writes.Keys.title("x"));
    assertThat(after.waits()).isTrue();
    whole.release();
    assertThat(after.holds()).isTrue();
  }

  @Test
  void aLockStaysOneWhileAWriteHoldsItThoughNothingElseRefersToIt() throws Exception {
    Writer first = new Writer(realm, Writes.Keys.title("Kept"));
    assertThat(first.holds()).isTrue();
    for (int i = 0; i < 3; i++) {
      System.gc(); // the maps hold their locks weakly
    }
    Writer same = new Writer(realm, Writes.Keys.title("KEPT"));
    assertThat(same.waits()).isTrue();
    first.release();
    assertThat(same.holds()).isTrue();
    same.release();
    Writer whole = new Writer(realm, Writes.Keys.title("\uD83D\uDE80"));
    assertThat(whole.holds()).isTrue();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Writer next = new Writer(realm, Writes.Keys.title("other"));
    assertThat(next.waits())
        .as("a read side waits for the write side it shares a lock with")
        .isTrue();
    whole.release();
    assertThat(next.holds()).isTrue();
  }

  @Test
  void aWriteThatFindsItNeedsTheWholeRealmRunsAgainHoldingIt() throws Exception {
    List<Boolean> attempts = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch again = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    Thread write =
        new Thread(
            () ->
                Writes.holding(
                    realm,
                    Writes.Keys.title("Broken").and(Writes.Keys.member(Revisions.Kind.POLICY, "p")),
                    whole -> {
                      attempts.add(whole);
                      if (!whole) {
                        throw new Writes.WholeRealmNeeded(); // as requireWholeRealm does
                      }
                      again.countDown();
                      try {
                        finish.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return "done";
                    }));
    write.setDaemon(true);
    write.start();
    assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
    Writer other = new Writer(realm, Writes.Keys.title("unrelated"));
    assertThat(other.waits()).as("any other write of the realm waits for the second run").isTrue();
    finish.countDown();
    write.join(10_000);
    assertThat(other.holds()).isTrue();
    assertThat(attempts).containsExactly(false, true);
  }

  @Test
  void aWriteThatNeedsNoMoreRunsOnceUnderItsKeys() {
    List<Boolean> attempts = new ArrayList<>();
    String result =
        Writes.holding(
            realm,
            Writes.Keys.title("Fine"),
            whole -> {
              attempts.add(whole);
              return "done";
            });
    assertThat(result).isEqualTo("done");
    assertThat(attempts).containsExactly(false);
    assertThat(Writes.Keys.WHOLE_REALM.wholeRealm()).isTrue();
  }

  @AfterEach
  void releaseAll() throws InterruptedException {
    for (Writer w : writers) {
      w.release();
      w.thread.join(10_000);
    }
  }

  private static Writes.Keys name(String name) {
    return Writes.Keys.unique("name", name);
  }

  /** A write on a thread of its own: takes its keys, holds them until released. */
  private final class Writer {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    final Thread thread;

    Writer(String realmId, Writes.Keys keys) {
      thread =
          new Thread(
              () -> {
                Writes.Hold hold = Writes.Hold.take(realmId, keys);
                held.countDown();
                try {
                  released.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  hold.release();
                }
              });
      thread.setDaemon(true);
      thread.start();
      writers.add(this);
    }

    boolean holds() throws InterruptedException {
      return held.await(10, TimeUnit.SECONDS);
    }

    /** Still waiting after a while that taking a free lock needs far less of. */
    boolean waits() throws InterruptedException {
      return !held.await(300, TimeUnit.MILLISECONDS);
    }

    void release() {
      released.countDown();
    }
  }
}
