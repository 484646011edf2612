package io.github.policyscopes.access;

import static io.github.policyscopes.access.ApiLayout.CLIENTS;
import static io.github.policyscopes.access.ApiLayout.ROOT;
import static io.github.policyscopes.access.ApiLayout.SECRET;
import static io.github.policyscopes.access.ApiLayout.TOKEN_POLICIES;

import io.github.policyscopes.access.Route.Check;
import io.github.policyscopes.access.Route.Gate;
import io.github.policyscopes.access.Route.Target;
import io.github.policyscopes.scope.Access;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The config API's routes, declared once: what may a token do on each. The JAX-RS resources serve
 * exactly these (a test compares them by reflection), route their checks through them, tag the
 * meters with their templates, and docs/config-api.md and openapi.json list exactly these (tests
 * compare them). A request no route serves is answered {@code 404} after the bearer check; a method
 * a template does not serve is {@code 405} with {@link #allow}. CORS preflights ({@code OPTIONS})
 * are answered on any path, without a token, and are no route.
 */
public final class Routes {

  /** The member id segment of a template. */
  public static final String ID = "{id}";

  /** The meters' tag of a request no route serves. */
  public static final String UNKNOWN_TAG = "unknown";

  /** {@code GET config/openapi.json}: this API's description, no token. */
  public static final Route OPENAPI =
      open("GET", ROOT + "/openapi.json", Gate.PUBLIC, "this description of the API");

  /** {@code GET config/whoami}: the caller and its effective scopes, any valid token. */
  public static final Route WHOAMI =
      open(
          "GET",
          ROOT + "/whoami",
          Gate.TOKEN,
          "the caller, its effective scopes, a decision explained");

  private static final String POLICIES = ApiLayout.collectionPath(TOKEN_POLICIES);
  private static final String POLICY = POLICIES + "/" + ID;
  private static final String CLIENT_LIST = ApiLayout.collectionPath(CLIENTS);
  private static final String CLIENT = CLIENT_LIST + "/" + ID;

  /** {@code GET config/clients/{id}/secret}: reading a credential needs write. */
  public static final Route SECRET_READ =
      scoped(
          "GET", CLIENT + "/" + SECRET, Access.WRITE, "the client's secret", Check.ACTS_AS_CLIENT);

  /** {@code POST config/clients/{id}/secret}: a new secret. */
  public static final Route SECRET_ROTATE =
      scoped("POST", CLIENT + "/" + SECRET, Access.WRITE, "a new secret", Check.ACTS_AS_CLIENT);

  /** {@code POST config/clients/{id}/evaluate}: the dry run, decided as a read of the client. */
  public static final Route EVALUATE =
      new Route(
          "POST",
          CLIENT + "/" + ApiLayout.EVALUATE,
          Gate.SCOPE,
          Access.READ,
          Target.PARENT,
          Set.of(Check.READS_ITS_POLICIES),
          "the issuance dry run of the client");

  /** Every route, in the order the docs list them. */
  public static final List<Route> ALL =
      List.of(
          scoped("GET", POLICIES, Access.READ, "list the token policies"),
          scoped("HEAD", POLICIES, Access.READ, "the list's headers"),
          scoped("POST", POLICIES, Access.WRITE, "create a token policy", Check.HANDS_OUT),
          scoped("GET", POLICY, Access.READ, "one token policy"),
          scoped("HEAD", POLICY, Access.READ, "one token policy's headers"),
          scoped(
              "PUT",
              POLICY,
              Access.WRITE,
              "replace a token policy",
              Check.HANDS_OUT,
              Check.LIFTS_NO_DENY),
          scoped("DELETE", POLICY, Access.WRITE, "delete an unbound token policy"),
          scoped("GET", CLIENT_LIST, Access.READ, "list the managed clients"),
          scoped("HEAD", CLIENT_LIST, Access.READ, "the list's headers"),
          scoped("POST", CLIENT_LIST, Access.WRITE, "create a client", Check.HANDS_OUT),
          scoped("GET", CLIENT, Access.READ, "one managed client"),
          scoped("HEAD", CLIENT, Access.READ, "one managed client's headers"),
          scoped(
              "PUT",
              CLIENT,
              Access.WRITE,
              "replace a client",
              Check.ACTS_AS_CLIENT,
              Check.HANDS_OUT),
          scoped("DELETE", CLIENT, Access.WRITE, "delete a client", Check.ACTS_AS_CLIENT),
          SECRET_READ,
          SECRET_ROTATE,
          EVALUATE,
          WHOAMI,
          OPENAPI);

  /** The templates, each once, in the order of {@link #ALL}. */
  public static final List<String> TEMPLATES =
      ALL.stream().map(Route::template).distinct().toList();

  /** The templates whose read needs write ({@link #isWriteOnly}). */
  private static final String[] WRITE_ONLY =
      ALL.stream()
          .filter(r -> r.method().equals("GET") && r.access() == Access.WRITE)
          .map(Route::template)
          .toArray(String[]::new);

  private Routes() {}

  /** The route that serves {@code method} on {@code path} (canonical, relative to the realm). */
  public static @Nullable Route match(String method, String path) {
    for (Route route : ALL) {
      if (route.method().equals(method) && matches(route.template(), path)) {
        return route;
      }
    }
    return null;
  }

  /** The routes of one template, in table order. */
  public static List<Route> of(String template) {
    List<Route> routes = new ArrayList<>();
    for (Route route : ALL) {
      if (route.template().equals(template)) {
        routes.add(route);
      }
    }
    if (routes.isEmpty()) {
      throw new IllegalArgumentException("no route " + template);
    }
    return routes;
  }

  /** The route of {@code method} on {@code template}, which the table must declare. */
  public static Route of(String method, String template) {
    for (Route route : of(template)) {
      if (route.method().equals(method)) {
        return route;
      }
    }
    throw new IllegalArgumentException("no route " + method + " " + template);
  }

  /** {@code config/{collection}}. */
  public static String collectionTemplate(String collection) {
    return ApiLayout.collectionPath(collection);
  }

  /** {@code config/{collection}/{id}}. */
  public static String memberTemplate(String collection) {
    return ApiLayout.collectionPath(collection) + "/" + ID;
  }

  /** The tag of a template: {@code clients/{id}}. */
  public static String tag(String template) {
    return of(template).get(0).tag();
  }

  /**
   * The {@code Allow} header of a template: the methods its routes serve and {@code OPTIONS}, as a
   * {@code 405} of another method names them.
   */
  public static String allow(String template) {
    Set<String> methods = new LinkedHashSet<>();
    of(template).forEach(r -> methods.add(r.method()));
    methods.add("OPTIONS");
    return String.join(", ", methods);
  }

  /**
   * Whether {@code path} is, or is below, a path whose read needs write (a route of {@code GET}
   * that needs {@link Access#WRITE}: a client's secret is a credential). Allocation-free.
   */
  public static boolean isWriteOnly(@Nullable String path) {
    if (path == null) {
      return false;
    }
    for (String template : WRITE_ONLY) {
      if (matchesSelfOrAncestorOf(template, path)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code path} matches {@code template}: each {@link #ID} one non-empty segment. */
  static boolean matches(String template, String path) {
    int end = prefixEnd(template, path);
    return end == path.length();
  }

  private static boolean matchesSelfOrAncestorOf(String template, String path) {
    int end = prefixEnd(template, path);
    return end == path.length() || (end > 0 && path.charAt(end) == '/');
  }

  /**
   * Where the part of {@code path} that {@code template} matches ends, or -1 when {@code path} does
   * not start with a match of it. Allocation-free.
   */
  private static int prefixEnd(String template, String path) {
    int t = 0;
    int p = 0;
    while (t < template.length()) {
      if (template.startsWith(ID, t)) {
        int start = p;
        while (p < path.length() && path.charAt(p) != '/') {
          p++;
        }
        if (p == start) {
          return -1;
        }
        t += ID.length();
      } else if (p < path.length() && path.charAt(p) == template.charAt(t)) {
        p++;
        t++;
      } else {
        return -1;
      }
    }
    return p;
  }

  private static Route scoped(
      String method, String template, Access access, String summary, Check... checks) {
    return new Route(method, template, Gate.SCOPE, access, Target.SELF, Set.of(checks), summary);
  }

  private static Route open(String method, String template, Gate gate, String summary) {
    return new Route(method, template, gate, null, Target.SELF, Set.of(), summary);
  }
}
