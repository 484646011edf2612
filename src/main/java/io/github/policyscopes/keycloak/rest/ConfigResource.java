package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.access.InvalidPathException;
import io.github.policyscopes.access.RequestPaths;
import io.github.policyscopes.access.Route;
import io.github.policyscopes.access.Routes;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
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
import org.jspecify.annotations.Nullable;
import org.keycloak.common.util.Time;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.cors.Cors;
import org.keycloak.services.managers.RealmManager;

/**
 * {@code /realms/{realm}/config}: every method starts with the bearer and scope check, then calls a
 * service, then answers with a representation. Each method serves one route of {@link Routes}
 * (RoutesJaxRsTest holds the {@code @Path}s and the table together) and is checked and counted by
 * it ({@link #guarded}). See docs/config-api.md.
 */
public final class ConfigResource {

  private static final Logger LOG = Logger.getLogger(ConfigResource.class);
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};
  private static final String[] EXPOSED = {"ETag", "Location", "WWW-Authenticate"};

  private final KeycloakSession session;
  private final RealmModel realm;
  private final BearerGuard guard;

  ConfigResource(KeycloakSession session, ApiAudience audience) {
    this.session = session;
    this.realm = session.getContext().getRealm();
    this.guard = new BearerGuard(session, audience);
    SecurityHeaders.prepare(session);
  }

  // ---- the collections; each member is a sub-resource, as Keycloak's ClientResource ----

  @Path(ApiLayout.TOKEN_POLICIES)
  public CollectionResource<PolicyView, PolicyInput, MemberResource<PolicyView, PolicyInput>>
      tokenPolicies() {
    return new CollectionResource<>(
        this, TokenPolicyService.INSTANCE, session, MemberResource<PolicyView, PolicyInput>::new);
  }

  @Path(ApiLayout.CLIENTS)
  public CollectionResource<ClientView, ClientInput.Body, ManagedClientResource> clients() {
    return new CollectionResource<>(
        this, ManagedClientService.INSTANCE, session, ManagedClientResource::new);
  }

  // ---- whoami, openapi, preflight ----

  @GET
  @Path("whoami")
  public Response whoami(
      @QueryParam("method") @Nullable String method, @QueryParam("path") @Nullable String path) {
    return respond(
        Routes.WHOAMI.tag(),
        permissions -> {
          guard.relativePath();
          Caller caller = permissions.caller();
          Map<String, Object> me = new LinkedHashMap<>();
          me.put("clientId", caller.client().getClientId());
          me.put("subject", caller.token().getSubject());
          String username = caller.username();
          if (username != null) {
            me.put("username", username);
          }
          Map<String, Object> scopes = new LinkedHashMap<>(permissions.scopeTexts());
          // the token's config grants its client's current policies do not give (or only in part)
          scopes.put("ignored", caller.ignored());
          me.put("scopes", scopes);
          Long exp = caller.token().getExp();
          if (exp != null) {
            me.put("expiresAt", exp);
            me.put("expiresIn", Math.max(0, exp - Time.currentTimeMillis() / 1000));
          }
          if (path != null) {
            me.put("decision", explain(permissions, method == null ? "GET" : method, path));
          } else if (method != null) {
            throw ApiError.invalidField("path", "is required with method");
          }
          return ok(me);
        });
  }

  private static Map<String, Object> explain(Permissions who, String method, String path) {
    if (!method.matches("[A-Z]{1,16}")) {
      throw ApiError.invalidField("method", "must be an HTTP method in upper case");
    }
    try {
      RequestPaths.validate(path);
    } catch (InvalidPathException e) {
      throw ApiError.invalidField("path", e.reason());
    }
    Permissions.Explained decision = who.explain(method, path);
    Map<String, Object> explained = new LinkedHashMap<>();
    explained.put("method", method);
    explained.put("path", path);
    explained.put("allowed", decision.allowed());
    explained.put("requiredScope", decision.requiredScope());
    explained.put("reason", decision.reason());
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
   * CORS preflight, on every path under {@code config/} (the collections and their members delegate
   * here). A preflight carries no token, so it cannot know the client: it is answered as Keycloak
   * answers its own (admin) preflights; the actual request is then checked against the token's
   * client's origins before anything runs ({@link BearerGuard#authenticate}).
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

  // ---- anything else under config/: the same checks, then 404 ----

  @Refuses
  @GET
  @Path("{any:.*}")
  public Response unknownGet() {
    return unknown();
  }

  @Refuses
  @POST
  @Path("{any:.*}")
  public Response unknownPost() {
    return unknown();
  }

  @Refuses
  @PUT
  @Path("{any:.*}")
  public Response unknownPut() {
    return unknown();
  }

  @Refuses
  @DELETE
  @Path("{any:.*}")
  public Response unknownDelete() {
    return unknown();
  }

  @Refuses
  @HEAD
  @Path("{any:.*}")
  public Response unknownHead() {
    return unknown();
  }

  @Refuses
  @PATCH
  @Path("{any:.*}")
  public Response unknownPatch() {
    return unknown();
  }

  /**
   * A path no resource serves: a caller still learns nothing before the bearer check, and a
   * non-canonical spelling is a 400 like everywhere else.
   */
  Response unknown() {
    return respond(
        Routes.UNKNOWN_TAG,
        permissions -> {
          throw ApiError.notFound("no resource " + guard.method() + " " + guard.relativePath());
        });
  }

  /**
   * A method {@code template} does not serve ({@code POST} on a member, {@code PUT} on a
   * collection, {@code PATCH} anywhere): the same checks as everywhere (bearer token, origin,
   * path), then {@code 405} with {@code Allow} naming the template's routes ({@link Routes#allow}),
   * answered and counted as every other request of the template.
   */
  Response notAllowed(String template) {
    String allow = Routes.allow(template);
    return respond(
        Routes.tag(template),
        permissions -> {
          guard.relativePath();
          throw new ApiError(
                  405,
                  "method_not_allowed",
                  guard.method() + " is not served here; the methods are " + allow)
              .header("Allow", allow);
        });
  }

  // ---- plumbing ----

  /** What a route does once its checks passed: the work and its representation. */
  @FunctionalInterface
  interface Handler {
    Response.ResponseBuilder handle(Permissions permissions);
  }

  /**
   * Every check first, then the handler (invariant I11 of docs/contract.md): bearer token (401),
   * origin (403), path (400), the decision {@code route} declares for this request (403). Only a
   * request that passed them all does any work. The one place a route's own request is decided: on
   * its own path with its method as sent ({@link Route.Target#SELF}), or as a read of its parent
   * ({@link Route.Target#PARENT}: the dry run reads its client, so a caller refused that GET gets
   * the same 403 here), where a deny naming the route's own path still refuses.
   */
  Response guarded(Route route, Handler handler) {
    if (route.gate() != Route.Gate.SCOPE) {
      throw new IllegalArgumentException(
          route.method() + " " + route.template() + " is not scoped");
    }
    return respond(
        route.tag(),
        permissions -> {
          String method = guard.method();
          String path = guard.relativePath();
          permissions.requireAllowed(route.decidedMethod(method), route.decidedPath(path));
          if (route.target() != Route.Target.SELF) {
            permissions.refuseDenied(method, path);
          }
          return handler.handle(permissions);
        });
  }

  /**
   * Runs a request and answers it: the bearer token and origin first ({@link
   * BearerGuard#authenticate}), then {@code handler} with the caller's permissions. {@code route}
   * (the route's tag, {@code clients/{id}}: {@link Route#tag}) only names the request for the
   * meters.
   */
  private Response respond(String route, Handler handler) {
    long started = PolicyMetrics.start();
    Permissions permissions = null;
    Response.ResponseBuilder response;
    Refusal refusal = null;
    try {
      refuseAdministrationRealm();
      permissions = guard.authenticate();
      response = handler.handle(permissions);
    } catch (ApiError e) {
      refusal = e.refusal();
      response = e.toResponse();
    } catch (RuntimeException e) {
      LOG.error("config API request failed", e);
      response = new ApiError(500, "server_error", "see the server log").toResponse();
    }
    Response answer = cors(permissions, SecurityHeaders.survivable(session, response));
    if (PolicyMetrics.enabled()) {
      PolicyMetrics.configApi(
          new PolicyMetrics.Answered(
              realm.getName(),
              route,
              guard.method(),
              answer.getStatus(),
              permissions == null ? null : permissions.caller().client().getClientId(),
              refusal),
          started);
    }
    return answer;
  }

  /**
   * Keycloak's administration realm ({@code master}) is for its administrators: every client there
   * is one realm's admin client away from every realm, so the config API does not serve it
   * (docs/adr/0022-a-clients-reach-is-derived.md). Answered before the token is even read.
   */
  private void refuseAdministrationRealm() {
    if (RealmManager.isAdministrationRealm(realm)) {
      throw ApiError.notFound(
          "the config API does not serve Keycloak's administration realm "
              + realm.getName()
              + ": manage its clients in the admin console");
    }
  }

  /**
   * CORS headers for an actual response: only for a caller whose token and origin passed the guard,
   * and only naming an origin its client allows. No caller (a 401, or the origin itself refused):
   * no client is known, so no {@code Access-Control-Allow-Origin} at all.
   */
  private static Response cors(@Nullable Permissions caller, Response.ResponseBuilder response) {
    if (caller == null) {
      return response.build();
    }
    // the guard let this caller in only from an origin its client allows (Origins): echo it
    Cors cors =
        Cors.builder().auth().allowAllOrigins().allowedMethods(METHODS).exposedHeaders(EXPOSED);
    return cors.add(response);
  }

  static Response.ResponseBuilder ok(Object body) {
    return Json.response(200, body);
  }

  URI location(String relative) {
    return session
        .getContext()
        .getUri()
        .getBaseUriBuilder()
        .path("realms")
        .path(realm.getName())
        .path(ApiLayout.ROOT)
        .path(relative)
        .build();
  }
}
