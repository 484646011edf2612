package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The authorization code flow with PKCE as a browser runs it: the authorization request, Keycloak's
 * login form, the redirect with the code. No browser needed: the login page is plain HTML.
 */
public final class BrowserLogin {

  private final TestClient http;

  /**
   * Keycloak marks its login cookies Secure (SameSite=None) even on http://localhost; a browser
   * sends them to localhost anyway, java.net's CookieManager does not. So: a plain cookie jar.
   */
  private final Map<String, String> cookies = new LinkedHashMap<>();

  private final HttpClient browser =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public BrowserLogin(TestClient http) {
    this.http = http;
  }

  /**
   * Where the authorization endpoint sent the browser at the end: the redirect URI with its query.
   */
  public record Redirect(URI location, String verifier) {
    public String param(String name) {
      for (String pair : location.getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals(name)) {
          return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
        }
      }
      return null;
    }
  }

  /** Runs the browser part of the flow and signs the user in; returns the final redirect. */
  public Redirect authorize(
      String realm,
      String clientId,
      String redirectUri,
      String scope,
      String username,
      String password)
      throws Exception {
    String verifier = randomUrlSafe(48);
    String challenge =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String auth =
        http.realmUrl(realm)
            + "/protocol/openid-connect/auth?response_type=code"
            + "&client_id="
            + enc(clientId)
            + "&redirect_uri="
            + enc(redirectUri)
            + "&scope="
            + enc(scope)
            + "&state="
            + randomUrlSafe(12)
            + "&code_challenge="
            + challenge
            + "&code_challenge_method=S256";
    return new Redirect(signIn(URI.create(auth), username, password), verifier);
  }

  /**
   * Opens {@code auth} (any authorization request) and signs the user in on Keycloak's login form;
   * returns where Keycloak sent the browser at the end (query or fragment, as the response mode
   * says), or the error redirect when Keycloak refused the request outright.
   */
  public URI signIn(URI auth, String username, String password) throws Exception {
    HttpResponse<String> page = get(auth);
    if (page.statusCode() == 302) { // an error goes straight back to the client
      return URI.create(page.headers().firstValue("Location").orElseThrow());
    }
    assertThat(Reply.of(page)).hasStatus(200);
    String action = formAction(page.body());
    HttpResponse<String> posted =
        send(
            HttpRequest.newBuilder(URI.create(action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "username=" + enc(username) + "&password=" + enc(password))));
    if (posted.statusCode() == 200 && posted.body().contains("name=\"password\"")) {
      // identity first (a realm with organizations): the username, then the password page
      posted =
          send(
              HttpRequest.newBuilder(URI.create(formAction(posted.body())))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("password=" + enc(password))));
    }
    assertThat(Reply.of(posted)).as("login form answer").hasStatus(302);
    return URI.create(posted.headers().firstValue("Location").orElseThrow());
  }

  /** Exchanges the code at the token endpoint. */
  public Reply exchange(
      String realm, String clientId, String redirectUri, Redirect redirect, String secret) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type",
            "authorization_code",
            "client_id",
            clientId,
            "client_secret",
            secret,
            "code",
            redirect.param("code"),
            "redirect_uri",
            redirectUri,
            "code_verifier",
            redirect.verifier()));
  }

  /**
   * The user's part of the device authorization grant (RFC 8628 §3.3) as a browser runs it: opens
   * {@code verification_uri_complete}, signs the user in on Keycloak's login form and approves the
   * consent page Keycloak always shows in this flow. Returns the last answer (the device status
   * page or its redirect).
   */
  public Reply approveDevice(URI verificationUriComplete, String username, String password)
      throws Exception {
    HttpResponse<String> page = followRedirects(get(verificationUriComplete));
    assertThat(Reply.of(page)).as("device verification page").hasStatus(200);
    HttpResponse<String> posted =
        followRedirects(
            send(
                HttpRequest.newBuilder(URI.create(formAction(page.body())))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "username=" + enc(username) + "&password=" + enc(password)))));
    assertThat(Reply.of(posted)).as("device login answer").hasStatus(200);
    int accept = posted.body().indexOf("name=\"accept\"");
    assertThat(accept).as("Keycloak consent page in:\n" + posted.body()).isGreaterThanOrEqualTo(0);
    String html = posted.body();
    int form = html.lastIndexOf("<form", accept);
    assertThat(form).as("a form around the consent button in:\n" + html).isGreaterThanOrEqualTo(0);
    String formTag = html.substring(form, html.indexOf('>', form));
    // a form without action posts to the page itself
    URI action =
        posted.uri().resolve(formTag.contains("action=\"") ? attribute(formTag, 0, "action") : "");
    StringJoiner body = new StringJoiner("&");
    for (int input = html.indexOf("<input", form);
        input >= 0 && input < accept;
        input = html.indexOf("<input", input + 1)) {
      int end = html.indexOf('>', input);
      String tag = html.substring(input, end);
      if (tag.contains("type=\"hidden\"")) {
        body.add(enc(attribute(tag, 0, "name")) + "=" + enc(attribute(tag, 0, "value")));
      }
    }
    body.add("accept=Yes");
    return Reply.of(
        send(
            HttpRequest.newBuilder(action)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))));
  }

  /** Follows redirects to the server itself (a browser would), at most five. */
  private HttpResponse<String> followRedirects(HttpResponse<String> response) throws Exception {
    for (int hops = 0; hops < 5 && response.statusCode() / 100 == 3; hops++) {
      URI next = response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
      if (!next.toString().startsWith(http.baseUrl())) {
        break;
      }
      response = get(next);
    }
    return response;
  }

  /** The value of {@code name="…"} in the first tag at or after {@code from}, entities decoded. */
  private static String attribute(String html, int from, String name) {
    int start = html.indexOf(name + "=\"", from) + name.length() + 2;
    int end = html.indexOf('"', start);
    return html.substring(start, end).replace("&amp;", "&");
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return send(HttpRequest.newBuilder(uri).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    if (!cookies.isEmpty()) {
      StringJoiner header = new StringJoiner("; ");
      cookies.forEach((name, value) -> header.add(name + "=" + value));
      request.header("Cookie", header.toString());
    }
    HttpResponse<String> response =
        browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    for (String setCookie : response.headers().allValues("Set-Cookie")) {
      String pair = setCookie.split(";", 2)[0];
      int eq = pair.indexOf('=');
      cookies.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return response;
  }

  private static String formAction(String html) {
    int form = html.indexOf("id=\"kc-form-login\"");
    assertThat(form).as("Keycloak login form in:\n" + html).isGreaterThanOrEqualTo(0);
    int start = html.indexOf("action=\"", form) + "action=\"".length();
    int end = html.indexOf('"', start);
    return html.substring(start, end).replace("&amp;", "&");
  }

  private static String randomUrlSafe(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
