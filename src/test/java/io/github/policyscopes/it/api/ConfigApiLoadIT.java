package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A bounded load run on loopback: 6 readers and 2 writers for {@code -Dload.seconds} (default 30)
 * against a few shared policies. Writers update with {@code If-Match} and retry on 412. Asserted:
 * no 5xx, no unexpected status, and no lost update — every policy carries a shared counter {@code
 * counter-<n>} that each successful write increments, so the final n equals the number of
 * successful writes to it, and each writer's own entry {@code writer-<w>-<seq>} holds its last
 * write. The figures are printed, never asserted.
 */
class ConfigApiLoadIT extends OnSharedKeycloak {

  private static final int READERS = 6;
  private static final int WRITERS = 2;
  private static final int POLICIES = 3;

  /** A token that is renewed shortly before it expires (for runs longer than its lifetime). */
  private static final class TokenSource {
    private final Supplier<String> issue;
    private String token;
    private long exp;

    TokenSource(Supplier<String> issue) {
      this.issue = issue;
    }

    synchronized String get() {
      if (token == null || exp - System.currentTimeMillis() / 1000 < 30) {
        token = issue.get();
        exp = TestClient.claims(token).get("exp").asLong();
      }
      return token;
    }
  }

  private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final LongAdder conflicts = new LongAdder();

  private Reply timed(List<Long> sink, Supplier<Reply> request) {
    long start = System.nanoTime();
    Reply reply = request.get();
    sink.add(System.nanoTime() - start);
    statuses.computeIfAbsent(reply.status(), s -> new LongAdder()).increment();
    return reply;
  }

  private static int counterOf(JsonNode policy) {
    for (String s : ConfigApi.strings(policy, "allowedScopes")) {
      if (s.startsWith("counter-")) {
        return Integer.parseInt(s.substring("counter-".length()));
      }
    }
    throw new AssertionError("no counter in " + policy);
  }

  @Test
  void readersAndWritersUnderLoadSeeNo5xxAndLoseNoUpdate(TestClient client) throws Exception {
    int seconds = Integer.getInteger("load.seconds", 30);
    String host = URI.create(client.baseUrl()).getHost();
    assertThat(host).as("loopback only").isIn("localhost", "127.0.0.1", "[::1]", "::1");

    Fixtures fixtures = new Fixtures(client);
    ConfigApi api = fixtures.api();
    TokenSource writerToken = new TokenSource(fixtures::allPowerToken);
    TokenSource readerToken = new TokenSource(fixtures::configReader);

    List<String> paths = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (int i = 0; i < POLICIES; i++) {
      String title = Fixtures.unique("Load " + i);
      titles.add(title);
      paths.add(
          "config/tokenPolicies/"
              + api.createPolicy(writerToken.get(), title, "counter-0").get("id").asText());
    }
    AtomicInteger[] successes = new AtomicInteger[POLICIES];
    for (int i = 0; i < POLICIES; i++) {
      successes[i] = new AtomicInteger();
    }
    // lastSeq[w][i]: the sequence number writer w last wrote successfully into policy i, or -1
    int[][] lastSeq = new int[WRITERS][POLICIES];
    for (int[] row : lastSeq) {
      java.util.Arrays.fill(row, -1);
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(READERS + WRITERS);
    long started = System.nanoTime();

    for (int r = 0; r < READERS; r++) {
      pool.submit(
          () -> {
            List<Long> mine = new ArrayList<>();
            try {
              while (System.nanoTime() < deadline) {
                String path =
                    switch (ThreadLocalRandom.current().nextInt(5)) {
                      case 0 -> "config/tokenPolicies?max=20";
                      case 1 -> "config/whoami";
                      case 2 -> "config/clients?max=20";
                      default -> paths.get(ThreadLocalRandom.current().nextInt(POLICIES));
                    };
                Reply reply = timed(mine, () -> api.get(readerToken.get(), path));
                if (reply.status() != 200) {
                  unexpected.add("reader GET " + path + ": " + reply);
                }
              }
            } catch (RuntimeException e) {
              unexpected.add("reader failed: " + e);
            } finally {
              latencies.add(mine.stream().mapToLong(Long::longValue).toArray());
            }
          });
    }

    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      pool.submit(
          () -> {
            List<Long> mine = new ArrayList<>();
            int seq = 0;
            try {
              while (System.nanoTime() < deadline) {
                int i = seq % POLICIES;
                String path = paths.get(i);
                boolean written = false;
                while (!written && System.nanoTime() < deadline) {
                  Reply current = timed(mine, () -> api.get(writerToken.get(), path));
                  if (current.status() != 200) {
                    unexpected.add("writer GET " + path + ": " + current);
                    break;
                  }
                  JsonNode policy = current.json();
                  List<String> scopes = new ArrayList<>();
                  scopes.add("counter-" + (counterOf(policy) + 1));
                  scopes.add("writer-" + writer + "-" + seq);
                  for (String s : ConfigApi.strings(policy, "allowedScopes")) {
                    if (s.startsWith("writer-") && !s.startsWith("writer-" + writer + "-")) {
                      scopes.add(s);
                    }
                  }
                  String etag = current.header("ETag");
                  Reply put =
                      timed(
                          mine,
                          () ->
                              api.send(
                                  "PUT",
                                  path,
                                  writerToken.get(),
                                  ConfigApi.policyBody(
                                      titles.get(i), scopes.toArray(String[]::new)),
                                  "If-Match",
                                  etag));
                  if (put.status() == 200) {
                    successes[i].incrementAndGet();
                    lastSeq[writer][i] = seq;
                    written = true;
                  } else if (put.status() == 412) {
                    conflicts.increment();
                  } else {
                    unexpected.add("writer PUT " + path + ": " + put);
                    break;
                  }
                }
                seq++;
              }
            } catch (RuntimeException e) {
              unexpected.add("writer " + writer + " failed: " + e);
            } finally {
              latencies.add(mine.stream().mapToLong(Long::longValue).toArray());
            }
          });
    }

    pool.shutdown();
    boolean finished = pool.awaitTermination(seconds + 10L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - started) / 1e9;
    if (!finished) {
      pool.shutdownNow();
    }

    List<Long> all = new ArrayList<>();
    latencies.forEach(a -> java.util.Arrays.stream(a).forEach(all::add));
    Collections.sort(all);
    long requests = all.size();
    long serverErrors =
        statuses.entrySet().stream()
            .filter(e -> e.getKey() >= 500)
            .mapToLong(e -> e.getValue().sum())
            .sum();
    int writes = 0;
    for (AtomicInteger s : successes) {
      writes += s.get();
    }
    System.out.printf(
        "ConfigApiLoadIT: %d readers + %d writers for %.1f s: %d requests, %.1f req/s,"
            + " %d successful writes, %d x 412 (retried), p50 %.1f ms, p99 %.1f ms,"
            + " statuses %s%n",
        READERS,
        WRITERS,
        elapsed,
        requests,
        requests / elapsed,
        writes,
        conflicts.sum(),
        percentile(all, 0.50),
        percentile(all, 0.99),
        statuses);

    assertThat(finished).as("all load threads stopped in time").isTrue();
    assertThat(serverErrors).as("5xx responses: %s", statuses).isZero();
    assertThat(unexpected).as("unexpected answers").isEmpty();
    assertThat(requests).as("the run did something").isGreaterThan(0);

    for (int i = 0; i < POLICIES; i++) {
      Reply end = api.get(writerToken.get(), paths.get(i));
      assertThat(end).hasStatus(200);
      JsonNode policy = end.json();
      assertThat(counterOf(policy))
          .as("no lost update on %s: counter = successful writes", paths.get(i))
          .isEqualTo(successes[i].get());
      List<String> scopes = ConfigApi.strings(policy, "allowedScopes");
      for (int w = 0; w < WRITERS; w++) {
        if (lastSeq[w][i] >= 0) {
          assertThat(scopes)
              .as("writer %d's last write survives on %s", w, paths.get(i))
              .contains("writer-" + w + "-" + lastSeq[w][i]);
        }
      }
      api.delete(writerToken.get(), paths.get(i));
    }
  }

  private static double percentile(List<Long> sortedNanos, double p) {
    if (sortedNanos.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.min(sortedNanos.size() - 1, Math.ceil(p * sortedNanos.size()) - 1);
    return sortedNanos.get(Math.max(0, index)) / 1e6;
  }
}
