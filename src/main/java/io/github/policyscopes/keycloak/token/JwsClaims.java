package io.github.policyscopes.keycloak.token;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.keycloak.util.JsonSerialization;

/**
 * Some top-level claims of a compact JWS, read in one pass over its payload that skips the rest:
 * what a refreshed or exchanged token may not exceed ({@link GrantKind}) needs three claims, not
 * Keycloak's whole token bound to its class. Nothing is verified here.
 */
final class JwsClaims {

  private JwsClaims() {}

  /** A claim that is neither a string nor a number nor null (an object, an array, a boolean). */
  static final Object OTHER = new Object();

  /**
   * The {@code wanted} top-level claims of a compact JWS's payload: strings as strings, numbers as
   * numbers, null as absent, anything else as {@link #OTHER}; a claim given twice counts as its
   * last value, as Keycloak reads it.
   *
   * @throws IllegalArgumentException when it is no compact JWS or its payload no base64url
   * @throws IOException when the payload is no JSON object
   */
  static Map<String, Object> read(String jws, Set<String> wanted) throws IOException {
    int first = jws.indexOf('.');
    int second = first < 0 ? -1 : jws.indexOf('.', first + 1);
    if (second < 0 || jws.indexOf('.', second + 1) >= 0) {
      throw new IllegalArgumentException("not a compact JWS");
    }
    byte[] payload = Base64.getUrlDecoder().decode(jws.substring(first + 1, second));
    Map<String, Object> claims = new HashMap<>(4);
    try (JsonParser parser = JsonSerialization.mapper.getFactory().createParser(payload)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("the payload is no JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == null) {
          throw new IOException("the payload ends early");
        }
        if (!wanted.contains(name)) {
          parser.skipChildren();
        } else if (value == JsonToken.VALUE_NULL) {
          claims.remove(name); // null is no value, as Keycloak's token class reads it
        } else if (value == JsonToken.VALUE_STRING) {
          claims.put(name, parser.getText());
        } else if (value.isNumeric()) {
          claims.put(name, parser.getNumberValue());
        } else {
          claims.put(name, OTHER);
          parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("the payload ends early");
      }
    }
    return claims;
  }
}
