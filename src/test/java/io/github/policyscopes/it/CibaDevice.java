package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The users' authentication device of CIBA (OpenID Connect Client-Initiated Backchannel
 * Authentication), on loopback: Keycloak's HTTP authentication channel ({@code
 * ciba-http-auth-channel}) posts each backchannel authentication request here; a test then approves
 * it as the user's device would, through Keycloak's callback endpoint. One per test JVM, started
 * before the server, whose start options name it ({@link #serverOption}).
 */
public final class CibaDevice {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile CibaDevice instance;

  /** A backchannel request as the device received it: its bearer and Keycloak's JSON body. */
  public record Request(String bearer, JsonNode body) {
    /** The scopes Keycloak asks the user to approve. */
    public String scope() {
      return body.path("scope").asText();
    }
  }

  private final HttpServer server;
  private final Map<String, BlockingQueue<Request>> byLoginHint = new ConcurrentHashMap<>();

  private CibaDevice() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/ciba",
        exchange -> {
          try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            String hint = body.path("login_hint").asText();
            queue(hint)
                .add(new Request(auth == null ? "" : auth.replaceFirst("^Bearer ", ""), body));
            exchange.sendResponseHeaders(201, -1);
          }
        });
    server.setExecutor(null);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
  }

  /** The device of this test JVM, started on first use. */
  public static synchronized CibaDevice get() {
    if (instance == null) {
      try {
        instance = new CibaDevice();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** The {@code kc.sh} option that points Keycloak's HTTP authentication channel here. */
  public static String serverOption() {
    return "--spi-ciba-auth-channel--ciba-http-auth-channel--http-authentication-channel-uri="
        + get().uri();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ciba");
  }

  private BlockingQueue<Request> queue(String loginHint) {
    return byLoginHint.computeIfAbsent(loginHint, hint -> new LinkedBlockingQueue<>());
  }

  /** Forgets what Keycloak sent for this user so far (before a new authentication request). */
  public void forget(String loginHint) {
    queue(loginHint).clear();
  }

  /** The next request Keycloak sent for this user, or an error after {@code timeout}. */
  public Request await(String loginHint, Duration timeout) throws InterruptedException {
    Request request = queue(loginHint).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (request == null) {
      throw new IllegalStateException(
          "Keycloak sent no CIBA authentication request for " + loginHint + " in " + timeout);
    }
    return request;
  }

  /** The user approves (or denies) the request on the device: Keycloak's callback endpoint. */
  public static Reply answer(TestClient http, String realm, Request request, boolean approve) {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    http.realmUrl(realm) + "/protocol/openid-connect/ext/ciba/auth/callback"))
            .header("Authorization", "Bearer " + request.bearer())
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"status\":\"" + (approve ? "SUCCEED" : "UNAUTHORIZED") + "\"}")));
  }
}
