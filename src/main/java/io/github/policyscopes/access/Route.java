package io.github.policyscopes.access;

import io.github.policyscopes.scope.Access;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One route of the config API, as {@link Routes} declares it: an HTTP method on a path template
 * relative to the realm ({@code config/clients/{id}/secret}), what lets a request through (its
 * {@link Gate}), the access a token's config scopes must give and on which path, and the checks the
 * route runs after that decision.
 *
 * @param method the HTTP method, upper case
 * @param template the path relative to the realm; a segment {@code {id}} is one member id
 * @param gate what lets a request in: nothing, any valid token, or the decision
 * @param access the access the decision needs ({@link Gate#SCOPE} only), else null
 * @param target the path the decision is taken on: the request's own, or its parent
 * @param checks the named checks the route runs after the decision, in no order
 * @param summary one line for the docs and openapi.json
 */
public record Route(
    String method,
    String template,
    Gate gate,
    @Nullable Access access,
    Target target,
    Set<Check> checks,
    String summary) {

  /** What lets a request of a route in. */
  public enum Gate {
    /** No token: {@code openapi.json}. */
    PUBLIC,
    /** Any valid token of the realm, no decision: {@code whoami}. */
    TOKEN,
    /** A valid token whose effective config scopes give {@link Route#access} on the target. */
    SCOPE
  }

  /** The path a route's decision is taken on. */
  public enum Target {
    /** The request's own path, with the request's own method. */
    SELF,
    /**
     * The parent path, as a read of it ({@code GET}); a deny naming the request's own path still
     * refuses. The dry run is reading its client.
     */
    PARENT
  }

  /** A check a route runs once the decision allowed it (the {@code Permissions} of the glue). */
  public enum Check {
    /** The caller's token covers every config grant the request hands out (docs/adr/0007). */
    HANDS_OUT("covers the config grants it hands out"),
    /** A new version of a bound policy gives back no deny the caller does not cover. */
    LIFTS_NO_DENY("covers every deny it drops"),
    /**
     * The caller may act as the client: the client holds no Keycloak power, and the caller's token
     * covers every policy that governs it (docs/adr/0022).
     */
    ACTS_AS_CLIENT("acts as the client: covers its policies, the client holds no Keycloak power"),
    /** The caller may read every policy that governs the client (the dry run). */
    READS_ITS_POLICIES("may read every policy that governs the client");

    private final String text;

    Check(String text) {
      this.text = text;
    }

    /** The check in words, as the docs and openapi.json name it. */
    public String text() {
      return text;
    }
  }

  /** Checks the declaration: a scope route names its access, no other route does. */
  public Route {
    if ((gate == Gate.SCOPE) != (access != null)) {
      throw new IllegalArgumentException(method + " " + template + ": access iff gate SCOPE");
    }
    if (target == Target.PARENT && template.indexOf('/') < 0) {
      throw new IllegalArgumentException(method + " " + template + ": no parent");
    }
    checks = Set.copyOf(checks);
  }

  /**
   * The meters' {@code resource} tag: the template below {@code config/} ({@code
   * clients/{id}/secret}), never a raw id.
   */
  public String tag() {
    return template.substring(ApiLayout.ROOT.length() + 1);
  }

  /** The template's segments. */
  public List<String> segments() {
    return List.of(template.split("/"));
  }

  /**
   * The path the decision is taken on for a request of this route on {@code path}: the path itself
   * or its parent ({@link Target}).
   */
  public String decidedPath(String path) {
    return target == Target.SELF ? path : path.substring(0, path.lastIndexOf('/'));
  }

  /** The method the decision is taken for: the request's own, or {@code GET} of the parent. */
  public String decidedMethod(String method) {
    return target == Target.SELF ? method : "GET";
  }

  /**
   * The narrowest config scope that lets a request of this route on {@code path} through ({@code
   * *:config/clients/abc/secret}), or null for a route with no decision.
   */
  public @Nullable String requiredScope(String path) {
    if (access == null) {
      return null;
    }
    return access.symbol() + ":" + decidedPath(path);
  }
}
