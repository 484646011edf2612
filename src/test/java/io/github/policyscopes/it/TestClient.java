package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** Plain HTTP against the test server: token requests, introspection, the admin REST API. */
public final class TestClient {

  public static final String REALM = "demo";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public TestClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public String baseUrl() {
    return baseUrl;
  }

  public String realmUrl(String realm) {
    return baseUrl + "/realms/" + realm;
  }

  /** {@code key, value, key, value…}; null values are left out. */
  public static Map<String, String> form(String... keysAndValues) {
    Map<String, String> form = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] != null) {
        form.put(keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return form;
  }

  public Reply token(String realm, Map<String, String> form) {
    return postForm(realmUrl(realm) + "/protocol/openid-connect/token", form);
  }

  public Reply clientCredentials(String clientId, String secret, String scope) {
    return clientCredentials(REALM, clientId, secret, scope);
  }

  /** A {@code client_credentials} request to {@code realm}'s token endpoint. */
  public Reply clientCredentials(String realm, String clientId, String secret, String scope) {
    return grant(realm, "client_credentials", clientId, secret, "scope", scope);
  }

  /** A resource owner password grant of the demo realm; a null scope is left out. */
  public Reply password(
      String clientId, String secret, String username, String password, String scope) {
    return grant(
        REALM,
        "password",
        clientId,
        secret,
        "username",
        username,
        "password",
        password,
        "scope",
        scope);
  }

  /** A refresh of the demo realm; a null scope is left out. */
  public Reply refresh(String clientId, String secret, String refreshToken, String scope) {
    return grant(
        REALM, "refresh_token", clientId, secret, "refresh_token", refreshToken, "scope", scope);
  }

  /** A standard token exchange (an access token for another) of the demo realm. */
  public Reply exchange(String clientId, String secret, String subjectToken, String scope) {
    return grant(
        REALM,
        "urn:ietf:params:oauth:grant-type:token-exchange",
        clientId,
        secret,
        "subject_token",
        subjectToken,
        "subject_token_type",
        "urn:ietf:params:oauth:token-type:access_token",
        "scope",
        scope);
  }

  /**
   * A confidential client's token request of {@code grantType} to {@code realm}: its {@code
   * client_id} and {@code client_secret}, then {@code more} ({@link #form}: null values left out).
   */
  public Reply grant(
      String realm, String grantType, String clientId, String secret, String... more) {
    Map<String, String> form =
        form("grant_type", grantType, "client_id", clientId, "client_secret", secret);
    form.putAll(form(more));
    return token(realm, form);
  }

  public Reply introspect(String realm, String clientId, String secret, String token) {
    return postForm(
        realmUrl(realm) + "/protocol/openid-connect/token/introspect",
        form("client_id", clientId, "client_secret", secret, "token", token));
  }

  /** The userinfo endpoint's answer to a GET with this access token. */
  public Reply userinfo(String realm, String accessToken) {
    return send(
        HttpRequest.newBuilder(URI.create(realmUrl(realm) + "/protocol/openid-connect/userinfo"))
            .header("Authorization", "Bearer " + accessToken)
            .GET());
  }

  public Reply postForm(String url, Map<String, String> form) {
    StringJoiner body = new StringJoiner("&");
    form.forEach((k, v) -> body.add(encode(k) + "=" + encode(v)));
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  public Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      return Reply.of(response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- the admin REST API (what the admin console calls); paths are relative to /admin/ ----

  public String adminToken() {
    Reply reply =
        token(
            "master",
            form(
                "grant_type", "password",
                "client_id", "admin-cli",
                "username", "admin",
                "password", "admin"));
    ReplyAssert.assertThat(reply).as("admin login").hasStatus(200);
    return reply.json().get("access_token").asText();
  }

  public Reply admin(String method, String path, Object body) {
    return admin(adminToken(), method, path, body);
  }

  /** An admin REST call with an admin token the caller holds (and may reuse). */
  public Reply admin(String adminToken, String method, String path, Object body) {
    return send(
        withJson(
            HttpRequest.newBuilder(URI.create(baseUrl + "/admin/" + path))
                .header("Authorization", "Bearer " + adminToken),
            method,
            body));
  }

  /**
   * {@code request} with {@code method} and {@code body} as JSON ({@link #toJson}: a string is sent
   * as it is), or with no body when {@code body} is null.
   */
  public static HttpRequest.Builder withJson(
      HttpRequest.Builder request, String method, Object body) {
    if (body == null) {
      return request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return request
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(toJson(body)));
  }

  public static String toJson(Object body) {
    try {
      return body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The claims of a JWT, unverified (the server's own introspection verifies). */
  public static JsonNode claims(String jwt) {
    String[] parts = jwt.split("\\.");
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
