package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.keycloak.rest.ClientBindings.Named;
import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.store.Revisions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSecretConstants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.ModelToRepresentation;
import org.keycloak.models.utils.RepresentationToModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.AdminClientRegisterContext;
import org.keycloak.services.clientpolicy.context.AdminClientRegisteredContext;
import org.keycloak.services.clientpolicy.context.AdminClientUnregisterContext;
import org.keycloak.services.clientpolicy.context.AdminClientUpdateContext;
import org.keycloak.services.clientpolicy.context.AdminClientUpdatedContext;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;
import org.keycloak.services.resources.admin.AdminAuth;

/**
 * The clients the config API manages: those handed over to it ({@link HandOver}), never Keycloak's
 * built-in clients. Each write reads as Keycloak's {@code ClientResource}: the permission check,
 * the body's rules ({@link ClientInput}) and bindings ({@link ClientBindings}), then Keycloak's own
 * representation code and client policies ({@link KeycloakClientSteps}). The secret is {@link
 * ClientSecrets}'.
 */
final class ManagedClientService implements ResourceCollection<ClientView, ClientInput.Body> {

  static final ManagedClientService INSTANCE = new ManagedClientService();

  private ManagedClientService() {}

  @Override
  public String name() {
    return ApiLayout.CLIENTS;
  }

  @Override
  public Revisions.Kind kind() {
    return Revisions.Kind.CLIENT;
  }

  // ---- reads ----

  /**
   * The handed-over clients the caller may read, in clientId order; only the page's views are
   * built.
   */
  @Override
  public Page<ClientView> page(
      KeycloakSession session, RealmModel realm, Permissions permissions, int first, int max) {
    List<ClientModel> readable =
        session
            .clients()
            .getClientsStream(realm)
            .filter(HandOver::isHandedOver)
            .filter(client -> permissions.canRead(path(client.getId())))
            .sorted(Comparator.comparing(ClientModel::getClientId))
            .toList();
    return new Page<>(
        readable.size(),
        readable.stream().skip(first).limit(max).map(client -> view(client, permissions)).toList());
  }

  @Override
  public ClientView get(
      KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    return view(find(session, realm, id), permissions);
  }

  // ---- writes ----

  /**
   * The body's fields, each valid on its own, every list bounded, and every policy it names one the
   * caller may read and hand out: all before any lock (docs/adr/0025). Rules that depend on the
   * client as it is ({@link ClientInput#of}) are checked under the lock, on bounded input.
   */
  @Override
  public Checked<ClientInput.Body> check(
      KeycloakSession session, RealmModel realm, Permissions permissions, ObjectNode body) {
    ClientInput.Body parsed = ClientInput.Body.parse(body);
    List<String> policies = parsed.tokenPolicies();
    if (policies != null) {
      ClientBindings.resolve(realm, permissions, policies);
    }
    // a client write checks and binds the policies of the client: it holds the whole realm
    return Checked.body(parsed, Writes.Keys.WHOLE_REALM);
  }

  @Override
  public Checked<String> checkId(String id) {
    return Checked.id(id, "no managed client " + id, Writes.Keys.WHOLE_REALM);
  }

  /** Creates the client; returns its view and, for a confidential client, its secret. */
  @Override
  public Created<ClientView> create(
      KeycloakSession session, RealmModel realm, Permissions permissions, ClientInput.Body body) {
    ClientInput input = ClientInput.of(body, null);
    if (HandOver.isReserved(input.clientId())
        || session.clients().getClientByClientId(realm, input.clientId()) != null) {
      throw unavailable();
    }
    List<Named> policies =
        ClientBindings.claim(session, realm, permissions, null, input.tokenPolicies());
    ClientBindings.requireConfigPowerIsConfidential(null, input, policies, permissions);

    ClientRepresentation rep = new ClientRepresentation();
    rep.setClientId(input.clientId());
    rep.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    // its users' tokens carry only roles an operator maps to it, never Keycloak's admin roles
    rep.setFullScopeAllowed(false);
    KeycloakClientSteps.applyTo(input, rep);
    AdminAuth auth = KeycloakClientSteps.adminAuth(realm, permissions);
    ClientModel client;
    try {
      session.clientPolicy().triggerOnEvent(new AdminClientRegisterContext(rep, auth));
      client = ClientManager.createClient(session, realm, rep);
      KeycloakClientSteps.serviceAccount(session, client, rep.isServiceAccountsEnabled());
      HandOver.handOver(client);
      ClientBindings.bindExactly(client, policies, null);
      KeycloakClientSteps.validate(session, client, true);
      // a new service account joins the realm's default groups: it may hold power already
      KeycloakPower.refuseIfPrivileged(session, realm, client);
      session.getContext().setClient(client);
      session.clientPolicy().triggerOnEvent(new AdminClientRegisteredContext(client, auth));
    } catch (ClientPolicyException e) {
      throw KeycloakClientSteps.refusedByClientPolicy(e);
    }
    String secret = client.isPublicClient() || client.isBearerOnly() ? null : client.getSecret();
    Revisions.created(session, realm, Revisions.Kind.CLIENT, client.getId());

    ClientView view = view(client, permissions);
    AdminEvents.record(
        session,
        realm,
        permissions,
        AdminEvents.CLIENT,
        OperationType.CREATE,
        path(client.getId()),
        view);
    return new Created<>(
        client.getId(), view, secret == null ? Map.of() : Map.of("secret", secret));
  }

  /**
   * Changes the client, in this order: the client's revision claimed (the lock of this client), the
   * caller may act as the client, the If-Match, the body's rules over the client as it is, its
   * policies claimed and resolved, config power only on a confidential client; then Keycloak's own
   * update, as {@code ClientResource.update}, and the client must end with no Keycloak power.
   */
  @Override
  public ClientView update(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> target,
      @Nullable String ifMatch,
      ClientInput.Body body) {
    String id = target.value();
    long revision = Writes.claim(session, realm, Revisions.Kind.CLIENT, id, ifMatch);
    ClientModel client = find(session, realm, id);
    permissions.requireCanActAs(session, realm, client);
    ClientView now = view(client, permissions);
    Writes.checkIfMatch(ifMatch, Json.etag(now, revision));
    ClientInput input = ClientInput.of(body, now);
    List<Named> policies =
        ClientBindings.claim(session, realm, permissions, client, input.tokenPolicies());
    ClientBindings.requireConfigPowerIsConfidential(client, input, policies, permissions);

    // Keycloak's own representation of the client, changed as the body says (ClientResource)
    ClientRepresentation rep = ModelToRepresentation.toRepresentation(client, session);
    KeycloakClientSteps.applyTo(input, rep);
    AdminAuth auth = KeycloakClientSteps.adminAuth(realm, permissions);
    try {
      session.setAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED, false);
      session.clientPolicy().triggerOnEvent(new AdminClientUpdateContext(rep, client, auth));
      KeycloakClientSteps.serviceAccount(session, client, rep.isServiceAccountsEnabled());
      RepresentationToModel.updateClient(rep, client, session);
      ClientBindings.bindExactly(client, policies, permissions);
      KeycloakClientSteps.validate(session, client, false);
      // a change (a new service account, a sign-in flow) must not leave it with Keycloak power
      KeycloakPower.refuseIfPrivileged(session, realm, client);
      session.clientPolicy().triggerOnEvent(new AdminClientUpdatedContext(rep, client, auth));
      KeycloakClientSteps.forgetRotationUnlessAPolicyRotates(session, client);
    } catch (ClientPolicyException e) {
      throw KeycloakClientSteps.refusedByClientPolicy(e);
    }
    ClientView view = view(client, permissions);
    AdminEvents.record(
        session, realm, permissions, AdminEvents.CLIENT, OperationType.UPDATE, path(id), view);
    return view;
  }

  @Override
  public void delete(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> target,
      @Nullable String ifMatch) {
    String id = target.value();
    long revision = Writes.claim(session, realm, Revisions.Kind.CLIENT, id, ifMatch);
    ClientModel client = find(session, realm, id);
    permissions.requireCanActAs(session, realm, client);
    Writes.checkIfMatch(ifMatch, Json.etag(view(client, permissions), revision));
    try {
      session
          .clientPolicy()
          .triggerOnEvent(
              new AdminClientUnregisterContext(
                  client, KeycloakClientSteps.adminAuth(realm, permissions)));
    } catch (ClientPolicyException e) {
      throw KeycloakClientSteps.refusedByClientPolicy(e);
    }
    new ClientManager(new RealmManager(session)).removeClient(realm, client);
    Revisions.deleted(session, realm, Revisions.Kind.CLIENT, id);
    AdminEvents.record(
        session, realm, permissions, AdminEvents.CLIENT, OperationType.DELETE, path(id), null);
  }

  // ---- helpers ----

  static String path(String id) {
    return ApiLayout.clientPath(id);
  }

  /** A handed-over client by id; other clients do not exist for this API. */
  static ClientModel find(KeycloakSession session, RealmModel realm, String id) {
    ClientModel client = session.clients().getClientById(realm, id);
    if (client == null || !client.getId().equals(id) || !HandOver.isHandedOver(client)) {
      throw ApiError.notFound("no managed client " + id);
    }
    return client;
  }

  /**
   * The one answer for a clientId the API will not create, whether it is taken (by a managed client
   * or not) or reserved: it tells nothing about clients the API does not manage.
   */
  private static ApiError unavailable() {
    return ApiError.conflict("clientId is not available").with("field", "clientId");
  }

  /**
   * The client as the caller may see it: its {@code tokenPolicies} name only the policies the
   * caller may read (errors and views obey denies).
   */
  static ClientView view(ClientModel client, Permissions permissions) {
    List<String> grants = new ArrayList<>();
    if (client.isServiceAccountsEnabled()) {
      grants.add(ClientInput.CLIENT_CREDENTIALS);
    }
    if (client.isStandardFlowEnabled()) {
      grants.add(ClientInput.AUTHORIZATION_CODE);
    }
    if (client.isDirectAccessGrantsEnabled()) {
      grants.add(ClientInput.PASSWORD);
    }
    if ("true".equals(client.getAttribute(KeycloakClientSteps.TOKEN_EXCHANGE_ATTRIBUTE))) {
      grants.add(ClientInput.TOKEN_EXCHANGE);
    }
    return new ClientView(
        client.getId(),
        client.getClientId(),
        client.getName(),
        client.isPublicClient() ? "public" : "confidential",
        grants,
        client.getRedirectUris().stream().sorted().toList(),
        client.getClientScopes(true).values().stream()
            .filter(PolicyStore::isPolicy)
            .map(ClientScopeModel::getId)
            .filter(id -> ClientBindings.readable(permissions, id))
            .sorted()
            .toList(),
        client.isEnabled());
  }
}
