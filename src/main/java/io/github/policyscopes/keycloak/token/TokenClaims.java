package io.github.policyscopes.keycloak.token;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import io.github.policyscopes.policy.ClaimPlan;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.util.JsonSerialization;

/**
 * The claims of a real token, one top-level claim at a time, as plain JSON trees ({@link
 * ClaimPlan.Claims}): a claim in the token's map of other claims is read there, a claim Keycloak
 * models as a field through the Jackson property that serializes it; nothing else of the token is
 * serialized. Writes go through Jackson for the one claim, so the token keeps its own types.
 */
final class TokenClaims implements ClaimPlan.Claims {

  /** Per token class, its serialized properties by claim name (a handful of classes). */
  private static final ClassValue<Map<String, PropertyWriter>> PROPERTIES =
      new ClassValue<>() {
        @Override
        protected Map<String, PropertyWriter> computeValue(Class<?> type) {
          Map<String, PropertyWriter> properties = new HashMap<>();
          try {
            JsonSerializer<Object> serializer =
                JsonSerialization.mapper.getSerializerProviderInstance().findValueSerializer(type);
            if (serializer instanceof BeanSerializerBase bean) {
              bean.properties().forEachRemaining(p -> properties.put(p.getName(), p));
            }
          } catch (JsonMappingException e) {
            throw new IllegalStateException("cannot read a " + type.getSimpleName(), e);
          }
          return Map.copyOf(properties);
        }
      };

  private final Object token;
  private final Map<String, Object> other;
  private final Map<String, PropertyWriter> properties;

  TokenClaims(Object token) {
    this.token = token;
    this.other = otherClaims(token);
    this.properties = PROPERTIES.get(token.getClass());
  }

  @Override
  public @Nullable Object get(String claim) {
    Object raw = other.get(claim);
    if (raw == null && !other.containsKey(claim)) {
      PropertyWriter property = properties.get(claim);
      if (property instanceof BeanPropertyWriter writer) {
        try {
          raw = writer.get(token);
        } catch (Exception e) {
          throw new IllegalStateException("cannot read claim " + claim, e);
        }
      }
    }
    return raw == null ? null : plain(raw);
  }

  @Override
  public void set(String claim, @Nullable Object value) {
    if (other.containsKey(claim)) {
      if (value == null) {
        other.remove(claim);
      } else {
        other.put(claim, value);
      }
      return;
    }
    ObjectNode patch = JsonSerialization.mapper.createObjectNode();
    patch.set(claim, JsonSerialization.mapper.valueToTree(value));
    try {
      JsonSerialization.mapper.readerForUpdating(token).readValue(patch);
    } catch (IOException e) {
      throw new IllegalStateException("cannot filter a " + token.getClass().getSimpleName(), e);
    }
    other.remove(claim, null); // a removed claim the token does not model lands here as null
  }

  /** A claim value as a plain JSON tree (maps, lists, scalars), as the token would serialize it. */
  static Object plain(Object value) {
    if (value instanceof String || value instanceof Boolean) {
      return value;
    }
    // through the tree, as the scratch tokens are read: the same number types on both sides
    return JsonSerialization.mapper.convertValue(
        JsonSerialization.mapper.valueToTree(value), Object.class);
  }

  private static Map<String, Object> otherClaims(Object token) {
    if (token instanceof JsonWebToken jwt) {
      return jwt.getOtherClaims();
    }
    if (token instanceof AccessTokenResponse response) {
      return response.getOtherClaims();
    }
    return new HashMap<>();
  }
}
