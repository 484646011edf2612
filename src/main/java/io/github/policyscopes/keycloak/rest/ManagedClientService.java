package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.PolicyStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.keycloak.OAuth2Constants;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

/**
 * The clients the config API manages: those it created and those bound to a token policy, never
 * Keycloak's built-in clients.
 */
final class ManagedClientService implements ResourceCollection {

  static final ManagedClientService INSTANCE = new ManagedClientService();

  /** Marks a client created through the config API. */
  static final String MANAGED_ATTRIBUTE = "pbs.managed";

  static final String TOKEN_EXCHANGE = OAuth2Constants.TOKEN_EXCHANGE_GRANT_TYPE;
  static final String TOKEN_EXCHANGE_ATTRIBUTE = "standard.token.exchange.enabled";

  static final Set<String> BUILT_IN =
      Set.of(
          Constants.ADMIN_CLI_CLIENT_ID,
          Constants.ADMIN_CONSOLE_CLIENT_ID,
          Constants.REALM_MANAGEMENT_CLIENT_ID,
          Constants.BROKER_SERVICE_CLIENT_ID,
          Constants.ACCOUNT_MANAGEMENT_CLIENT_ID,
          Constants.ACCOUNT_CONSOLE_CLIENT_ID);

  static final Set<String> GRANT_TYPES =
      Set.of(
          OAuth2Constants.CLIENT_CREDENTIALS,
          OAuth2Constants.AUTHORIZATION_CODE,
          OAuth2Constants.PASSWORD,
          TOKEN_EXCHANGE);

  static final Set<String> WRITABLE =
      Set.of("clientId", "name", "type", "grantTypes", "redirectUris", "tokenPolicies", "enabled");
  static final Set<String> READ_ONLY = Set.of("id", "secret");

  record View(
      String id,
      String clientId,
      String name,
      String type,
      List<String> grantTypes,
      List<String> redirectUris,
      List<String> tokenPolicies,
      boolean enabled) {}

  private ManagedClientService() {}

  @Override
  public String name() {
    return "clients";
  }

  // ---- reads ----

  @Override
  public List<View> all(KeycloakSession session, RealmModel realm, Caller caller) {
    return session
        .clients()
        .getClientsStream(realm)
        .filter(ManagedClientService::isManaged)
        .map(ManagedClientService::view)
        .sorted((a, b) -> a.clientId().compareTo(b.clientId()))
        .toList();
  }

  @Override
  public View get(KeycloakSession session, RealmModel realm, Caller caller, String id) {
    return view(find(session, realm, id));
  }

  static String secret(KeycloakSession session, RealmModel realm, Caller caller, String id) {
    ClientModel client = find(session, realm, id);
    requireConfidential(client);
    checkCanActAs(caller, client);
    return client.getSecret();
  }

  // ---- writes ----

  /** Creates the client; returns its view and, for a confidential client, its secret. */
  @Override
  public Created create(KeycloakSession session, RealmModel realm, Caller caller, ObjectNode body) {
    Input input = Input.parse(body, null);
    if (input.clientId() == null || input.clientId().isBlank()) {
      throw ApiError.invalidField("clientId", "is required");
    }
    if (session.clients().getClientByClientId(realm, input.clientId()) != null) {
      throw ApiError.conflict("a client with clientId " + input.clientId() + " already exists")
          .with("field", "clientId");
    }
    List<ClientScopeModel> policies = policies(realm, caller, input.tokenPolicies());

    ClientRepresentation rep = new ClientRepresentation();
    rep.setClientId(input.clientId());
    rep.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    ClientModel client = ClientManager.createClient(session, realm, rep);
    client.setAttribute(MANAGED_ATTRIBUTE, "true");
    apply(session, client, input);
    String secret = input.confidential() ? KeycloakModelUtils.generateSecret(client) : null;
    bind(client, policies);

    View view = view(client);
    AdminEvents.record(
        session,
        realm,
        caller,
        AdminEvents.CLIENT,
        OperationType.CREATE,
        path(client.getId()),
        view);
    return new Created(client.getId(), view, secret == null ? Map.of() : Map.of("secret", secret));
  }

  @Override
  public View update(
      KeycloakSession session,
      RealmModel realm,
      Caller caller,
      String id,
      String ifMatch,
      ObjectNode body) {
    ClientModel client = find(session, realm, id);
    Writes.checkIfMatch(ifMatch, Json.etag(view(client)));
    checkCanActAs(caller, client);
    Input input = Input.parse(body, client);
    if (input.clientId() != null && !input.clientId().equals(client.getClientId())) {
      throw ApiError.invalidField("clientId", "cannot be changed");
    }
    List<ClientScopeModel> policies = policies(realm, caller, input.tokenPolicies());
    boolean wasPublic = client.isPublicClient();
    apply(session, client, input);
    if (wasPublic && input.confidential() && client.getSecret() == null) {
      KeycloakModelUtils.generateSecret(client);
    }
    // rebind: policies the caller leaves out are unbound, the ones it names are bound
    client.getClientScopes(true).values().stream()
        .filter(PolicyStore::isPolicy)
        .filter(scope -> policies.stream().noneMatch(p -> p.getId().equals(scope.getId())))
        .forEach(client::removeClientScope);
    bind(client, policies);
    View view = view(client);
    AdminEvents.record(
        session, realm, caller, AdminEvents.CLIENT, OperationType.UPDATE, path(id), view);
    return view;
  }

  @Override
  public void delete(
      KeycloakSession session, RealmModel realm, Caller caller, String id, String ifMatch) {
    ClientModel client = find(session, realm, id);
    Writes.checkIfMatch(ifMatch, Json.etag(view(client)));
    checkCanActAs(caller, client);
    new ClientManager(new RealmManager(session)).removeClient(realm, client);
    AdminEvents.record(
        session, realm, caller, AdminEvents.CLIENT, OperationType.DELETE, path(id), null);
  }

  static String regenerateSecret(
      KeycloakSession session, RealmModel realm, Caller caller, String id) {
    ClientModel client = find(session, realm, id);
    requireConfidential(client);
    checkCanActAs(caller, client);
    String secret = KeycloakModelUtils.generateSecret(client);
    AdminEvents.record(
        session,
        realm,
        caller,
        AdminEvents.CLIENT,
        OperationType.ACTION,
        path(id) + "/secret",
        null);
    return secret;
  }

  // ---- helpers ----

  static String path(String id) {
    return "config/clients/" + id;
  }

  static boolean isManaged(ClientModel client) {
    if (BUILT_IN.contains(client.getClientId())
        || !OIDCLoginProtocol.LOGIN_PROTOCOL.equals(protocolOf(client))) {
      return false;
    }
    return "true".equals(client.getAttribute(MANAGED_ATTRIBUTE))
        || client.getClientScopes(true).values().stream().anyMatch(PolicyStore::isPolicy);
  }

  private static String protocolOf(ClientModel client) {
    return client.getProtocol() == null ? OIDCLoginProtocol.LOGIN_PROTOCOL : client.getProtocol();
  }

  /** A managed client by id; unmanaged and built-in clients do not exist for this API. */
  static ClientModel find(KeycloakSession session, RealmModel realm, String id) {
    ClientModel client = session.clients().getClientById(realm, id);
    if (client == null || !client.getId().equals(id) || !isManaged(client)) {
      throw ApiError.notFound("no managed client " + id);
    }
    return client;
  }

  /**
   * Whoever holds a client's secret, or can change its grants and redirect URIs, can get its
   * tokens: so reading or rotating the secret, changing or deleting a client needs the caller's
   * token to cover the client's policies, as binding them would (docs/adr/0007-config-api.md).
   */
  private static void checkCanActAs(Caller caller, ClientModel client) {
    PolicyStore.boundTo(client)
        .forEach(
            policy ->
                TokenPolicyService.checkNoEscalation(
                    caller,
                    policy.allowedScopes(),
                    "the token cannot act as client "
                        + client.getClientId()
                        + ", whose policy grants more than it has"));
  }

  private static void requireConfidential(ClientModel client) {
    if (client.isPublicClient() || client.isBearerOnly()) {
      throw ApiError.conflict("client " + client.getClientId() + " is public: it has no secret");
    }
  }

  static View view(ClientModel client) {
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
            .sorted()
            .toList(),
        client.isEnabled());
  }

  /** The named policies, each covered by the caller's own token (no escalation by binding). */
  private static List<ClientScopeModel> policies(
      RealmModel realm, Caller caller, List<String> ids) {
    List<ClientScopeModel> policies = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      ClientScopeModel scope = realm.getClientScopeById(ids.get(i));
      if (scope == null || !scope.getId().equals(ids.get(i)) || !PolicyStore.isPolicy(scope)) {
        throw ApiError.invalidField("tokenPolicies[" + i + "]", "no token policy " + ids.get(i));
      }
      TokenPolicyService.checkNoEscalation(
          caller, TokenPolicyService.policy(scope).allowedScopes());
      policies.add(scope);
    }
    return policies;
  }

  private static void bind(ClientModel client, List<ClientScopeModel> policies) {
    Set<String> current = client.getClientScopes(true).keySet();
    policies.stream()
        .filter(p -> !current.contains(p.getName()))
        .forEach(p -> client.addClientScope(p, true));
  }

  private static void apply(KeycloakSession session, ClientModel client, Input input) {
    client.setName(input.name());
    client.setEnabled(input.enabled());
    client.setPublicClient(!input.confidential());
    client.setStandardFlowEnabled(input.grantTypes().contains(OAuth2Constants.AUTHORIZATION_CODE));
    client.setDirectAccessGrantsEnabled(input.grantTypes().contains(OAuth2Constants.PASSWORD));
    client.setImplicitFlowEnabled(false);
    client.setAttribute(
        TOKEN_EXCHANGE_ATTRIBUTE, String.valueOf(input.grantTypes().contains(TOKEN_EXCHANGE)));
    client.setRedirectUris(new LinkedHashSet<>(input.redirectUris()));
    boolean serviceAccount = input.grantTypes().contains(OAuth2Constants.CLIENT_CREDENTIALS);
    if (serviceAccount && !client.isServiceAccountsEnabled()) {
      new ClientManager(new RealmManager(session)).enableServiceAccount(client);
    } else {
      client.setServiceAccountsEnabled(serviceAccount);
    }
  }

  /** A validated client body; on update, absent fields keep the client's current values. */
  record Input(
      String clientId,
      String name,
      boolean confidential,
      List<String> grantTypes,
      List<String> redirectUris,
      List<String> tokenPolicies,
      boolean enabled) {

    static Input parse(ObjectNode body, ClientModel current) {
      Json.onlyFields(body, WRITABLE, READ_ONLY);
      View now = current == null ? null : view(current);
      String clientId = Json.text(body, "clientId");
      if (clientId != null && !isClientId(clientId)) {
        throw ApiError.invalidField(
            "clientId", "must be 1-255 visible ASCII characters without spaces");
      }
      String name = orElse(Json.text(body, "name"), now == null ? null : now.name());
      if (name != null && name.length() > 255) {
        throw ApiError.invalidField("name", "must be at most 255 characters long");
      }
      String type = orElse(Json.text(body, "type"), now == null ? "confidential" : now.type());
      if (!type.equals("confidential") && !type.equals("public")) {
        throw ApiError.invalidField("type", "must be confidential or public");
      }
      boolean confidential = type.equals("confidential");
      List<String> grants =
          orElse(
              Json.strings(body, "grantTypes"),
              now == null ? List.of(OAuth2Constants.CLIENT_CREDENTIALS) : now.grantTypes());
      for (int i = 0; i < grants.size(); i++) {
        String grant = grants.get(i);
        if (!GRANT_TYPES.contains(grant)) {
          throw ApiError.invalidField(
              "grantTypes[" + i + "]",
              "must be one of " + String.join(", ", GRANT_TYPES.stream().sorted().toList()));
        }
        if (!confidential
            && (grant.equals(OAuth2Constants.CLIENT_CREDENTIALS) || grant.equals(TOKEN_EXCHANGE))) {
          throw ApiError.invalidField(
              "grantTypes[" + i + "]", grant + " needs a confidential client");
        }
      }
      List<String> redirects =
          orElse(Json.strings(body, "redirectUris"), now == null ? List.of() : now.redirectUris());
      for (int i = 0; i < redirects.size(); i++) {
        String problem = redirectProblem(redirects.get(i));
        if (problem != null) {
          throw ApiError.invalidField("redirectUris[" + i + "]", problem);
        }
      }
      if (grants.contains(OAuth2Constants.AUTHORIZATION_CODE) && redirects.isEmpty()) {
        throw ApiError.invalidField("redirectUris", "authorization_code needs at least one");
      }
      List<String> policies =
          orElse(
              Json.strings(body, "tokenPolicies"), now == null ? List.of() : now.tokenPolicies());
      Boolean enabled =
          orElse(Json.bool(body, "enabled"), now == null ? Boolean.TRUE : now.enabled());
      return new Input(
          clientId,
          name,
          confidential,
          grants.stream().distinct().toList(),
          redirects.stream().distinct().toList(),
          policies.stream().distinct().toList(),
          enabled);
    }

    private static <T> T orElse(T value, T fallback) {
      return value != null ? value : fallback;
    }

    private static boolean isClientId(String clientId) {
      return !clientId.isEmpty()
          && clientId.length() <= 255
          && clientId.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** An absolute http(s) URI, optionally ending in Keycloak's {@code *} wildcard; no fragment. */
    private static String redirectProblem(String uri) {
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
