package io.github.policyscopes.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Duration;

/**
 * The two grants whose scopes are asked for at an endpoint of their own, run end to end against a
 * real server: CIBA (the user approves on the authentication device, {@link CibaDevice}) and the
 * device authorization grant (the user signs in at the verification URI, {@link BrowserLogin}).
 * Each answer keeps every step, so a test can look at the one it is about.
 */
public final class Flows {

  private Flows() {}

  /** A client of the realm and its secret. */
  public record Client(String realm, String clientId, String secret) {

    /** This client's token request of {@code grantType} ({@link TestClient#grant}). */
    Reply grant(TestClient http, String grantType, String... more) {
      return http.grant(realm, grantType, clientId, secret, more);
    }
  }

  /**
   * A CIBA run: the backchannel authentication answer, what Keycloak sent the user's device (null
   * when the request was refused), and the token answer (null when a step before failed).
   */
  public record Ciba(Reply authentication, CibaDevice.Request deviceSaw, Reply token) {
    /** The last answer: the token's, or the step that failed. */
    public Reply last() {
      return token != null ? token : authentication;
    }
  }

  /**
   * CIBA for {@code user}: the client asks Keycloak's backchannel authentication endpoint, Keycloak
   * asks the user's device, the device approves, the client polls once.
   */
  public static Ciba ciba(TestClient http, Client client, String user, String scope)
      throws Exception {
    CibaDevice device = CibaDevice.get();
    device.forget(user);
    Reply authentication =
        http.postForm(
            http.realmUrl(client.realm()) + "/protocol/openid-connect/ext/ciba/auth",
            TestClient.form(
                "client_id",
                client.clientId(),
                "client_secret",
                client.secret(),
                "login_hint",
                user,
                "scope",
                scope));
    if (authentication.status() != 200) {
      return new Ciba(authentication, null, null);
    }
    CibaDevice.Request request = device.await(user, Duration.ofSeconds(15));
    Reply approved = CibaDevice.answer(http, client.realm(), request, true);
    if (approved.status() >= 400) {
      return new Ciba(authentication, request, approved);
    }
    Reply token =
        client.grant(
            http,
            "urn:openid:params:grant-type:ciba",
            "auth_req_id",
            authentication.json().get("auth_req_id").asText());
    return new Ciba(authentication, request, token);
  }

  /**
   * A device-grant run: the device authorization answer and the token answer (null when a step
   * before failed; the approval's answer when the approval failed).
   */
  public record Device(Reply authorization, Reply token) {
    /** The last answer: the token's, or the step that failed. */
    public Reply last() {
      return token != null ? token : authorization;
    }
  }

  /**
   * The device authorization grant (RFC 8628) for {@code user}: the device asks for a user code,
   * the user signs in at the verification URI and approves, the device polls once.
   */
  public static Device device(
      TestClient http, Client client, String user, String password, String scope) throws Exception {
    Reply authorization =
        http.postForm(
            http.realmUrl(client.realm()) + "/protocol/openid-connect/auth/device",
            TestClient.form(
                "client_id", client.clientId(),
                "client_secret", client.secret(),
                "scope", scope));
    if (authorization.status() != 200) {
      return new Device(authorization, null);
    }
    JsonNode codes = authorization.json();
    Reply approved =
        new BrowserLogin(http)
            .approveDevice(
                URI.create(codes.get("verification_uri_complete").asText()), user, password);
    if (approved.status() >= 400) {
      return new Device(authorization, approved);
    }
    Reply token =
        client.grant(
            http,
            "urn:ietf:params:oauth:grant-type:device_code",
            "device_code",
            codes.get("device_code").asText());
    return new Device(authorization, token);
  }
}
