package io.github.policyscopes.keycloak.token;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import io.github.policyscopes.policy.ClaimPlan;
import java.io.IOException;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
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

  /** Reads one claim Keycloak models as a property of a token class. */
  @FunctionalInterface
  interface Reader {
    @Nullable Object read(Object token) throws Exception;
  }

  /**
   * Per token class (a handful), a reader per claim it models: the getter Jackson serializes the
   * claim with, called directly (a reflective call per claim cost 0.2 % of a bound token's samples,
   * issue 21), or Jackson's own property where there is no such getter.
   */
  private static final ClassValue<Map<String, Reader>> READERS =
      new ClassValue<>() {
        @Override
        protected Map<String, Reader> computeValue(Class<?> type) {
          Map<String, Reader> readers = new HashMap<>();
          try {
            JsonSerializer<Object> serializer =
                JsonSerialization.mapper.getSerializerProviderInstance().findValueSerializer(type);
            if (serializer instanceof BeanSerializerBase bean) {
              bean.properties()
                  .forEachRemaining(
                      p -> {
                        if (p instanceof BeanPropertyWriter writer) {
                          readers.put(p.getName(), reader(writer));
                        }
                      });
            }
          } catch (JsonMappingException e) {
            throw new IllegalStateException("cannot read a " + type.getSimpleName(), e);
          }
          return Map.copyOf(readers);
        }
      };

  /**
   * The very getter Jackson's property calls ({@link BeanPropertyWriter#get} invokes its member
   * when that is a method), linked once as a direct call ({@link LambdaMetafactory}, as a lambda
   * compiles); Jackson's reflective read where the member is a field or the getter cannot be linked
   * from here (not public, in a class this one cannot reach).
   */
  private static Reader reader(BeanPropertyWriter writer) {
    if (writer.getMember() instanceof AnnotatedMethod getter
        && getter.getParameterCount() == 0
        && !Modifier.isStatic(getter.getAnnotated().getModifiers())) {
      try {
        Method method = getter.getAnnotated();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle handle = lookup.unreflect(method);
        CallSite site =
            LambdaMetafactory.metafactory(
                lookup,
                "read",
                MethodType.methodType(Reader.class),
                MethodType.methodType(Object.class, Object.class),
                handle,
                MethodType.methodType(method.getReturnType(), method.getDeclaringClass()).wrap());
        return (Reader) site.getTarget().invoke();
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable notLinked) {
        // a getter this class cannot reach: Jackson reads it, as before
      }
    }
    return new Reflective(writer);
  }

  /** Jackson's own read of a property: a field, or a getter that could not be linked. */
  private record Reflective(BeanPropertyWriter writer) implements Reader {
    @Override
    public @Nullable Object read(Object token) throws Exception {
      return writer.get(token);
    }
  }

  /** Whether {@code claim} of {@code type} is read by a direct call of its getter (for tests). */
  static boolean readsDirectly(Class<?> type, String claim) {
    Reader reader = READERS.get(type).get(claim);
    return reader != null && !(reader instanceof Reflective);
  }

  private final Object token;
  private final Map<String, Object> other;
  private final Map<String, Reader> readers;

  TokenClaims(Object token) {
    this.token = token;
    this.other = otherClaims(token);
    this.readers = READERS.get(token.getClass());
  }

  @Override
  public @Nullable Object get(String claim) {
    Object raw = other.get(claim);
    if (raw == null && !other.containsKey(claim)) {
      Reader reader = readers.get(claim);
      if (reader != null) {
        try {
          raw = reader.read(token);
        } catch (Exception | LinkageError e) {
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
