package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.Decision;
import io.github.policyscopes.access.InvalidPathException;
import io.github.policyscopes.access.RequestPaths;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.scope.Scope;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.cors.Cors;

/**
 * {@code /realms/{realm}/config}: every method starts with the bearer and scope check, then calls a
 * service, then answers with a representation. See docs/config-api.md.
 */
public final class ConfigResource {

  private static final Logger LOG = Logger.getLogger(ConfigResource.class);
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};
  private static final String[] EXPOSED = {"ETag", "Location", "WWW-Authenticate"};

  /** Route templates, the {@code resource} tag of the meters: never a raw id. */
  static final String SECRET_ROUTE = "clients/{id}/secret";

  static final String EVALUATE_ROUTE = "clients/{id}/evaluate";
  static final String UNKNOWN_ROUTE = "unknown";

  private final KeycloakSession session;
  private final RealmModel realm;
  private final BearerGuard guard;

  /** The caller once its token and origin are verified (for CORS); null before. */
  private Caller caller;

  public ConfigResource(KeycloakSession session) {
    this.session = session;
    this.realm = session.getContext().getRealm();
    this.guard = new BearerGuard(session);
    SecurityHeaders.prepare(session);
  }

  // ---- the collections ----

  @Path("tokenPolicies")
  public CollectionResource tokenPolicies() {
    return new CollectionResource(this, TokenPolicyService.INSTANCE, session);
  }

  @Path("clients")
  public CollectionResource clients() {
    return new CollectionResource(this, ManagedClientService.INSTANCE, session);
  }

  @GET
  @Path("clients/{id}/secret")
  public Response getSecret(@PathParam("id") String id) {
    return guarded(
        "GET",
        SECRET_ROUTE,
        caller -> secret(ManagedClientService.secret(session, realm, caller, id)));
  }

  @POST
  @Path("clients/{id}/secret")
  public Response newSecret(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
    return guarded(
        "POST",
        SECRET_ROUTE,
        caller ->
            secret(
                Writes.inTransaction(
                    session,
                    (s, r) -> ManagedClientService.regenerateSecret(s, r, caller, id, ifMatch))));
  }

  /**
   * The dry run: what a token request of the client would get now, and why. Evaluating is reading
   * the client: the decision is the one for {@code GET config/clients/{id}}, so a caller refused
   * that GET gets the same 403 here. It issues no token and writes nothing.
   */
  @POST
  @Path("clients/{id}/evaluate")
  public Response evaluate(@PathParam("id") String id, InputStream body) {
    return respond(
        "POST",
        EVALUATE_ROUTE,
        () -> {
          caller = guard.authenticate();
          String path = guard.relativePath();
          guard.authorize(caller, "GET", path.substring(0, path.lastIndexOf('/')));
          guard.refuseDenied(caller, "POST", path);
          var json = Json.readObject(session.getContext().getRequestHeaders(), body);
          return ok(ClientEvaluation.evaluate(session, realm, caller, id, json));
        });
  }

  private static Response.ResponseBuilder secret(ManagedClientService.Secret secret) {
    return ok(Map.of("secret", secret.value())).header("ETag", secret.etag());
  }

  // ---- whoami, openapi, preflight ----

  @GET
  @Path("whoami")
  public Response whoami(@QueryParam("method") String method, @QueryParam("path") String path) {
    return respond(
        "GET",
        "whoami",
        () -> {
          caller = guard.authenticate();
          guard.relativePath();
          Map<String, Object> me = new LinkedHashMap<>();
          me.put("clientId", caller.client().getClientId());
          me.put("subject", caller.token().getSubject());
          String username = caller.username();
          if (username != null) {
            me.put("username", username);
          }
          Map<String, Object> scopes = new LinkedHashMap<>();
          scopes.put("grants", caller.scopes().grants().stream().map(Scope::text).toList());
          scopes.put("denies", caller.scopes().denies().stream().map(Scope::text).toList());
          scopes.put("plain", caller.scopes().plain().stream().map(Scope::text).toList());
          // the token's config grants its client's current policies do not give (or only in part)
          scopes.put("ignored", caller.ignored());
          me.put("scopes", scopes);
          Long exp = caller.token().getExp();
          if (exp != null) {
            me.put("expiresAt", exp);
            me.put("expiresIn", Math.max(0, exp - Time.currentTime()));
          }
          if (path != null) {
            me.put("decision", explain(caller, method == null ? "GET" : method, path));
          } else if (method != null) {
            throw ApiError.invalidField("path", "is required with method");
          }
          return ok(me);
        });
  }

  private static Map<String, Object> explain(Caller who, String method, String path) {
    if (!method.matches("[A-Z]{1,16}")) {
      throw ApiError.invalidField("method", "must be an HTTP method in upper case");
    }
    try {
      RequestPaths.validate(path);
    } catch (InvalidPathException e) {
      throw ApiError.invalidField("path", e.getMessage());
    }
    Decision decision = who.scopes().decide(method, path);
    Map<String, Object> explained = new LinkedHashMap<>();
    explained.put("method", method);
    explained.put("path", path);
    explained.put("allowed", decision.allowed());
    explained.put("requiredScope", decision.requiredScope(method, path));
    explained.put("reason", decision.reason(path));
    return explained;
  }

  @GET
  @Path("openapi.json")
  @jakarta.ws.rs.Produces(MediaType.APPLICATION_JSON)
  public Response openApi() {
    try (InputStream spec = ConfigResource.class.getResourceAsStream("openapi.json")) {
      String json = new String(spec.readAllBytes(), StandardCharsets.UTF_8);
      return Cors.builder()
          .allowAllOrigins()
          .allowedMethods("GET")
          .add(
              SecurityHeaders.survivable(
                  session, Response.ok(json).type(MediaType.APPLICATION_JSON_TYPE)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * CORS preflight, on every path under {@code config/} (the collections and the secret route
   * delegate here). A preflight carries no token, so it cannot know the client: it is answered as
   * Keycloak answers its own (admin) preflights; the actual request is then checked against the
   * token's client's origins before anything runs ({@link BearerGuard#authenticate}).
   */
  @OPTIONS
  @Path("{any:.*}")
  public Response preflight() {
    return Cors.builder()
        .auth()
        .preflight()
        .allowedMethods(METHODS)
        .exposedHeaders(EXPOSED)
        .add(SecurityHeaders.survivable(session, Response.ok()));
  }

  @OPTIONS
  @Path("clients/{id}/secret")
  public Response secretPreflight() {
    return preflight();
  }

  @OPTIONS
  @Path("clients/{id}/evaluate")
  public Response evaluatePreflight() {
    return preflight();
  }

  // ---- anything else under config/: the same checks, then 404 ----

  @GET
  @Path("{any:.*}")
  public Response unknownGet() {
    return unknown("GET");
  }

  @POST
  @Path("{any:.*}")
  public Response unknownPost() {
    return unknown("POST");
  }

  @PUT
  @Path("{any:.*}")
  public Response unknownPut() {
    return unknown("PUT");
  }

  @DELETE
  @Path("{any:.*}")
  public Response unknownDelete() {
    return unknown("DELETE");
  }

  @HEAD
  @Path("{any:.*}")
  public Response unknownHead() {
    return unknown("HEAD");
  }

  /**
   * A path no resource serves: a caller still learns nothing before the bearer check, and a
   * non-canonical spelling is a 400 like everywhere else.
   */
  Response unknown(String method) {
    return respond(
        method,
        UNKNOWN_ROUTE,
        () -> {
          caller = guard.authenticate();
          throw ApiError.notFound("no resource " + method + " " + guard.relativePath());
        });
  }

  // ---- plumbing ----

  @FunctionalInterface
  interface Handler {
    Response.ResponseBuilder handle(Caller caller);
  }

  @FunctionalInterface
  private interface Body {
    Response.ResponseBuilder get();
  }

  /**
   * Every check first, then the handler (SPEC §7 I11): bearer token (401), origin (403), path
   * (400), decision for {@code method} (403). Only a request that passed them all does any work.
   */
  Response guarded(String method, String route, Handler handler) {
    return respond(
        method,
        route,
        () -> {
          caller = guard.authenticate();
          guard.authorize(caller, method);
          return handler.handle(caller);
        });
  }

  /**
   * Runs a request and answers it; {@code method} and {@code route} (the route template, {@code
   * clients/{id}}) only name it for the meters.
   */
  private Response respond(String method, String route, Body body) {
    long started = PolicyMetrics.start();
    Response.ResponseBuilder response;
    Refusal refusal = null;
    try {
      response = body.get();
    } catch (ApiError e) {
      refusal = e.refusal();
      response = e.toResponse();
    } catch (RuntimeException e) {
      LOG.error("config API request failed", e);
      response = new ApiError(500, "server_error", "see the server log").toResponse();
    }
    Response answer = cors(SecurityHeaders.survivable(session, response));
    if (PolicyMetrics.enabled()) {
      PolicyMetrics.configApi(
          realm.getName(),
          route,
          method,
          answer.getStatus(),
          caller == null ? null : caller.client().getClientId(),
          refusal,
          started);
    }
    return answer;
  }

  /**
   * CORS headers for an actual response: only for a caller whose token and origin passed the guard,
   * and only naming an origin its client allows. No caller (a 401, or the origin itself refused):
   * no client is known, so no {@code Access-Control-Allow-Origin} at all.
   */
  private Response cors(Response.ResponseBuilder response) {
    if (caller == null) {
      return response.build();
    }
    // the guard let this caller in only from an origin its client allows (Origins): echo it
    Cors cors =
        Cors.builder().auth().allowAllOrigins().allowedMethods(METHODS).exposedHeaders(EXPOSED);
    return cors.add(response);
  }

  private static Response.ResponseBuilder ok(Object body) {
    return Json.response(200, body);
  }

  URI location(String relative) {
    return session
        .getContext()
        .getUri()
        .getBaseUriBuilder()
        .path("realms")
        .path(realm.getName())
        .path("config")
        .path(relative)
        .build();
  }
}
