package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The config REST API of the demo realm over plain HTTP: {@code /realms/demo/config/...} with a
 * bearer token. Paths are relative to the realm ({@code config/tokenPolicies/abc}) and are sent
 * exactly as written: through {@link java.net.http.HttpClient} when {@link URI} accepts the
 * spelling, otherwise through a plain HTTP/1.1 request on a {@link Socket} ({@link #raw}).
 */
public final class ConfigApi {

  public static final String REALM = TestClient.REALM;
  public static final ObjectMapper JSON = new ObjectMapper();

  private final TestClient client;
  private final HttpClient http;

  public ConfigApi(TestClient client) {
    this.client = client;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public TestClient client() {
    return client;
  }

  /** {@code http://localhost:port/realms/demo/} + {@code path}. */
  public String url(String path) {
    return client.realmUrl(REALM) + "/" + path;
  }

  // ---- HttpClient ----

  public Reply get(String token, String path) {
    return send("GET", path, token, null);
  }

  public Reply post(String token, String path, Object body) {
    return send("POST", path, token, body);
  }

  public Reply put(String token, String path, Object body) {
    return send("PUT", path, token, body);
  }

  public Reply delete(String token, String path) {
    return send("DELETE", path, token, null);
  }

  /**
   * One request. {@code body}: null (none), a String (sent as is) or an object (as JSON); {@code
   * headers}: name, value, name, value…
   */
  /** A CORS preflight of {@code method} with {@code headers} from {@code origin}. */
  public Reply preflight(String path, String origin, String method, String headers) {
    return send(
        "OPTIONS",
        path,
        null,
        null,
        "Origin",
        origin,
        "Access-Control-Request-Method",
        method,
        "Access-Control-Request-Headers",
        headers);
  }

  public Reply send(String method, String path, String token, Object body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    boolean contentType = false;
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
      contentType |= headers[i].equalsIgnoreCase("Content-Type");
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      if (!contentType) {
        request.header("Content-Type", "application/json");
      }
      request.method(method, HttpRequest.BodyPublishers.ofString(TestClient.toJson(body)));
    }
    return send(request.build());
  }

  public Reply send(HttpRequest request) {
    try {
      return Reply.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- raw spellings ----

  /**
   * The path exactly as written: through the HttpClient when {@link URI} accepts it, else through
   * {@link #socket}.
   */
  public Reply raw(String method, String rawPath, String token) {
    boolean visibleAscii = rawPath.chars().allMatch(c -> c > 0x20 && c < 0x7F);
    if (!visibleAscii) {
      return socket(method, rawPath, token);
    }
    try {
      new URI(url(rawPath));
    } catch (URISyntaxException e) {
      return socket(method, rawPath, token);
    }
    try {
      return send(method, rawPath, token, null);
    } catch (UncheckedIOException e) {
      // the server closed the connection without answering: status 0, certainly not a 2xx
      return Reply.none(method + " " + url(rawPath));
    }
  }

  /**
   * A plain HTTP/1.1 request on a socket, the request target written byte for byte (UTF-8) as
   * {@code /realms/demo/} + {@code rawPath}: for spellings {@link URI} refuses (a raw backslash, a
   * space, non-ASCII). Status 0 when the server closes the connection without an answer.
   */
  public Reply socket(String method, String rawPath, String token) {
    URI base = URI.create(client.baseUrl());
    String host = base.getHost();
    int port = base.getPort() < 0 ? 80 : base.getPort();
    String target = base.getRawPath() + "/realms/" + REALM + "/" + rawPath;
    StringBuilder request = new StringBuilder();
    request.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(host).append(':').append(port).append("\r\n");
    if (token != null) {
      request.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      request.append("Content-Length: 0\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return parse(
          method + " http://" + host + ":" + port + target,
          socket.getInputStream(),
          "HEAD".equals(method));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything a raw socket answers until the server closes it (or resets it: kept as read). */
  public static byte[] readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (java.net.SocketException e) {
      // a reset after (or instead of) the answer: keep what arrived
    }
    return all.toByteArray();
  }

  private static Reply parse(String request, InputStream in, boolean head) throws IOException {
    byte[] bytes = readUntilClosed(in);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    if (bytes.length == 0) {
      // the server closed the connection without answering: status 0, certainly not a 2xx
      return Reply.none(request);
    }
    int headerEnd = text.indexOf("\r\n\r\n");
    assertThat(headerEnd).as("an HTTP response, got: " + text).isGreaterThan(0);
    String[] lines = text.substring(0, headerEnd).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    assertThat(statusLine[0]).as("status line " + lines[0]).startsWith("HTTP/1.");
    int status = Integer.parseInt(statusLine[1]);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body = new byte[bytes.length - headerEnd - 4];
    System.arraycopy(bytes, headerEnd + 4, body, 0, body.length);
    String transfer = firstOr(headers, "Transfer-Encoding", "");
    if (!head && transfer.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = dechunk(body);
    }
    return new Reply(
        request, status, headers, head ? "" : new String(body, StandardCharsets.UTF_8));
  }

  private static String firstOr(Map<String, List<String>> headers, String name, String otherwise) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? otherwise : values.get(0);
  }

  private static byte[] dechunk(byte[] chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < chunked.length) {
      int lineEnd = pos;
      while (lineEnd + 1 < chunked.length
          && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
        lineEnd++;
      }
      String sizeLine = new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
      int semicolon = sizeLine.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        break;
      }
      int start = lineEnd + 2;
      out.write(chunked, start, Math.min(size, chunked.length - start));
      pos = start + size + 2;
    }
    return out.toByteArray();
  }

  // ---- tokens ----

  /** An access token of a {@code client_credentials} request; fails unless the request is 200. */
  public String token(String clientId, String secret, String scope) {
    Reply reply = client.clientCredentials(clientId, secret, scope);
    assertThat(reply).as("token for " + clientId).hasStatus(200);
    return reply.json().get("access_token").asText();
  }

  /** The granted scope of a token (its claim), or "" when it has none. */
  public static String scopeOf(String token) {
    return TestClient.claims(token).path("scope").asText("");
  }

  // ---- bodies ----

  public static ObjectNode policyBody(String title, String... allowedScopes) {
    ObjectNode body = JSON.createObjectNode();
    body.put("title", title);
    ArrayNode scopes = body.putArray("allowedScopes");
    for (String scope : allowedScopes) {
      scopes.add(scope);
    }
    return body;
  }

  public static ObjectNode clientBody(String clientId, String... tokenPolicies) {
    ObjectNode body = JSON.createObjectNode();
    body.put("clientId", clientId);
    body.put("name", clientId);
    body.put("type", "confidential");
    body.putArray("grantTypes").add("client_credentials");
    ArrayNode policies = body.putArray("tokenPolicies");
    for (String policy : tokenPolicies) {
      policies.add(policy);
    }
    return body;
  }

  /** A JSON object from name, value, name, value… */
  public static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** Creates a policy through the API; fails unless 201. Returns the created policy. */
  public JsonNode createPolicy(String token, String title, String... allowedScopes) {
    Reply created = post(token, "config/tokenPolicies", policyBody(title, allowedScopes));
    assertThat(created).as("create policy " + title).hasStatus(201);
    return created.json();
  }

  /** Creates a confidential client_credentials client through the API; fails unless 201. */
  public JsonNode createClient(String token, String clientId, String... tokenPolicies) {
    Reply created = post(token, "config/clients", clientBody(clientId, tokenPolicies));
    assertThat(created).as("create client " + clientId).hasStatus(201);
    return created.json();
  }

  /** The strings of a JSON array field. */
  public static List<String> strings(JsonNode node, String field) {
    List<String> out = new ArrayList<>();
    node.path(field).forEach(n -> out.add(n.asText()));
    return out;
  }

  /**
   * The scope a request needs (docs/contract.md §2): {@code .:path} to read, {@code *:path} to
   * write.
   */
  public static String requiredScope(String method, String path) {
    boolean read = "GET".equals(method) || "HEAD".equals(method);
    boolean secret = path.matches("config/clients/[^/]+/secret(/.*)?");
    return (read && !secret ? ".:" : "*:") + path;
  }
}
