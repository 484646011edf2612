package io.github.policyscopes.keycloak.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.access.Routes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The JAX-RS resources serve exactly the routes of {@link Routes}: read off the resource classes by
 * reflection (their {@code @Path}s, HTTP method annotations and sub-resource locators, the member
 * resource named in {@link CollectionResource}'s type), every resource method is a route of the
 * table, a {@code 404}/{@code 405} answer ({@link Refuses}) or a preflight, and every route of the
 * table has its resource method. A route cannot exist in one place and not the other.
 */
class RoutesJaxRsTest {

  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH");

  /** One resource method: its HTTP method, its path template, whether it refuses. */
  record Served(String method, String template, boolean refuses) {
    String route() {
      return method + " " + template;
    }
  }

  private static final List<Served> SERVED = new ArrayList<>();

  static {
    walk(ConfigResource.class, ConfigResource.class, ConfigResourceProviderFactory.PROVIDER_ID);
  }

  @Test
  void theApiIsServedUnderItsRoot() {
    assertThat(ConfigResourceProviderFactory.PROVIDER_ID).isEqualTo(ApiLayout.ROOT);
  }

  @Test
  void theResourcesServeExactlyTheTable() {
    Set<String> served = new TreeSet<>();
    SERVED.stream()
        .filter(s -> !s.refuses() && !s.method().equals("OPTIONS"))
        .forEach(s -> served.add(s.route()));
    Set<String> table = new TreeSet<>();
    Routes.ALL.forEach(r -> table.add(r.method() + " " + r.template()));
    assertThat(served).as("routes the JAX-RS resources serve").isEqualTo(table);
  }

  @Test
  void everyCatchAllRefusesOrIsAPreflight() {
    assertThat(
            SERVED.stream()
                .filter(s -> s.template().contains(":"))
                .filter(s -> !s.refuses() && !s.method().equals("OPTIONS"))
                .map(Served::route))
        .as("resource methods on a path pattern that serve something")
        .isEmpty();
  }

  @Test
  void everyOtherMethodOfACollectionOrMemberIsA405() {
    for (String collection : ApiLayout.COLLECTIONS) {
      for (String template :
          List.of(Routes.collectionTemplate(collection), Routes.memberTemplate(collection))) {
        Set<String> routes = new TreeSet<>();
        Routes.of(template).forEach(r -> routes.add(r.method()));
        for (String method : METHODS) {
          boolean refused = SERVED.contains(new Served(method, template, true));
          assertThat(routes.contains(method) || refused)
              .as(method + " " + template + " is a route or a 405")
              .isTrue();
        }
        assertThat(SERVED).contains(new Served("OPTIONS", template, false));
      }
    }
  }

  @Test
  void theWalkFindsTheResources() {
    assertThat(SERVED).contains(new Served("GET", "config/clients/{id}/secret", false));
    assertThat(SERVED).contains(new Served("GET", "config/{any:.*}", true));
  }

  /** Collects the resource methods of {@code type} (as {@code generic}) under {@code prefix}. */
  private static void walk(Class<?> type, Type generic, String prefix) {
    for (Method method : type.getMethods()) {
      if (method.getDeclaringClass() == Object.class
          || method.isBridge()
          || method.isSynthetic()
          || Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      Path path = method.getAnnotation(Path.class);
      String template = path == null ? prefix : prefix + "/" + path.value();
      String http = httpMethod(method);
      if (http != null) {
        SERVED.add(new Served(http, template, method.isAnnotationPresent(Refuses.class)));
      } else if (path != null) {
        Type returned = resolve(method.getGenericReturnType(), type, generic);
        walk(raw(returned), returned, template);
      }
    }
  }

  private static @Nullable String httpMethod(Method method) {
    for (Annotation annotation : method.getAnnotations()) {
      HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
      if (http != null) {
        return http.value();
      }
    }
    return null;
  }

  /** A locator's return type: a type variable of its class resolved from {@code generic}. */
  private static Type resolve(Type returned, Class<?> owner, Type generic) {
    if (returned instanceof TypeVariable<?> variable && generic instanceof ParameterizedType p) {
      TypeVariable<?>[] parameters = owner.getTypeParameters();
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i].getName().equals(variable.getName())) {
          return p.getActualTypeArguments()[i];
        }
      }
    }
    return returned;
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new AssertionError("a sub-resource locator must name its class: " + type);
  }
}
