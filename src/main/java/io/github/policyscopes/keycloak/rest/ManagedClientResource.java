package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.access.Routes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.KeycloakSession;

/**
 * {@code config/clients/{id}}: a managed client, and below it its secret and the dry run of its
 * token requests, as Keycloak's {@code ClientResource} holds {@code client-secret}.
 */
public final class ManagedClientResource extends MemberResource<ClientView, ClientInput.Body> {

  ManagedClientResource(
      ConfigResource root,
      ResourceCollection<ClientView, ClientInput.Body> collection,
      KeycloakSession session,
      String id) {
    super(root, collection, session, id);
  }

  @GET
  @Path(ApiLayout.SECRET)
  public Response getSecret() {
    return root.guarded(
        Routes.SECRET_READ,
        permissions -> secret(ClientSecrets.read(session, realm, permissions, id)));
  }

  @POST
  @Path(ApiLayout.SECRET)
  public Response newSecret(@HeaderParam("If-Match") @Nullable String ifMatch) {
    return root.guarded(
        Routes.SECRET_ROTATE,
        permissions ->
            secret(
                Writes.inTransaction(
                    session,
                    collection.checkId(id),
                    (s, r, target) -> ClientSecrets.rotate(s, r, permissions, target, ifMatch))));
  }

  /**
   * The dry run: what a token request of the client would get now, and why. Evaluating is reading
   * the client: the decision is the one for {@code GET config/clients/{id}}, so a caller refused
   * that GET gets the same 403 here. It issues no token and writes nothing.
   */
  @POST
  @Path(ApiLayout.EVALUATE)
  public Response evaluate(InputStream body) {
    return root.guarded(
        Routes.EVALUATE,
        permissions -> {
          var json = Json.readObject(session.getContext().getHttpRequest().getHttpHeaders(), body);
          return ConfigResource.ok(
              ClientEvaluation.evaluate(session, realm, permissions, id, json));
        });
  }

  private static Response.ResponseBuilder secret(ClientSecrets.Secret secret) {
    return ConfigResource.ok(secret.body()).header("ETag", secret.etag());
  }
}
