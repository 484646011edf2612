package io.github.policyscopes.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.DistributionServer;
import io.github.policyscopes.it.KeycloakServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What the server benchmarks share: one real Keycloak started like the ITs start it, plain HTTP
 * (JDK {@link HttpClient}, HTTP/1.1, keep-alive), tokens that renew themselves outside the timed
 * part, and percentiles from sorted samples. Nothing here touches the extension's classes: the
 * benchmarks talk HTTP only, so they measure whatever the built JAR does.
 */
final class BenchSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  private BenchSupport() {}

  /**
   * The server of the {@code -Pbench} executions: the distribution the build unpacked, the built
   * JAR, {@code realm-export/}; metrics off (build options would re-augment the shared home).
   */
  static KeycloakServer startServer() throws IOException, InterruptedException {
    return startServer(Path.of(required("realm.export.dir")));
  }

  /** As {@link #startServer()}, importing the realms of {@code realmDir}. */
  static KeycloakServer startServer(Path realmDir) throws IOException, InterruptedException {
    KeycloakServer server =
        DistributionServer.start(
            Path.of(required("keycloak.home")),
            Path.of(required("extension.jar")),
            realmDir,
            Path.of(required("keycloak.log.dir")),
            List.of());
    System.out.printf(
        "Keycloak %s up in %.0f s at %s%n",
        System.getProperty("keycloak.version", "?"), server.startSeconds(), server.baseUrl());
    return server;
  }

  static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "-D" + property + " is not set: run the benchmark through 'mvn -Pbench verify'");
    }
    return value;
  }

  /** {@code Long.getLong} with a readable failure. */
  static long longProp(String name, long fallback) {
    return Long.getLong(name, fallback);
  }

  static double doubleProp(String name, double fallback) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() ? fallback : Double.parseDouble(value);
  }

  // ---- HTTP ----

  /** A response: status, body, headers. */
  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (" + status + "): " + body, e);
      }
    }

    @Nullable String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    Reply expect(int expected, String what) {
      if (status != expected) {
        throw new IllegalStateException(
            what + ": expected " + expected + ", got " + status + " " + abbreviated(body));
      }
      return this;
    }
  }

  static @Nullable String abbreviated(@Nullable String body) {
    return body == null || body.length() < 600 ? body : body.substring(0, 600) + "…";
  }

  /** Plain HTTP/1.1 against one server. */
  static final class Http {
    private final String baseUrl;
    private final HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    Http(String baseUrl) {
      this.baseUrl = baseUrl;
    }

    String baseUrl() {
      return baseUrl;
    }

    HttpClient client() {
      return client;
    }

    /** {@code path} is relative to the server ({@code realms/demo/config/tokenPolicies}). */
    Reply send(
        String method,
        String path,
        @Nullable String bearer,
        @Nullable Object body,
        Map<String, String> headers) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(baseUrl + "/" + path)).timeout(Duration.ofMinutes(2));
      if (bearer != null) {
        request.header("Authorization", "Bearer " + bearer);
      }
      headers.forEach(request::header);
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(toJson(body)));
      }
      return send(request.build());
    }

    Reply send(HttpRequest request) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body(), response);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    Reply get(String path, @Nullable String bearer) {
      return send("GET", path, bearer, null, Map.of());
    }

    Reply postForm(String path, Map<String, String> form) {
      return send(
          HttpRequest.newBuilder(URI.create(baseUrl + "/" + path))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form(form)))
              .build());
    }

    /** The master realm's admin (the bootstrap admin DistributionServer creates). */
    Tokens adminTokens() {
      return new Tokens(
          () ->
              postForm(
                  "realms/master/protocol/openid-connect/token",
                  Map.of(
                      "grant_type", "password",
                      "client_id", "admin-cli",
                      "username", "admin",
                      "password", "admin")));
    }

    /** client_credentials tokens of a demo realm client. */
    Tokens clientTokens(String realm, String clientId, String secret, String scope) {
      return new Tokens(
          () ->
              postForm(
                  "realms/" + realm + "/protocol/openid-connect/token",
                  Map.of(
                      "grant_type", "client_credentials",
                      "client_id", clientId,
                      "client_secret", secret,
                      "scope", scope)));
    }
  }

  static String form(Map<String, String> form) {
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(enc(k) + "=" + enc(v)));
    return body.toString();
  }

  static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String toJson(Object body) {
    try {
      return body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An access token renewed when less than 20 s of it are left; call {@link #get()} before starting
   * the clock, so that a renewal is never timed.
   */
  static final class Tokens {
    private final Supplier<Reply> issue;
    private @Nullable String token;
    private long expiresAt;

    Tokens(Supplier<Reply> issue) {
      this.issue = issue;
    }

    synchronized String get() {
      if (token == null || expiresAt - System.currentTimeMillis() / 1000 < 20) {
        Reply reply = issue.get().expect(200, "token request");
        token = reply.json().get("access_token").asText();
        try {
          JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.", -1)[1]));
          expiresAt = claims.get("exp").asLong();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return token;
    }
  }

  // ---- statistics ----

  /** Latency samples in nanoseconds; percentiles by nearest rank over the sorted samples. */
  static final class Samples {
    private long[] values = new long[256];
    private int size;

    void add(long nanos) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = nanos;
    }

    int size() {
      return size;
    }

    /** The q-quantile (0 &lt; q ≤ 1) in milliseconds: the ceil(q·n)-th smallest sample. */
    double percentileMs(double q) {
      if (size == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(q * size);
      return sorted[Math.max(0, Math.min(size, rank) - 1)] / 1e6;
    }

    double meanMs() {
      if (size == 0) {
        return Double.NaN;
      }
      double sum = 0;
      for (int i = 0; i < size; i++) {
        sum += values[i];
      }
      return sum / size / 1e6;
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String fmt(double value) {
    return String.format(Locale.ROOT, "%.3f", value);
  }

  /** The title of the policy of {@link #configAdminRealm}'s {@code config-admin}. */
  static final String CONFIG_ADMIN_TITLE = "Bench config admin";

  /**
   * A realm file to import: the realm with the given policies, and the confidential client {@code
   * config-admin} (secret {@code config-admin-secret}, a service account) whose policy {@code
   * bench-config-admin} grants {@code *:**}.
   */
  static ObjectNode configAdminRealm(String name, List<ObjectNode> policies) {
    ObjectNode realm = JSON.createObjectNode();
    realm.put("realm", name);
    realm.put("enabled", true);
    ArrayNode scopes = realm.putArray("clientScopes");
    scopes.add(policyScope("bench-config-admin", CONFIG_ADMIN_TITLE, List.of("*:**")));
    scopes.addAll(policies);
    ObjectNode client = realm.putArray("clients").addObject();
    client.put("clientId", "config-admin");
    client.put("secret", "config-admin-secret");
    client.put("publicClient", false);
    client.put("serviceAccountsEnabled", true);
    client.put("standardFlowEnabled", false);
    client.putArray("defaultClientScopes").add("bench-config-admin");
    client.putArray("optionalClientScopes");
    return realm;
  }

  /** The stored form PolicyStore.create writes: a client scope with one policy mapper. */
  static ObjectNode policyScope(String name, String title, List<String> allowed) {
    ObjectNode scope = JSON.createObjectNode();
    scope.put("name", name);
    scope.put("description", title);
    scope.put("protocol", "openid-connect");
    ObjectNode attributes = scope.putObject("attributes");
    attributes.put("include.in.token.scope", "false");
    attributes.put("display.on.consent.screen", "false");
    ObjectNode mapper = scope.putArray("protocolMappers").addObject();
    mapper.put("name", "token policy");
    mapper.put("protocol", "openid-connect");
    mapper.put("protocolMapper", "pbs-token-policy");
    ObjectNode config = mapper.putObject("config");
    config.put("allowedScopes", String.join("##", allowed));
    config.put("disallowedScopes", "ignore");
    return scope;
  }

  /** A benchmark's body. */
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs a benchmark's body and ends the JVM with its outcome, as JMH's runner does: {@code exec}
   * waits for the JVM, and a thread left behind by a library (an HTTP client's, a process reaper's)
   * must not keep a finished run waiting. A failure exits non-zero, so the build fails.
   */
  @SuppressWarnings("SystemExitOutsideMain")
  static void exitWhenDone(Body body) {
    int status = 0;
    try {
      body.run();
    } catch (Exception | Error e) {
      e.printStackTrace();
      status = 1;
    }
    System.out.flush();
    System.exit(status);
  }
}
