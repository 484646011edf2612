package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.keycloak.compat.ClientPolicyContexts;
import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.store.Revisions;
import io.github.policyscopes.policy.TokenPolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.constants.ServiceAccountConstants;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSecretConstants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.ModelToRepresentation;
import org.keycloak.models.utils.RepresentationToModel;
import org.keycloak.protocol.oidc.OIDCClientSecretConfigWrapper;
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
import org.keycloak.validation.ValidationUtil;

/**
 * The clients the config API manages: those handed over to it ({@link HandOver}), never Keycloak's
 * built-in clients. Client writes go through Keycloak's own representation code and client
 * policies, as the admin REST API's do.
 */
final class ManagedClientService
    implements ResourceCollection<ManagedClientService.View, ManagedClientService.Body> {

  static final ManagedClientService INSTANCE = new ManagedClientService();

  static final String TOKEN_EXCHANGE = OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE;
  static final String TOKEN_EXCHANGE_ATTRIBUTE = "standard.token.exchange.enabled";

  /**
   * The longest clientId: Keycloak names a service account {@code service-account-<clientId>} and
   * stores user names in 255 characters.
   */
  static final int MAX_CLIENT_ID = 255 - "service-account-".length();

  static final Set<String> GRANT_TYPES =
      Set.of(
          OAuth2Constants.CLIENT_CREDENTIALS,
          OAuth2Constants.AUTHORIZATION_CODE,
          OAuth2Constants.PASSWORD,
          TOKEN_EXCHANGE);

  /**
   * The most token policies one client body may name: every one is resolved, and claimed when new,
   * under the realm's write lock, so their count bounds that work (docs/adr/0025).
   */
  static final int MAX_TOKEN_POLICIES = 64;

  /**
   * The most redirect URIs of one client: Keycloak writes each under the realm's write lock. Far
   * more than a sign-in client uses (Keycloak's own clients have one or two).
   */
  static final int MAX_REDIRECT_URIS = 100;

  static final Set<String> WRITABLE =
      Set.of("clientId", "name", "type", "grantTypes", "redirectUris", "tokenPolicies", "enabled");
  static final Set<String> READ_ONLY = Set.of("id", "secret");

  record View(
      String id,
      String clientId,
      @Nullable String name,
      String type,
      List<String> grantTypes,
      List<String> redirectUris,
      List<String> tokenPolicies,
      boolean enabled) {}

  /**
   * A client's secret and its strong ETag (If-Match of a rotation); the value is Keycloak's, null
   * only should Keycloak hold no secret for the confidential client.
   */
  record Secret(@Nullable String value, String etag) {}

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
  public Page<View> page(
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
  public View get(KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    return view(find(session, realm, id), permissions);
  }

  static Secret secret(
      KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    ClientModel client = find(session, realm, id);
    permissions.requireNoKeycloakPower(session, realm, client);
    requireConfidential(client);
    permissions.requireCoversPoliciesOf(client);
    return new Secret(client.getSecret(), secretEtag(session, client));
  }

  // ---- writes ----

  /**
   * The body's fields, each valid on its own, every list bounded, and every policy it names one the
   * caller may read and hand out: all before any lock (docs/adr/0025). Rules that depend on the
   * client as it is ({@link Input#of}) are checked under the lock, on bounded input.
   */
  @Override
  public Checked<Body> check(
      KeycloakSession session, RealmModel realm, Permissions permissions, ObjectNode body) {
    Body parsed = Body.parse(body);
    if (parsed.tokenPolicies() != null) {
      policies(realm, permissions, parsed.tokenPolicies());
    }
    return Checked.body(parsed);
  }

  @Override
  public Checked<String> checkId(String id) {
    return Checked.id(id, "no managed client " + id);
  }

  /** Creates the client; returns its view and, for a confidential client, its secret. */
  @Override
  public Created<View> create(
      KeycloakSession session, RealmModel realm, Permissions permissions, Body body) {
    Input input = Input.of(body, null, permissions);
    if (input.clientId() == null || input.clientId().isBlank()) {
      throw ApiError.invalidField("clientId", "is required");
    }
    if (HandOver.isReserved(input.clientId())
        || session.clients().getClientByClientId(realm, input.clientId()) != null) {
      throw unavailable();
    }
    // bounded by the check; then resolved afresh: the claims made the cache forget them
    claimNewBindings(session, realm, null, input.tokenPolicies());
    List<ClientScopeModel> policies = policies(realm, permissions, input.tokenPolicies());
    checkConfigPowerIsConfidential(null, input, policies, permissions);

    ClientRepresentation rep = new ClientRepresentation();
    rep.setClientId(input.clientId());
    rep.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    // its users' tokens carry only roles an operator maps to it, never Keycloak's admin roles
    rep.setFullScopeAllowed(false);
    input.applyTo(rep);
    AdminAuth auth = adminAuth(realm, permissions);
    ClientModel client;
    try {
      session.clientPolicy().triggerOnEvent(new AdminClientRegisterContext(rep, auth));
      client = ClientManager.createClient(session, realm, rep);
      serviceAccount(session, client, rep.isServiceAccountsEnabled());
      HandOver.handOver(client);
      bindExactly(client, policies, null);
      validate(session, client, true);
      // a new service account joins the realm's default groups: it may hold power already
      KeycloakPower.refuseIfPrivileged(session, realm, client);
      session.getContext().setClient(client);
      session.clientPolicy().triggerOnEvent(new AdminClientRegisteredContext(client, auth));
    } catch (ClientPolicyException e) {
      throw refusedByClientPolicy(e);
    }
    String secret = client.isPublicClient() || client.isBearerOnly() ? null : client.getSecret();
    Revisions.created(session, realm, Revisions.Kind.CLIENT, client.getId());

    View view = view(client, permissions);
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

  @Override
  public View update(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> target,
      @Nullable String ifMatch,
      Body body) {
    String id = target.value();
    long revision = Writes.claim(session, realm, Revisions.Kind.CLIENT, id, ifMatch);
    ClientModel client = find(session, realm, id);
    Writes.checkIfMatch(ifMatch, Json.etag(view(client, permissions), revision));
    permissions.requireCanActAs(session, realm, client);
    Input input = Input.of(body, client, permissions);
    if (input.clientId() != null && !input.clientId().equals(client.getClientId())) {
      throw ApiError.invalidField("clientId", "cannot be changed");
    }
    // bounded by the check; then resolved afresh: the claims made the cache forget them
    claimNewBindings(session, realm, client, input.tokenPolicies());
    List<ClientScopeModel> policies = policies(realm, permissions, input.tokenPolicies());
    checkConfigPowerIsConfidential(client, input, policies, permissions);

    // Keycloak's own representation of the client, changed as the body says (ClientResource)
    ClientRepresentation rep = ModelToRepresentation.toRepresentation(client, session);
    input.applyTo(rep);
    AdminAuth auth = adminAuth(realm, permissions);
    try {
      session.setAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED, Boolean.FALSE);
      session.clientPolicy().triggerOnEvent(new AdminClientUpdateContext(rep, client, auth));
      serviceAccount(session, client, rep.isServiceAccountsEnabled());
      RepresentationToModel.updateClient(rep, client, session);
      bindExactly(client, policies, permissions);
      validate(session, client, false);
      // a change (a new service account, a sign-in flow) must not leave it with Keycloak power
      KeycloakPower.refuseIfPrivileged(session, realm, client);
      session.clientPolicy().triggerOnEvent(new AdminClientUpdatedContext(rep, client, auth));
      forgetRotationUnlessAPolicyRotates(session, client);
    } catch (ClientPolicyException e) {
      throw refusedByClientPolicy(e);
    }
    View view = view(client, permissions);
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
    Writes.checkIfMatch(ifMatch, Json.etag(view(client, permissions), revision));
    permissions.requireCanActAs(session, realm, client);
    try {
      session
          .clientPolicy()
          .triggerOnEvent(new AdminClientUnregisterContext(client, adminAuth(realm, permissions)));
    } catch (ClientPolicyException e) {
      throw refusedByClientPolicy(e);
    }
    new ClientManager(new RealmManager(session)).removeClient(realm, client);
    Revisions.deleted(session, realm, Revisions.Kind.CLIENT, id);
    AdminEvents.record(
        session, realm, permissions, AdminEvents.CLIENT, OperationType.DELETE, path(id), null);
  }

  /**
   * A new secret, if {@code ifMatch} (absent, {@code *} or the secret's ETag) allows; {@code id}
   * was checked before the lock ({@link #checkId}).
   */
  static Secret regenerateSecret(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      String id,
      @Nullable String ifMatch) {
    // the client's own revision: a rotation and a client update never interleave (the update
    // writes Keycloak's whole representation, secret included)
    long revision = Writes.claim(session, realm, Revisions.Kind.CLIENT, id, ifMatch);
    ClientModel client = find(session, realm, id);
    permissions.requireNoKeycloakPower(session, realm, client);
    requireConfidential(client);
    permissions.requireCoversPoliciesOf(client);
    Writes.checkIfMatch(ifMatch, secretEtag(client, revision));
    try {
      session.setAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED, Boolean.FALSE);
      ClientRepresentation rep = ModelToRepresentation.toRepresentation(client, session);
      String previous = client.getSecret();
      KeycloakModelUtils.generateSecret(client);
      session
          .clientPolicy()
          .triggerOnEvent(
              ClientPolicyContexts.secretRotation(
                  rep, client, previous, adminAuth(realm, permissions)));
      forgetRotationUnlessAPolicyRotates(session, client);
    } catch (ClientPolicyException e) {
      throw refusedByClientPolicy(e);
    }
    AdminEvents.record(
        session,
        realm,
        permissions,
        AdminEvents.CLIENT,
        OperationType.ACTION,
        ApiLayout.secretPath(id),
        null);
    return new Secret(client.getSecret(), secretEtag(session, client));
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

  private static void requireConfidential(ClientModel client) {
    if (client.isPublicClient() || client.isBearerOnly()) {
      throw ApiError.conflict("client " + client.getClientId() + " is public: it has no secret");
    }
  }

  /** The strong ETag of the client's current secret at the client's current revision. */
  private static String secretEtag(KeycloakSession session, ClientModel client) {
    return secretEtag(
        client,
        Revisions.current(session, client.getRealm(), Revisions.Kind.CLIENT, client.getId()));
  }

  /** A strong ETag of the client's secret: a hash with the revision, never the secret itself. */
  private static String secretEtag(ClientModel client, long revision) {
    String secret = client.getSecret() == null ? "" : client.getSecret();
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  ("config-api-secret\0" + client.getId() + "\0" + secret + "\0" + revision)
                      .getBytes(StandardCharsets.UTF_8));
      return "\""
          + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 18))
          + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /**
   * The client as the caller may see it: its {@code tokenPolicies} name only the policies the
   * caller may read (errors and views obey denies).
   */
  static View view(ClientModel client, Permissions permissions) {
    List<String> grants = new ArrayList<>();
    if (client.isServiceAccountsEnabled()) {
      grants.add(OAuth2Constants.CLIENT_CREDENTIALS);
    }
    if (client.isStandardFlowEnabled()) {
      grants.add(OAuth2Constants.AUTHORIZATION_CODE);
    }
    if (client.isDirectAccessGrantsEnabled()) {
      grants.add(OAuth2Constants.PASSWORD);
    }
    if ("true".equals(client.getAttribute(TOKEN_EXCHANGE_ATTRIBUTE))) {
      grants.add(TOKEN_EXCHANGE);
    }
    return new View(
        client.getId(),
        client.getClientId(),
        client.getName(),
        client.isPublicClient() ? "public" : "confidential",
        grants,
        client.getRedirectUris().stream().sorted().toList(),
        client.getClientScopes(true).values().stream()
            .filter(PolicyStore::isPolicy)
            .map(ClientScopeModel::getId)
            .filter(id -> readable(permissions, id))
            .sorted()
            .toList(),
        client.isEnabled());
  }

  private static boolean readable(Permissions permissions, String policyId) {
    return permissions.canRead(TokenPolicyService.path(policyId));
  }

  /**
   * The named policies, each readable by the caller and covered by its token (no escalation by
   * binding). A policy the caller may not read answers exactly as an unknown one (I15).
   */
  private static List<ClientScopeModel> policies(
      RealmModel realm, Permissions permissions, List<String> ids) {
    List<ClientScopeModel> policies = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      ClientScopeModel scope =
          permissions.canRead(TokenPolicyService.path(id)) ? realm.getClientScopeById(id) : null;
      if (scope == null || !scope.getId().equals(id) || !PolicyStore.isPolicy(scope)) {
        throw ApiError.invalidField("tokenPolicies[" + i + "]", "no token policy " + id);
      }
      permissions.requireCanHandOut(TokenPolicyService.policy(scope).allowedScopes());
      policies.add(scope);
    }
    return policies;
  }

  /**
   * Config power is for confidential clients (I13): a public client has no secret, so whoever runs
   * it (any user, for the password grant) would hold its policy's config grants. Binding a policy
   * with a config grant to a public client is refused, and so is turning such a client public.
   */
  private static void checkConfigPowerIsConfidential(
      @Nullable ClientModel current,
      Input input,
      List<ClientScopeModel> policies,
      Permissions permissions) {
    if (input.confidential()) {
      return;
    }
    boolean turningPublic = current != null && !current.isPublicClient();
    String why = "grants config scopes, which only a confidential client may hold";
    if (current != null
        && PolicyStore.boundTo(current, Map.of()).stream().anyMatch(TokenPolicy::hasConfigGrant)) {
      throw ApiError.invalidField("type", "the client's own policy " + why);
    }
    if (turningPublic
        && current.getClientScopes(true).values().stream()
            .filter(scope -> !readable(permissions, scope.getId()))
            .map(PolicyStore::policyOf)
            .anyMatch(policy -> policy != null && policy.hasConfigGrant())) {
      // a binding the caller cannot see stays, so it counts too
      throw ApiError.invalidField("type", "a token policy bound to it " + why);
    }
    Set<String> bound = current == null ? Set.of() : current.getClientScopes(true).keySet();
    for (int i = 0; i < policies.size(); i++) {
      ClientScopeModel scope = policies.get(i);
      if (TokenPolicyService.policy(scope).hasConfigGrant()) {
        boolean kept = turningPublic && bound.contains(scope.getName());
        throw ApiError.invalidField(
            kept ? "type" : "tokenPolicies[" + i + "]",
            "token policy " + scope.getId() + " " + why);
      }
    }
  }

  /**
   * Binds exactly the named policies (I9): Keycloak gives a new client the realm's default client
   * scopes, default and optional, and a policy among them would reach the client though nobody
   * named it. Every other policy scope is removed, as default and as optional scope. On an update
   * ({@code permissions} not null), a binding to a policy the caller may not read is neither shown
   * to it nor touched: the caller cannot name what it cannot see.
   */
  private static void bindExactly(
      ClientModel client, List<ClientScopeModel> policies, @Nullable Permissions permissions) {
    Set<String> named = new HashSet<>();
    policies.forEach(p -> named.add(p.getId()));
    client.getClientScopes(true).values().stream()
        .filter(PolicyStore::isPolicy)
        .filter(scope -> !named.contains(scope.getId()))
        .filter(scope -> permissions == null || readable(permissions, scope.getId()))
        .toList()
        .forEach(client::removeClientScope);
    client.getClientScopes(false).values().stream()
        .filter(PolicyStore::isPolicy)
        .filter(scope -> permissions == null || readable(permissions, scope.getId()))
        .toList()
        .forEach(client::removeClientScope);
    Set<String> current = client.getClientScopes(true).keySet();
    policies.stream()
        .filter(p -> !current.contains(p.getName()))
        .forEach(p -> client.addClientScope(p, true));
  }

  /** Keycloak's client validation (redirect URIs, URLs…), as the admin REST API runs it. */
  private static void validate(KeycloakSession session, ClientModel client, boolean create) {
    ValidationUtil.validateClient(
        session,
        client,
        create,
        result -> {
          throw new ApiError(400, "invalid_client_metadata", result.getAllErrorsAsString());
        });
  }

  /** As ClientResource: a rotation left by an earlier policy is forgotten unless one rotates. */
  private static void forgetRotationUnlessAPolicyRotates(
      KeycloakSession session, ClientModel client) {
    if (!Boolean.TRUE.equals(
        session.getAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED))) {
      OIDCClientSecretConfigWrapper.fromClientModel(client).removeClientSecretRotationInfo();
    }
    session.removeAttribute(ClientSecretConstants.CLIENT_SECRET_ROTATION_ENABLED);
  }

  /**
   * Claims every policy the write binds anew ({@link Revisions}, in id order so that two writers
   * never wait on each other): a policy deleted on another node meanwhile is then found missing
   * (400), and a delete that comes after sees the binding in the database (409).
   */
  private static void claimNewBindings(
      KeycloakSession session,
      RealmModel realm,
      @Nullable ClientModel client,
      @Nullable List<String> ids) {
    if (ids == null) {
      return;
    }
    Set<String> boundIds = new HashSet<>();
    if (client != null) {
      client.getClientScopes(true).values().forEach(scope -> boundIds.add(scope.getId()));
    }
    ids.stream()
        .filter(id -> id != null && !boundIds.contains(id))
        .distinct()
        .sorted()
        .forEach(id -> Writes.claim(session, realm, Revisions.Kind.POLICY, id, null));
  }

  /**
   * Creates or removes the client's service account as the admin REST API does for {@code
   * serviceAccountsEnabled} (26.7's {@code ClientManager.updateClientServiceAccount}, which 26.4
   * lacks; the same steps through {@link ClientManager}'s methods that every supported version
   * has).
   */
  private static void serviceAccount(
      KeycloakSession session, ClientModel client, @Nullable Boolean enabled) {
    boolean exists = session.users().getServiceAccount(client) != null;
    boolean scopeAssigned =
        client.getClientScopes(true).containsKey(ServiceAccountConstants.SERVICE_ACCOUNT_SCOPE);
    ClientManager manager = new ClientManager(new RealmManager(session));
    if (Boolean.TRUE.equals(enabled)) {
      if (!exists || !scopeAssigned) {
        manager.enableServiceAccount(client);
      }
    } else if (Boolean.FALSE.equals(enabled) || !client.isServiceAccountsEnabled()) {
      if (exists || scopeAssigned) {
        manager.disableServiceAccount(client);
      }
    }
  }

  /** The caller as Keycloak's client policies see an admin: its token, user and client. */
  private static AdminAuth adminAuth(RealmModel realm, Permissions permissions) {
    return permissions.caller().adminAuth(realm);
  }

  /** A realm client policy refused the write: 400 with its error, as the admin REST API says. */
  private static ApiError refusedByClientPolicy(ClientPolicyException e) {
    String error = e.getError() == null ? "invalid_client_metadata" : e.getError();
    String detail = e.getErrorDetail() == null ? e.getMessage() : e.getErrorDetail();
    return new ApiError(400, error, detail);
  }

  /**
   * A client body checked field by field, before any lock: only known fields, each valid on its
   * own, every list bounded ({@link #MAX_TOKEN_POLICIES}, {@link #MAX_REDIRECT_URIS}); a field not
   * sent is null. {@link Input#of} adds what depends on the client as it is.
   */
  record Body(
      @Nullable String clientId,
      @Nullable String name,
      @Nullable String type,
      @Nullable List<String> grantTypes,
      @Nullable List<String> redirectUris,
      @Nullable List<String> tokenPolicies,
      @Nullable Boolean enabled) {

    static Body parse(ObjectNode body) {
      Json.onlyFields(body, WRITABLE, READ_ONLY);
      String clientId = Json.text(body, "clientId");
      if (clientId != null && !Input.isClientId(clientId)) {
        throw ApiError.invalidField(
            "clientId", "must be 1-" + MAX_CLIENT_ID + " visible ASCII characters without spaces");
      }
      String name = Json.text(body, "name");
      if (name != null && name.length() > 255) {
        throw ApiError.invalidField("name", "must be at most 255 characters long");
      }
      String type = Json.text(body, "type");
      if (type != null && !type.equals("confidential") && !type.equals("public")) {
        throw ApiError.invalidField("type", "must be confidential or public");
      }
      List<String> grants = Json.strings(body, "grantTypes");
      if (grants != null) {
        for (int i = 0; i < grants.size(); i++) {
          if (!GRANT_TYPES.contains(grants.get(i))) {
            throw ApiError.invalidField(
                "grantTypes[" + i + "]",
                "must be one of " + String.join(", ", GRANT_TYPES.stream().sorted().toList()));
          }
        }
        grants = grants.stream().distinct().toList();
      }
      List<String> redirects = Json.strings(body, "redirectUris");
      if (redirects != null) {
        if (redirects.size() > MAX_REDIRECT_URIS) {
          throw ApiError.invalidField(
              "redirectUris", "must have at most " + MAX_REDIRECT_URIS + " entries");
        }
        for (int i = 0; i < redirects.size(); i++) {
          String problem = Input.redirectProblem(redirects.get(i));
          if (problem != null) {
            throw ApiError.invalidField("redirectUris[" + i + "]", problem);
          }
        }
        redirects = redirects.stream().distinct().toList();
      }
      List<String> policies = Json.strings(body, "tokenPolicies");
      if (policies != null) {
        if (policies.size() > MAX_TOKEN_POLICIES) {
          throw ApiError.invalidField(
              "tokenPolicies", "must have at most " + MAX_TOKEN_POLICIES + " entries");
        }
        for (int i = 0; i < policies.size(); i++) {
          if (!Checked.possibleId(policies.get(i))) {
            // no id Keycloak stores is this long: unknown, as any other unknown id
            throw ApiError.invalidField(
                "tokenPolicies[" + i + "]",
                "no token policy: an id has 1-" + Checked.MAX_ID + " characters");
          }
        }
        policies = policies.stream().distinct().toList();
      }
      return new Body(
          clientId, name, type, grants, redirects, policies, Json.bool(body, "enabled"));
    }
  }

  /**
   * A client body as it will be written: a checked {@link Body} and, on update, the client's
   * current values for the fields it did not send.
   */
  record Input(
      @Nullable String clientId,
      @Nullable String name,
      boolean confidential,
      List<String> grantTypes,
      List<String> redirectUris,
      List<String> tokenPolicies,
      boolean enabled) {

    /**
     * The body over the client as it is (null: a new client), and the rules across fields. Bounded
     * by the checks of {@link Body#parse}.
     */
    static Input of(Body body, @Nullable ClientModel current, Permissions permissions) {
      View now = current == null ? null : view(current, permissions);
      String name = orElse(body.name(), now == null ? null : now.name());
      String type = orElse(body.type(), now == null ? "confidential" : now.type());
      boolean confidential = type.equals("confidential");
      List<String> grants =
          orElse(
              body.grantTypes(),
              now == null ? List.of(OAuth2Constants.CLIENT_CREDENTIALS) : now.grantTypes());
      for (int i = 0; i < grants.size(); i++) {
        String grant = grants.get(i);
        if (!confidential
            && (grant.equals(OAuth2Constants.CLIENT_CREDENTIALS) || grant.equals(TOKEN_EXCHANGE))) {
          throw ApiError.invalidField(
              "grantTypes[" + i + "]", grant + " needs a confidential client");
        }
      }
      List<String> redirects =
          orElse(body.redirectUris(), now == null ? List.of() : now.redirectUris());
      if (grants.contains(OAuth2Constants.AUTHORIZATION_CODE) && redirects.isEmpty()) {
        throw ApiError.invalidField("redirectUris", "authorization_code needs at least one");
      }
      List<String> policies =
          orElse(body.tokenPolicies(), now == null ? List.of() : now.tokenPolicies());
      Boolean enabled = orElse(body.enabled(), now == null ? Boolean.TRUE : now.enabled());
      return new Input(
          body.clientId(),
          name,
          confidential,
          grants.stream().distinct().toList(),
          redirects.stream().distinct().toList(),
          policies.stream().distinct().toList(),
          enabled);
    }

    /** Writes the body's fields onto Keycloak's representation of the client. */
    void applyTo(ClientRepresentation rep) {
      rep.setName(name);
      rep.setEnabled(enabled);
      rep.setPublicClient(!confidential);
      rep.setBearerOnly(false);
      rep.setStandardFlowEnabled(grantTypes.contains(OAuth2Constants.AUTHORIZATION_CODE));
      rep.setDirectAccessGrantsEnabled(grantTypes.contains(OAuth2Constants.PASSWORD));
      rep.setImplicitFlowEnabled(false);
      rep.setServiceAccountsEnabled(grantTypes.contains(OAuth2Constants.CLIENT_CREDENTIALS));
      Map<String, String> attributes =
          rep.getAttributes() == null ? new HashMap<>() : new HashMap<>(rep.getAttributes());
      attributes.put(TOKEN_EXCHANGE_ATTRIBUTE, String.valueOf(grantTypes.contains(TOKEN_EXCHANGE)));
      rep.setAttributes(attributes);
      rep.setRedirectUris(new ArrayList<>(redirectUris));
    }

    private static <T extends @Nullable Object> T orElse(@Nullable T value, T fallback) {
      return value != null ? value : fallback;
    }

    static boolean isClientId(String clientId) {
      return !clientId.isEmpty()
          && clientId.length() <= MAX_CLIENT_ID
          && clientId.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** An absolute http(s) URI, optionally ending in Keycloak's {@code *} wildcard; no fragment. */
    static @Nullable String redirectProblem(String uri) {
      if (uri.length() > 255) {
        return "must be at most 255 characters long"; // Keycloak stores it in 255 characters
      }
      String check = uri.endsWith("*") ? uri.substring(0, uri.length() - 1) : uri;
      if (Stream.of(" ", "#", "\\").anyMatch(check::contains)) {
        return "must be an absolute http(s) URI without fragment";
      }
      try {
        URI parsed = new URI(check.endsWith(":") ? check + "1" : check);
        if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())) {
          return "must be an http or https URI";
        }
        if (parsed.getHost() == null) {
          return "must name a host";
        }
      } catch (URISyntaxException e) {
        return "is not a valid URI";
      }
      return null;
    }
  }
}
