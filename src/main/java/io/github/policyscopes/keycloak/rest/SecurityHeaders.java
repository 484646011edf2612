package io.github.policyscopes.keycloak.rest;

import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.keycloak.headers.SecurityHeadersProvider;
import org.keycloak.models.BrowserSecurityHeaders;
import org.keycloak.models.KeycloakSession;

/**
 * invariant I7 of docs/contract.md for the {@code Content-Type} header. Keycloak's own response
 * filter ({@code KeycloakSecurityHeadersFilter} → {@code DefaultSecurityHeadersProvider}) parses
 * the request's media type after the resource has answered, and an empty or unparseable {@code
 * Content-Type} (e.g. {@code "Content-Type:"}, {@code ";"}, {@code application/}) makes it throw,
 * which turns any answer (our 415, RESTEasy's own 400) into a 500. For such a request only, the
 * filter is told to skip, and on our own answers the same headers it adds to a REST answer are
 * added here, from the realm's settings.
 */
final class SecurityHeaders {

  /** What Keycloak adds to a REST (JSON) answer ({@code addRestHeaders}). */
  private static final List<BrowserSecurityHeaders> REST =
      List.of(
          BrowserSecurityHeaders.STRICT_TRANSPORT_SECURITY,
          BrowserSecurityHeaders.X_FRAME_OPTIONS,
          BrowserSecurityHeaders.X_CONTENT_TYPE_OPTIONS,
          BrowserSecurityHeaders.REFERRER_POLICY,
          BrowserSecurityHeaders.X_ROBOTS_TAG);

  private SecurityHeaders() {}

  /**
   * Called when the API's resource is created, before RESTEasy reads a request body: RESTEasy
   * itself refuses an unparseable media type with a 400 before any method of ours runs, and that
   * answer must survive Keycloak's filter too.
   */
  static void prepare(KeycloakSession session) {
    if (unparseableMediaType(session)) {
      session.getProvider(SecurityHeadersProvider.class).options().skipHeaders();
    }
  }

  /** Makes {@code response} survive Keycloak's filters when the request's media type does not. */
  static Response.ResponseBuilder survivable(
      KeycloakSession session, Response.ResponseBuilder response) {
    if (!unparseableMediaType(session)) {
      return response; // parseable or absent: Keycloak's filter does its normal work
    }
    session.getProvider(SecurityHeadersProvider.class).options().skipHeaders();
    var realm = session.getContext().getRealm();
    Map<String, String> configured = realm == null ? Map.of() : realm.getBrowserSecurityHeaders();
    for (BrowserSecurityHeaders header : REST) {
      String value = configured.getOrDefault(header.getKey(), header.getDefaultValue());
      if (value != null && !value.isEmpty()) {
        response.header(header.getHeaderName(), value);
      }
    }
    return response;
  }

  private static boolean unparseableMediaType(KeycloakSession session) {
    try {
      session.getContext().getHttpRequest().getHttpHeaders().getMediaType();
      return false;
    } catch (RuntimeException unparseable) {
      return true;
    }
  }
}
