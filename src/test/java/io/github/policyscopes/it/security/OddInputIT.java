package io.github.policyscopes.it.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.TestClient;
import io.github.policyscopes.it.api.ConfigApi;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * invariant I7 of docs/contract.md, never a 500 for bad input: odd {@code Content-Type} spellings
 * on writes (an empty header, a lone {@code ;}, a type without subtype, garbage, charset
 * parameters) and junk in the query string. Sent byte for byte on a socket so that no client
 * library tidies them up.
 */
class OddInputIT extends OnSharedKeycloak {

  private static TestClient client;
  private static String token;
  private static String clientPath;

  @BeforeAll
  static void setUp() {
    token = fixtures.allPowerToken();
    clientPath =
        "config/clients/"
            + fixtures.api().createClient(token, Fixtures.unique("odd-input")).get("id").asText();
  }

  /** One HTTP/1.1 request; {@code headerLines} are written exactly as given. Returns the status. */
  private static int send(String method, String path, String body, String... headerLines) {
    URI base = URI.create(client.baseUrl());
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder();
    request
        .append(method)
        .append(' ')
        .append(base.getRawPath())
        .append("/realms/demo/")
        .append(path)
        .append(" HTTP/1.1\r\n");
    request.append("Host: ").append(base.getHost()).append(':').append(base.getPort());
    request.append("\r\nAuthorization: Bearer ").append(token).append("\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    request.append("Content-Length: ").append(bytes.length).append("\r\n");
    request.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(bytes);
      out.flush();
      String text =
          new String(
              ConfigApi.readUntilClosed(socket.getInputStream()), StandardCharsets.ISO_8859_1);
      if (text.isEmpty()) {
        return 0;
      }
      return Integer.parseInt(text.split(" ", 3)[1]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void anEmptyContentTypeIs415() {
    String body = TestClient.toJson(ConfigApi.policyBody(Fixtures.unique("Empty CT"), "openid"));
    assertThat(send("POST", "config/tokenPolicies", body, "Content-Type:")).isEqualTo(415);
    assertThat(send("POST", "config/tokenPolicies", body, "Content-Type: ")).isEqualTo(415);
    assertThat(send("PUT", clientPath, "{}", "Content-Type:")).isEqualTo(415);
  }

  @Test
  void oddContentTypesAreNeverA5xx() {
    String[] types = {
      "Content-Type:",
      "Content-Type: ;",
      "Content-Type: ;;",
      "Content-Type: application/",
      "Content-Type: /json",
      "Content-Type: /",
      "Content-Type: application",
      "Content-Type: garbage",
      "Content-Type: \u0001\u0002",
      "Content-Type: application/json; charset",
      "Content-Type: application/json; charset=",
      "Content-Type: application/json; charset=\"",
      "Content-Type: application/json; charset=no-such-charset",
      "Content-Type: application/json; charset=utf-8; charset=latin1",
      "Content-Type: application/json;;;",
      "Content-Type: application/json, text/plain",
      "Content-Type: application/json\tx",
      "Content-Type: */*",
      "Content-Type: application/*",
      "Content-Type: APPLICATION/JSON",
      "Content-Type: application/problem+json; q=",
    };
    List<String> failures = new ArrayList<>();
    for (String type : types) {
      String body = TestClient.toJson(ConfigApi.policyBody(Fixtures.unique("Odd CT"), "openid"));
      int created = send("POST", "config/tokenPolicies", body, type);
      int updated = send("PUT", clientPath, "{\"name\": \"odd\"}", type);
      for (int status : new int[] {created, updated}) {
        if (status >= 500 || status == 0) {
          failures.add(type + " -> " + status);
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void queryJunkIsNeverA5xx() {
    String huge = "9".repeat(6000);
    String[] queries = {
      "?first=",
      "?max=",
      "?first=&max=",
      "?first=-1",
      "?max=0",
      "?first=abc",
      "?max=1e3",
      "?first=99999999999999999999",
      "?first=2147483647&max=1000",
      "?max=" + huge,
      "?first=%zz",
      "?first=%",
      "?max=%00",
      "?first=1&first=x",
      "?" + "a=b&".repeat(500),
    };
    List<String> failures = new ArrayList<>();
    for (String query : queries) {
      for (String collection : List.of("config/tokenPolicies", "config/clients")) {
        int status = send("GET", collection + query, null);
        if (status >= 500 || status == 0) {
          failures.add(
              collection + query.substring(0, Math.min(query.length(), 60)) + " -> " + status);
        }
      }
    }
    for (String query :
        new String[] {
          "?method=",
          "?path=",
          "?method=&path=",
          "?method=GET&path=%zz",
          "?path=" + huge,
          "?method=" + huge + "&path=config"
        }) {
      int status = send("GET", "config/whoami" + query, null);
      if (status >= 500 || status == 0) {
        failures.add("whoami" + query.substring(0, Math.min(query.length(), 60)) + " -> " + status);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void oddConditionalHeadersAreNeverA5xx() {
    String[] headers = {
      "If-Match:", "If-Match: ,", "If-Match: \"", "If-None-Match:", "If-None-Match: ,,",
      "If-None-Match: W/", "If-None-Match: \u0001", "Origin:", "Origin: null", "Origin: ::::"
    };
    List<String> failures = new ArrayList<>();
    for (String header : headers) {
      for (String method : List.of("GET", "HEAD", "DELETE")) {
        int status = send(method, "config/clients/no-such-id", null, header);
        if (status >= 500 || status == 0) {
          failures.add(method + " " + header + " -> " + status);
        }
      }
      int put =
          send("PUT", clientPath, "{\"name\": \"odd\"}", header, "Content-Type: application/json");
      if (put >= 500 || put == 0) {
        failures.add("PUT " + header + " -> " + put);
      }
    }
    assertThat(failures).isEmpty();
  }
}
