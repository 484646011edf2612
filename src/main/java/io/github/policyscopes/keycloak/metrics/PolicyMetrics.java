package io.github.policyscopes.keycloak.metrics;

import io.github.policyscopes.policy.IssuanceDecision.Outcome;
import io.github.policyscopes.policy.IssuanceDecision.Tally;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.Config;

/**
 * The extension's meters, in Keycloak's own Micrometer registry ({@link Metrics#globalRegistry}, as
 * Keycloak's own providers register theirs), so they appear on the management port's {@code
 * /metrics} with {@code --metrics-enabled=true}. Names and tags: docs/adr/0019-metrics.md.
 *
 * <p>Keycloak decides as its own providers do ({@code PasswordCredentialProviderFactory}): the
 * option {@code metrics-enabled}, read once at start. When it is off nothing is registered, and
 * every call below returns after one null check: no clock read, no tag, no lookup.
 *
 * <p>Tags are bounded: realm names, the wrapped grant types, route templates, methods, status codes
 * and fixed reason words. A {@code client_id} tag is added only when the provider option {@value
 * #CLIENT_ID_TAG_OPTION} is true, as Keycloak's event metrics add theirs only on request.
 */
public final class PolicyMetrics {

  private static final Logger LOG = Logger.getLogger(PolicyMetrics.class);

  static final String ISSUANCE = "keycloak.token.policy.issuance";
  static final String DROPPED = "keycloak.token.policy.dropped.scopes";
  static final String REQUESTS = "keycloak.config.api.requests";
  static final String FORBIDDEN = "keycloak.config.api.forbidden";
  static final String CONFLICTS = "keycloak.config.api.conflicts";
  static final String DURATION = "keycloak.config.api.request.duration";

  /** Keycloak's own option ({@code --metrics-enabled}), read from the root of its config. */
  static final String METRICS_ENABLED = "metrics-enabled";

  /**
   * Provider option of the config API ({@code
   * --spi-realm-restapi-extension--config--metrics-client-id-tag-enabled=true}): tag every meter
   * with the client's clientId. Off by default: one series per client.
   */
  public static final String CLIENT_ID_TAG_OPTION = "metrics-client-id-tag-enabled";

  /**
   * The buckets of the latency timer: invariant I6 of docs/contract.md asks for well under 100 ms
   * at p99.
   */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(1000)
  };

  /** Why the config API refused a request, as far as its meters tell. */
  public enum Refusal {
    /** 403: a deny of the caller matched. */
    DENY(true),
    /** 403: no scope of the caller grants it (or the policies behind it are not readable). */
    NOT_GRANTED(true),
    /** 403: the request would hand out, or act with, more than the caller covers. */
    ESCALATION(true),
    /** 403: the client holds Keycloak power. */
    PRIVILEGED_CLIENT(true),
    /** 412: {@code If-Match} does not match the current ETag. */
    IF_MATCH(false),
    /** 409: the policy is bound to clients. */
    BOUND(false);

    private final boolean forbidden;

    Refusal(boolean forbidden) {
      this.forbidden = forbidden;
    }

    /** The tag value: the name in lower case. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Null while metrics are off: the only thing a disabled call reads. */
  private static volatile @Nullable PolicyMetrics current;

  private final MeterRegistry registry;
  private final boolean clientIdTag;

  PolicyMetrics(MeterRegistry registry, boolean clientIdTag) {
    this.registry = registry;
    this.clientIdTag = clientIdTag;
  }

  /**
   * Reads the options at Keycloak's start (from the config API's provider factory): {@code
   * metrics-enabled} from Keycloak's root config, {@value #CLIENT_ID_TAG_OPTION} from the
   * provider's.
   */
  public static void configure(Config.Scope providerConfig) {
    boolean enabled = providerConfig.root().getBoolean(METRICS_ENABLED, false);
    boolean clientId = providerConfig.getBoolean(CLIENT_ID_TAG_OPTION, false);
    current = enabled ? new PolicyMetrics(Metrics.globalRegistry, clientId) : null;
    LOG.debugf("policy-bound scopes metrics: %s", enabled ? "on" : "off");
  }

  /** Whether metrics are on: call sites skip even gathering tag values when they are not. */
  public static boolean enabled() {
    return current != null;
  }

  // ---- token issuance ----

  /**
   * One token request of a policy-bound client, issued or refused: its outcome and the scopes the
   * client asked for and did not get ({@link Tally#dropped}; for {@code rejected}, the scopes that
   * failed the request). Keycloak's default client scopes the policy filtered are not counted.
   */
  public static void issuance(String realm, String grantType, String clientId, Tally tally) {
    PolicyMetrics m = current;
    if (m != null) {
      m.countIssuance(realm, grantType, clientId, tally.outcome(), tally.dropped().size());
    }
  }

  void countIssuance(
      String realm, String grantType, String clientId, Outcome outcome, int dropped) {
    Tags tags =
        withClient(Tags.of("realm", value(realm), "grant_type", value(grantType)), clientId);
    Counter.builder(ISSUANCE)
        .description("Token requests of clients bound to a token policy, by outcome")
        .tags(tags.and("outcome", outcome.tag()))
        .register(registry)
        .increment();
    Counter.builder(DROPPED)
        .description("Scopes a token policy dropped from token requests")
        .tags(tags)
        .register(registry)
        .increment(dropped);
  }

  // ---- the config API ----

  /** The start of a config API request: a clock reading when metrics are on, else 0. */
  public static long start() {
    return current == null ? 0 : System.nanoTime();
  }

  /**
   * One answered config API request.
   *
   * @param resource the route's tag ({@code tokenPolicies/{id}}: {@link
   *     io.github.policyscopes.access.Route#tag}, or {@link
   *     io.github.policyscopes.access.Routes#UNKNOWN_TAG}), never a raw path
   * @param clientId the caller's client, or null before the token is verified
   * @param refusal why a 403, 409 or 412 was answered, when it is one the meters count; else null
   */
  public record Answered(
      String realm,
      String resource,
      String method,
      int status,
      @Nullable String clientId,
      @Nullable Refusal refusal) {}

  /**
   * Counts an answered config API request and the time it took.
   *
   * @param started {@link #start()}
   */
  public static void configApi(Answered answered, long started) {
    PolicyMetrics m = current;
    if (m != null) {
      m.countConfigApi(answered, System.nanoTime() - started);
    }
  }

  void countConfigApi(Answered answered, long nanos) {
    String realm = answered.realm();
    @Nullable String clientId = answered.clientId();
    @Nullable Refusal refusal = answered.refusal();
    Tags realmTags = withClient(Tags.of("realm", value(realm)), clientId);
    Tags route =
        realmTags.and("resource", value(answered.resource()), "method", value(answered.method()));
    Counter.builder(REQUESTS)
        .description("Config API requests, by route template and status")
        .tags(route.and("status", String.valueOf(answered.status())))
        .register(registry)
        .increment();
    Timer.builder(DURATION)
        .description("Time the config API took to answer, by route template")
        .tags(route)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (refusal == null) {
      return;
    }
    if (refusal.forbidden) {
      Counter.builder(FORBIDDEN)
          .description("Config API requests refused with 403, by reason")
          .tags(realmTags.and("reason", refusal.tag()))
          .register(registry)
          .increment();
    } else {
      Counter.builder(CONFLICTS)
          .description("Config API writes refused by If-Match (412) or a binding (409)")
          .tags(realmTags.and("kind", refusal.tag()))
          .register(registry)
          .increment();
    }
  }

  private Tags withClient(Tags tags, @Nullable String clientId) {
    return clientIdTag ? tags.and("client_id", value(clientId)) : tags;
  }

  private static String value(@Nullable String tag) {
    return tag == null ? "" : tag;
  }
}
