package io.github.policyscopes.it.cluster;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./run-demo.sh --cluster}: the cluster of {@link ClusterIT} for a person, on fixed ports.
 * PostgreSQL on a free port (data discarded at exit), node kc-A on :8080 (imports the demo realm)
 * and kc-B on :8081, both issuing tokens for {@code http://127.0.0.1:8080}. Ctrl-C stops all.
 *
 * <p>Arguments: distribution home, cluster directory, extension JAR, realm directory, log
 * directory, HTTP port of A, HTTP port of B.
 */
public final class ClusterDemo {

  private ClusterDemo() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println(
          "usage: ClusterDemo <keycloak home> <cluster dir> <extension jar> <realm dir> <log dir>"
              + " <port A> <port B>");
      System.exit(2);
    }
    int[] ports = {Integer.parseInt(args[5]), Integer.parseInt(args[6])};
    System.out.println(
        "Starting PostgreSQL and two Keycloak nodes (build, then kc-A, then kc-B): a few minutes…");
    KeycloakCluster cluster =
        KeycloakCluster.start(
            Path.of(args[0]),
            Path.of(args[1]),
            Path.of(args[2]),
            Path.of(args[3]),
            Path.of(args[4]),
            ports);
    cluster.timings().forEach((phase, s) -> System.out.printf("  %6.1f s  %s%n", s, phase));
    cluster.awaitViews(2, java.time.Duration.ofSeconds(120));
    System.out.println("kc-A: " + cluster.a().lastViewLine().orElse("(no view yet)"));
    System.out.println("kc-B: " + cluster.b().lastViewLine().orElse("(no view yet)"));
    System.out.printf(
        "%nCluster ready: kc-A %s, kc-B %s (admin / admin), PostgreSQL on 127.0.0.1:%d"
            + " (user postgres, trust).%nBoth nodes issue tokens for %s: a token from one works on"
            + " the other; the admin console signs in through %s.%nLogs: %s. Ctrl-C stops"
            + " everything and discards the database.%n",
        cluster.a().baseUrl(),
        cluster.b().baseUrl(),
        cluster.database().port(),
        cluster.hostname(),
        cluster.hostname(),
        cluster.logDir());
    // the cluster's shutdown hooks stop both nodes and PostgreSQL on Ctrl-C
    new CountDownLatch(1).await();
  }
}
