package io.github.policyscopes.keycloak.rest;

import java.util.Set;
import org.keycloak.common.util.UriUtils;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.protocol.oidc.utils.WebOriginsUtils;
import org.keycloak.representations.AccessToken;

/**
 * Which browser origins may call the config API with a token: Keycloak's rule for bearer requests
 * (26.6+ {@code Cors.checkAllowedOrigins(AccessToken)}), written once here because Keycloak 26.4
 * and 26.5 have no such check and name the {@code Cors} setters differently. The token's {@code
 * allowed-origins}, else its client's valid web origins; {@code *} allows any; the server's own
 * origin is always allowed; no {@code Origin} header means no cross-origin browser request.
 */
final class Origins {

  private static final String ANY = "*";

  private Origins() {}

  static boolean allowed(KeycloakSession session, AccessToken token) {
    String origin =
        session.getContext().getHttpRequest().getHttpHeaders().getHeaderString("Origin");
    if (origin == null) {
      return true;
    }
    Set<String> allowed = token.getAllowedOrigins();
    if (allowed == null || allowed.isEmpty()) {
      ClientModel client =
          token.getIssuedFor() == null
              ? null
              : session.getContext().getRealm().getClientByClientId(token.getIssuedFor());
      allowed = client == null ? Set.of() : WebOriginsUtils.resolveValidWebOrigins(session, client);
    }
    if (allowed.contains(origin) || allowed.contains(ANY)) {
      return true;
    }
    return origin.equals(UriUtils.getOrigin(session.getContext().getUri().getRequestUri()));
  }
}
