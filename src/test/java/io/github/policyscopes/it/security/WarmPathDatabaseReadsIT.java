package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static io.github.policyscopes.it.ReplyAssert.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.FeatureServer;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.KeycloakServerExtension;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No database statement on the warm path of a bound token request (issue 21 item 1): a server of
 * its own logs every SQL statement Hibernate sends ({@code
 * --log-level=...,org.hibernate.SQL:debug}, a runtime option, so the distribution as the ITs start
 * it); after a warm-up, the statements logged while N {@code client_credentials} and N {@code
 * refresh_token} requests of a client whose policy drops its default scopes {@code profile} and
 * {@code email} are answered are counted, and the same for an unbound twin as the anchor.
 * Keycloak's own session bookkeeping (a refresh updates the persistent user session) shows up in
 * both; the extension must add none: bound ≤ unbound, and 0 for {@code client_credentials}. Both
 * counts are printed.
 */
class WarmPathDatabaseReadsIT {

  private static final String NAME = "sql-count";

  @RegisterExtension
  static final FeatureServer SERVER =
      new FeatureServer(
          NAME,
          List.of("--log-level=info,org.hibernate.SQL:debug"),
          version -> true,
          "any Keycloak");

  private static final String SECRET = "sql-secret";
  private static final String PASSWORD = "sql-pass";
  private static final int N = 20;

  private record Counts(int clientCredentials, int refresh, List<String> statements) {

    /** The distinct statements, without the log line's time and thread. */
    Set<String> distinct() {
      Set<String> out = new TreeSet<>();
      statements.forEach(
          s -> out.add(s.replaceFirst("^.*\\[org\\.hibernate\\.SQL\\] \\([^)]*\\) ", "")));
      return out;
    }
  }

  @Test
  void aBoundClientsWarmTokenRequestsSendNoStatementOfItsOwn(TestClient http) throws Exception {
    Fixtures admin = new Fixtures(http);
    String user = Fixtures.unique("sql-user");
    admin.createUser(Fixtures.user(user, PASSWORD, user + "@example.com", "Sue", "Sql"));
    String bound = client(admin, Fixtures.unique("sql-bound"));
    String unbound = client(admin, Fixtures.unique("sql-unbound"));
    admin.bind(
        admin.internalId(bound),
        admin.createPolicy(Fixtures.unique("sql"), List.of("openid"), null, null));

    Counts warmUpBound = count(http, bound, user);
    Counts warmUpUnbound = count(http, unbound, user);
    Counts b = count(http, bound, user);
    Counts u = count(http, unbound, user);
    System.out.printf(
        "Database statements on the warm path (%d requests each; warm-up bound %d+%d, unbound"
            + " %d+%d):%n  bound   client_credentials %d, refresh_token %d%n"
            + "  unbound client_credentials %d, refresh_token %d%n",
        N,
        warmUpBound.clientCredentials(),
        warmUpBound.refresh(),
        warmUpUnbound.clientCredentials(),
        warmUpUnbound.refresh(),
        b.clientCredentials(),
        b.refresh(),
        u.clientCredentials(),
        u.refresh());
    Set<String> keycloaks = new TreeSet<>(warmUpUnbound.distinct());
    keycloaks.addAll(u.distinct());
    keycloaks.forEach(s -> System.out.println("  Keycloak's own (unbound too): " + s));

    Set<String> extensions = new TreeSet<>(b.distinct());
    extensions.removeAll(keycloaks);
    assertThat(extensions)
        .as("statements a warm bound client sends that an unbound one never does")
        .isEmpty();
    assertThat(b.clientCredentials())
        .as("statements of %d warm client_credentials requests, bound vs unbound", N)
        .isLessThanOrEqualTo(u.clientCredentials());
  }

  /** The statements logged during N client_credentials and N refreshes of one client. */
  private static Counts count(TestClient http, String clientId, String user) throws IOException {
    Reply tokens = ok(http.password(clientId, SECRET, user, PASSWORD, "openid"));
    String refreshToken = tokens.json().get("refresh_token").asText();
    ok(http.clientCredentials(clientId, SECRET, "openid")); // nothing first-time in the window

    long start = logSize();
    for (int i = 0; i < N; i++) {
      ok(http.clientCredentials(clientId, SECRET, "openid"));
    }
    List<String> cc = statementsSince(start);
    long middle = logSize();
    for (int i = 0; i < N; i++) {
      Reply refreshed = ok(http.refresh(clientId, SECRET, refreshToken, null));
      refreshToken = refreshed.json().get("refresh_token").asText();
    }
    List<String> refresh = statementsSince(middle);
    List<String> all = new ArrayList<>(cc);
    all.addAll(refresh);
    return new Counts(cc.size(), refresh.size(), all);
  }

  private static Path log() {
    return Path.of(KeycloakServerExtension.required("keycloak.log.dir"))
        .resolve(NAME)
        .resolve("keycloak.log");
  }

  private static long logSize() throws IOException {
    try {
      Thread.sleep(500); // the server's log lines of the requests just answered reach the file
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Files.size(log());
  }

  /** The SQL statements Hibernate logged after this offset of the server log. */
  private static List<String> statementsSince(long offset) throws IOException {
    logSize();
    byte[] bytes = Files.readAllBytes(log());
    String text =
        new String(bytes, (int) offset, bytes.length - (int) offset, StandardCharsets.UTF_8);
    return text.lines().filter(l -> l.contains("[org.hibernate.SQL]")).toList();
  }

  private static String client(Fixtures admin, String clientId) {
    admin.createClientRepresentation(Fixtures.passwordClient(clientId, SECRET));
    return clientId;
  }
}
