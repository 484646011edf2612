package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A client body as it will be written: a checked {@link Body} over the client as it is (on update,
 * its current values for the fields the body did not send), with the rules across fields. Every
 * rule of a client body is here, each answered 400 with its field; nothing here reads Keycloak
 * (ClientInputTest). What depends on the realm (a clientId taken, a policy that exists, may be read
 * and handed out) is {@link ManagedClientService}'s and {@link ClientBindings}'.
 */
record ClientInput(
    String clientId,
    @Nullable String name,
    boolean confidential,
    List<String> grantTypes,
    List<String> redirectUris,
    List<String> tokenPolicies,
    boolean enabled) {

  // the grant types of the API, by their OAuth names (Keycloak's OAuth2Constants: ClientInputTest)
  static final String CLIENT_CREDENTIALS = "client_credentials";
  static final String AUTHORIZATION_CODE = "authorization_code";
  static final String PASSWORD = "password";
  static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

  static final Set<String> GRANT_TYPES =
      Set.of(CLIENT_CREDENTIALS, AUTHORIZATION_CODE, PASSWORD, TOKEN_EXCHANGE);

  /**
   * The longest clientId: Keycloak names a service account {@code service-account-<clientId>} and
   * stores user names in 255 characters.
   */
  static final int MAX_CLIENT_ID = 255 - "service-account-".length();

  /**
   * The most token policies one client body may name: every one is resolved, and claimed when new,
   * under its write's locks, so their count bounds that work (docs/adr/0025).
   */
  static final int MAX_TOKEN_POLICIES = 64;

  /**
   * The most redirect URIs of one client: Keycloak writes each under the write's locks. Far more
   * than a sign-in client uses (Keycloak's own clients have one or two).
   */
  static final int MAX_REDIRECT_URIS = 100;

  static final Set<String> WRITABLE =
      Set.of("clientId", "name", "type", "grantTypes", "redirectUris", "tokenPolicies", "enabled");
  static final Set<String> READ_ONLY = Set.of("id", "secret");

  /**
   * A client body checked field by field, before any lock: only known fields, each valid on its
   * own, every list bounded ({@link #MAX_TOKEN_POLICIES}, {@link #MAX_REDIRECT_URIS}) and without
   * repeats; a field not sent is null. {@link ClientInput#of} adds the rules across fields.
   */
  record Body(
      @Nullable String clientId,
      @Nullable String name,
      @Nullable String type,
      @Nullable List<String> grantTypes,
      @Nullable List<String> redirectUris,
      @Nullable List<String> tokenPolicies,
      @Nullable Boolean enabled) {

    static Body parse(ObjectNode body) {
      Json.onlyFields(body, WRITABLE, READ_ONLY);
      String clientId = Json.text(body, "clientId");
      if (clientId != null && !isClientId(clientId)) {
        throw ApiError.invalidField(
            "clientId", "must be 1-" + MAX_CLIENT_ID + " visible ASCII characters without spaces");
      }
      String name = Json.text(body, "name");
      if (name != null && name.length() > 255) {
        throw ApiError.invalidField("name", "must be at most 255 characters long");
      }
      String type = Json.text(body, "type");
      if (type != null && !type.equals("confidential") && !type.equals("public")) {
        throw ApiError.invalidField("type", "must be confidential or public");
      }
      List<String> grants = Json.strings(body, "grantTypes");
      if (grants != null) {
        for (int i = 0; i < grants.size(); i++) {
          if (!GRANT_TYPES.contains(grants.get(i))) {
            throw ApiError.invalidField(
                "grantTypes[" + i + "]",
                "must be one of " + String.join(", ", GRANT_TYPES.stream().sorted().toList()));
          }
        }
        grants = grants.stream().distinct().toList();
      }
      List<String> redirects = Json.strings(body, "redirectUris");
      if (redirects != null) {
        requireAtMost("redirectUris", redirects, MAX_REDIRECT_URIS);
        for (int i = 0; i < redirects.size(); i++) {
          String problem = redirectProblem(redirects.get(i));
          if (problem != null) {
            throw ApiError.invalidField("redirectUris[" + i + "]", problem);
          }
        }
        redirects = redirects.stream().distinct().toList();
      }
      List<String> policies = Json.strings(body, "tokenPolicies");
      if (policies != null) {
        requireAtMost("tokenPolicies", policies, MAX_TOKEN_POLICIES);
        for (int i = 0; i < policies.size(); i++) {
          if (!Checked.possibleId(policies.get(i))) {
            // no id Keycloak stores is this long: unknown, as any other unknown id
            throw ApiError.invalidField(
                "tokenPolicies[" + i + "]",
                "no token policy: an id has 1-" + Checked.MAX_ID + " characters");
          }
        }
        policies = policies.stream().distinct().toList();
      }
      return new Body(
          clientId, name, type, grants, redirects, policies, Json.bool(body, "enabled"));
    }

    private static void requireAtMost(String field, List<String> values, int max) {
      if (values.size() > max) {
        throw ApiError.invalidField(field, "must have at most " + max + " entries");
      }
    }
  }

  /**
   * The body over the client as it is ({@code now}; null: a new client), and the rules across
   * fields: client_credentials and token exchange need a confidential client, authorization_code a
   * redirect URI; a new client needs a clientId, and a client's clientId never changes. Bounded by
   * the checks of {@link Body#parse}.
   */
  static ClientInput of(Body body, @Nullable ClientView now) {
    @Nullable String name = body.name();
    if (name == null && now != null) {
      name = now.name();
    }
    String type = orElse(body.type(), now == null ? "confidential" : now.type());
    boolean confidential = type.equals("confidential");
    List<String> grants =
        orElse(body.grantTypes(), now == null ? List.of(CLIENT_CREDENTIALS) : now.grantTypes());
    for (int i = 0; i < grants.size(); i++) {
      String grant = grants.get(i);
      if (!confidential && (grant.equals(CLIENT_CREDENTIALS) || grant.equals(TOKEN_EXCHANGE))) {
        throw ApiError.invalidField(
            "grantTypes[" + i + "]", grant + " needs a confidential client");
      }
    }
    List<String> redirects =
        orElse(body.redirectUris(), now == null ? List.of() : now.redirectUris());
    if (grants.contains(AUTHORIZATION_CODE) && redirects.isEmpty()) {
      throw ApiError.invalidField("redirectUris", "authorization_code needs at least one");
    }
    List<String> policies =
        orElse(body.tokenPolicies(), now == null ? List.of() : now.tokenPolicies());
    boolean enabled = orElse(body.enabled(), now == null ? true : now.enabled());
    return new ClientInput(
        clientId(body.clientId(), now),
        name,
        confidential,
        grants.stream().distinct().toList(),
        redirects.stream().distinct().toList(),
        policies.stream().distinct().toList(),
        enabled);
  }

  private static String clientId(@Nullable String sent, @Nullable ClientView now) {
    if (now == null) {
      if (sent == null || sent.isBlank()) {
        throw ApiError.invalidField("clientId", "is required");
      }
      return sent;
    }
    if (sent != null && !sent.equals(now.clientId())) {
      throw ApiError.invalidField("clientId", "cannot be changed");
    }
    return now.clientId();
  }

  private static <T extends @Nullable Object> T orElse(@Nullable T value, T fallback) {
    return value != null ? value : fallback;
  }

  static boolean isClientId(String clientId) {
    return !clientId.isEmpty()
        && clientId.length() <= MAX_CLIENT_ID
        && clientId.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /** An absolute http(s) URI, optionally ending in Keycloak's {@code *} wildcard; no fragment. */
  static @Nullable String redirectProblem(String uri) {
    if (uri.length() > 255) {
      return "must be at most 255 characters long"; // Keycloak stores it in 255 characters
    }
    String check = uri.endsWith("*") ? uri.substring(0, uri.length() - 1) : uri;
    if (Stream.of(" ", "#", "\\").anyMatch(check::contains)) {
      return "must be an absolute http(s) URI without fragment";
    }
    try {
      URI parsed = new URI(check.endsWith(":") ? check + "1" : check);
      if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())) {
        return "must be an http or https URI";
      }
      if (parsed.getHost() == null) {
        return "must name a host";
      }
    } catch (URISyntaxException e) {
      return "is not a valid URI";
    }
    return null;
  }
}
