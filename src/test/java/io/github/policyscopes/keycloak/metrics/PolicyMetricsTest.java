package io.github.policyscopes.keycloak.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Answered;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.policy.IssuanceDecision.Outcome;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters and their tags, in a real (in-memory) Micrometer registry. */
class PolicyMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void issuanceCountsTheOutcomeAndTheDroppedScopes() {
    PolicyMetrics metrics = new PolicyMetrics(registry, false);
    metrics.countIssuance("demo", "client_credentials", "c1", Outcome.DROPPED_SOME, 2);
    metrics.countIssuance("demo", "client_credentials", "c2", Outcome.DROPPED_SOME, 3);
    metrics.countIssuance("demo", "password", "c1", Outcome.REJECTED, 1);

    assertThat(
            registry
                .get(PolicyMetrics.ISSUANCE)
                .tags("realm", "demo", "grant_type", "client_credentials")
                .tag("outcome", "dropped_some")
                .counter()
                .count())
        .isEqualTo(2);
    assertThat(
            registry
                .get(PolicyMetrics.DROPPED)
                .tags("realm", "demo", "grant_type", "client_credentials")
                .counter()
                .count())
        .isEqualTo(5);
    assertCounted(PolicyMetrics.ISSUANCE, "outcome", "rejected");
    // bounded by default: no client id anywhere
    assertThat(registry.getMeters())
        .allSatisfy(m -> assertThat(m.getId().getTag("client_id")).isNull());
  }

  @Test
  void theClientIdTagOnlyWhenTheOptionIsOn() {
    PolicyMetrics metrics = new PolicyMetrics(registry, true);
    metrics.countIssuance("demo", "client_credentials", "c1", Outcome.GRANTED_ALL, 0);
    metrics.countConfigApi(new Answered("demo", "clients/{id}", "GET", 200, "c1", null), 1_000_000);
    metrics.countConfigApi(new Answered("demo", "clients", "GET", 401, null, null), 1_000_000);

    assertCounted(PolicyMetrics.ISSUANCE, "client_id", "c1");
    assertCounted(PolicyMetrics.REQUESTS, "client_id", "c1");
    // before the token is verified there is no client: an empty value, as Keycloak's own meters
    assertCounted(PolicyMetrics.REQUESTS, "client_id", "");
  }

  @Test
  void configApiCountsRequestsRefusalsAndLatency() {
    PolicyMetrics metrics = new PolicyMetrics(registry, false);
    metrics.countConfigApi(
        new Answered("demo", "tokenPolicies/{id}", "GET", 403, "c", Refusal.DENY), 2_000_000);
    metrics.countConfigApi(
        new Answered("demo", "tokenPolicies", "POST", 403, "c", Refusal.ESCALATION), 2_000_000);
    metrics.countConfigApi(
        new Answered("demo", "tokenPolicies/{id}", "PUT", 412, "c", Refusal.IF_MATCH), 1);
    metrics.countConfigApi(
        new Answered("demo", "tokenPolicies/{id}", "DELETE", 409, "c", Refusal.BOUND), 1);
    metrics.countConfigApi(
        new Answered("demo", "tokenPolicies/{id}", "GET", 200, "c", null), 30_000_000);

    assertThat(
            registry
                .get(PolicyMetrics.REQUESTS)
                .tags("resource", "tokenPolicies/{id}", "method", "GET", "status", "403")
                .counter()
                .count())
        .isEqualTo(1);
    assertCounted(PolicyMetrics.FORBIDDEN, "reason", "deny");
    assertCounted(PolicyMetrics.FORBIDDEN, "reason", "escalation");
    assertCounted(PolicyMetrics.CONFLICTS, "kind", "if_match");
    assertCounted(PolicyMetrics.CONFLICTS, "kind", "bound");
    var timer =
        registry
            .get(PolicyMetrics.DURATION)
            .tags("resource", "tokenPolicies/{id}", "method", "GET")
            .timer();
    assertThat(timer.count()).isEqualTo(2);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(32);
    // the route template is the only resource tag: no id, no scope string
    assertThat(registry.getMeters())
        .map(Meter::getId)
        .allSatisfy(
            id ->
                assertThat(id.getTags())
                    .allSatisfy(t -> assertThat(t.getValue()).doesNotContain("config/")));
  }

  @Test
  void disabledMetricsRegisterNothing() {
    // configure() has not run (or ran with metrics-enabled=false): every call is a no-op
    PolicyMetrics.issuance(
        "demo",
        "client_credentials",
        "c",
        new io.github.policyscopes.policy.IssuanceDecision.Tally(
            Outcome.EMPTY, List.of("x"), List.of()));
    PolicyMetrics.configApi(
        new Answered("demo", "clients", "GET", 200, "c", null), PolicyMetrics.start());
    assertThat(PolicyMetrics.start()).isZero();
    assertThat(io.micrometer.core.instrument.Metrics.globalRegistry.getMeters())
        .noneMatch(m -> m.getId().getName().startsWith("keycloak."));
  }

  /** Exactly one count on the counter {@code name} whose tag {@code key} is {@code value}. */
  private void assertCounted(String name, String key, String value) {
    assertThat(registry.get(name).tag(key, value).counter().count())
        .as(name + " " + key + "=" + value)
        .isEqualTo(1);
  }
}
