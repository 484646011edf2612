package io.github.policyscopes.keycloak.token;

import org.keycloak.representations.AccessToken;
import org.keycloak.representations.IDToken;

/**
 * What a bound client's tokens show where the extension cannot run (docs/adr/0027): userinfo,
 * introspection and an ID token of a token issued before (by this node before an upgrade, or by
 * another node during one) carry only what identifies the token, never the claims its policy would
 * have filtered. The policy mapper runs last, so what it returns is what Keycloak serves.
 */
final class Withheld {

  private Withheld() {}

  /** The token's identity only: id, issuer, subject, client, session, times, type, scope. */
  static AccessToken accessToken(AccessToken token) {
    AccessToken kept = new AccessToken();
    copy(token, kept);
    kept.setScope(token.getScope());
    return kept;
  }

  /** As {@link #accessToken}, for an ID token. */
  static IDToken idToken(IDToken token) {
    IDToken kept = new IDToken();
    copy(token, kept);
    return kept;
  }

  private static void copy(IDToken from, IDToken to) {
    to.id(from.getId());
    to.issuer(from.getIssuer());
    to.subject(from.getSubject());
    to.issuedFor(from.getIssuedFor());
    to.type(from.getType());
    to.setSessionId(from.getSessionId());
    to.exp(from.getExp());
    to.iat(from.getIat());
    to.nbf(from.getNbf());
  }
}
