package io.github.policyscopes.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;

/** The requests a phase of {@link ClusterIT} makes to see that nothing answers 5xx. */
final class Probes {

  private final List<String> seen = new ArrayList<>();

  /** Notes {@code reply} as {@code "status what"} and returns it. */
  Reply of(Reply reply, String what) {
    seen.add(reply.status() + " " + what);
    return reply;
  }

  /** Prints every probe under {@code label} and asserts that none answered 5xx. */
  void assertNoServerError(String label) {
    System.out.println(label + ": " + seen.size() + " requests:");
    seen.forEach(p -> System.out.println("  " + p));
    assertThat(seen).as("nothing answers 5xx").noneMatch(p -> p.startsWith("5"));
  }

  static Reply get(TestClient http, String url) {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  static Reply userInfo(TestClient http, String token) {
    return http.userinfo(TestClient.REALM, token);
  }
}
