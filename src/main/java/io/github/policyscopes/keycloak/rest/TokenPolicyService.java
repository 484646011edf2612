package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EscalationCheck;
import io.github.policyscopes.policy.PolicyLinter;
import io.github.policyscopes.policy.PolicyValidator;
import io.github.policyscopes.policy.TokenPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

/** Token policies over Keycloak's client scope model (ADR 0003). */
final class TokenPolicyService implements ResourceCollection {

  static final TokenPolicyService INSTANCE = new TokenPolicyService();

  static final Set<String> WRITABLE =
      Set.of("title", "allowedScopes", "accessTokenLifetime", "disallowedScopes");
  static final Set<String> READ_ONLY = Set.of("id", "clients", "warnings");

  /** The representation of SPEC §4. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record View(
      String id,
      String title,
      List<String> allowedScopes,
      Integer accessTokenLifetime,
      String disallowedScopes,
      List<String> clients,
      List<String> warnings) {}

  private TokenPolicyService() {}

  @Override
  public String name() {
    return "tokenPolicies";
  }

  // ---- reads ----

  @Override
  public List<View> all(KeycloakSession session, RealmModel realm) {
    Map<String, List<String>> bound = bindings(session, realm);
    return realm
        .getClientScopesStream()
        .filter(PolicyStore::isPolicy)
        .map(scope -> view(scope, bound))
        .sorted((a, b) -> a.title().compareToIgnoreCase(b.title()))
        .toList();
  }

  @Override
  public View get(KeycloakSession session, RealmModel realm, String id) {
    return view(find(realm, id), bindings(session, realm));
  }

  // ---- writes ----

  @Override
  public Created create(KeycloakSession session, RealmModel realm, Caller caller, ObjectNode body) {
    Input input = Input.parse(body);
    checkNoEscalation(caller, input.allowedScopes());
    checkTitleFree(realm, input.title(), null);
    ClientScopeModel scope = realm.addClientScope(freeName(realm, input.title()));
    scope.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    scope.setDescription(input.title());
    scope.setIncludeInTokenScope(false);
    scope.setDisplayOnConsentScreen(false);
    ProtocolMapperModel mapper = new ProtocolMapperModel();
    mapper.setName("token policy");
    mapper.setProtocol(OIDCLoginProtocol.LOGIN_PROTOCOL);
    mapper.setProtocolMapper(PolicyStore.MAPPER_PROVIDER_ID);
    mapper.setConfig(input.config());
    scope.addProtocolMapper(mapper);
    View view = view(scope, Map.of());
    AdminEvents.record(
        session,
        realm,
        caller,
        AdminEvents.TOKEN_POLICY,
        OperationType.CREATE,
        path(scope.getId()),
        view);
    return new Created(scope.getId(), view, Map.of());
  }

  @Override
  public View update(
      KeycloakSession session,
      RealmModel realm,
      Caller caller,
      String id,
      String ifMatch,
      ObjectNode body) {
    ClientScopeModel scope = find(realm, id);
    Map<String, List<String>> bound = bindings(session, realm);
    Writes.checkIfMatch(ifMatch, Json.etag(view(scope, bound)));
    Input input = Input.parse(body);
    checkNoEscalation(caller, input.allowedScopes());
    checkTitleFree(realm, input.title(), scope.getId());
    scope.setDescription(input.title());
    ProtocolMapperModel mapper = policyMapper(scope);
    mapper.setConfig(input.config());
    scope.updateProtocolMapper(mapper);
    View view = view(scope, bound);
    AdminEvents.record(
        session, realm, caller, AdminEvents.TOKEN_POLICY, OperationType.UPDATE, path(id), view);
    return view;
  }

  @Override
  public void delete(
      KeycloakSession session, RealmModel realm, Caller caller, String id, String ifMatch) {
    ClientScopeModel scope = find(realm, id);
    Map<String, List<String>> bound = bindings(session, realm);
    Writes.checkIfMatch(ifMatch, Json.etag(view(scope, bound)));
    List<String> clients = bound.getOrDefault(scope.getId(), List.of());
    if (!clients.isEmpty()) {
      throw ApiError.conflict(
              "the policy is bound to " + clients.size() + " client(s); unbind it first")
          .with("clients", clients);
    }
    realm.removeClientScope(scope.getId());
    AdminEvents.record(
        session, realm, caller, AdminEvents.TOKEN_POLICY, OperationType.DELETE, path(id), null);
  }

  // ---- helpers ----

  static String path(String id) {
    return "config/tokenPolicies/" + id;
  }

  /** A policy by id; ids are compared exactly, whatever the database's collation. */
  static ClientScopeModel find(RealmModel realm, String id) {
    ClientScopeModel scope = realm.getClientScopeById(id);
    if (scope == null || !scope.getId().equals(id) || !PolicyStore.isPolicy(scope)) {
      throw ApiError.notFound("no token policy " + id);
    }
    return scope;
  }

  static ProtocolMapperModel policyMapper(ClientScopeModel scope) {
    return scope
        .getProtocolMappersStream()
        .filter(m -> PolicyStore.MAPPER_PROVIDER_ID.equals(m.getProtocolMapper()))
        .findFirst()
        .orElseThrow(() -> ApiError.notFound("no token policy " + scope.getId()));
  }

  static TokenPolicy policy(ClientScopeModel scope) {
    return PolicyStore.toPolicy(scope.getId(), PolicyStore.titleOf(scope), policyMapper(scope));
  }

  /** Policy id → ids of the clients it is bound to (as a default client scope). */
  static Map<String, List<String>> bindings(KeycloakSession session, RealmModel realm) {
    Map<String, List<String>> bound = new HashMap<>();
    session
        .clients()
        .getClientsStream(realm)
        .forEach(
            client ->
                client
                    .getClientScopes(true)
                    .values()
                    .forEach(
                        scope ->
                            bound
                                .computeIfAbsent(scope.getId(), k -> new ArrayList<>())
                                .add(client.getId())));
    return bound;
  }

  static View view(ClientScopeModel scope, Map<String, List<String>> bound) {
    TokenPolicy policy = policy(scope);
    List<String> allowed =
        PolicyStore.splitMultivalue(policyMapper(scope).getConfig().get(PolicyStore.ALLOWED_SCOPES))
            .stream()
            .distinct()
            .sorted()
            .toList();
    return new View(
        scope.getId(),
        policy.title(),
        allowed,
        policy.accessTokenLifetime(),
        policy.disallowedScopes().value(),
        bound.getOrDefault(scope.getId(), List.of()).stream().sorted().toList(),
        PolicyLinter.lint(allowed));
  }

  /** Writing or binding a policy needs the caller's own token to cover its config grants. */
  static void checkNoEscalation(Caller caller, List<String> allowedScopes) {
    checkNoEscalation(caller, allowedScopes, "the token cannot hand out what it does not have");
  }

  /**
   * Refuses with 403 when the caller's token does not cover the config grants of {@code
   * allowedScopes}; {@code what} says what the caller tried, the body lists the {@code exceeding}
   * entries.
   */
  static void checkNoEscalation(Caller caller, List<String> allowedScopes, String what) {
    List<String> exceeding = EscalationCheck.exceeding(caller.scopes(), allowedScopes);
    if (!exceeding.isEmpty()) {
      throw new ApiError(
              403,
              "insufficient_scope",
              what + ": " + String.join(" ", exceeding) + " exceed(s) its scopes")
          .with("exceeding", exceeding);
    }
  }

  private static void checkTitleFree(RealmModel realm, String title, String exceptId) {
    boolean taken =
        realm
            .getClientScopesStream()
            .filter(PolicyStore::isPolicy)
            .filter(s -> !s.getId().equals(exceptId))
            .anyMatch(s -> PolicyStore.titleOf(s).equalsIgnoreCase(title));
    if (taken) {
      throw ApiError.conflict("a token policy titled \"" + title + "\" already exists")
          .with("field", "title");
    }
  }

  /** A client scope name for a title: a slug, since Keycloak allows no spaces in scope names. */
  static String freeName(RealmModel realm, String title) {
    String slug =
        title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
    String name = slug.isEmpty() ? "token-policy" : slug;
    Set<String> taken =
        new java.util.HashSet<>(
            realm.getClientScopesStream().map(ClientScopeModel::getName).toList());
    while (taken.contains(name)) {
      name =
          (slug.isEmpty() ? "token-policy" : slug)
              + "-"
              + UUID.randomUUID().toString().substring(0, 6);
    }
    return name;
  }

  /** A validated policy body. */
  record Input(
      String title, List<String> allowedScopes, Integer lifetime, DisallowedScopesMode mode) {

    static Input parse(ObjectNode body) {
      Json.onlyFields(body, WRITABLE, READ_ONLY);
      String title = Json.text(body, "title");
      List<String> allowed = Json.strings(body, "allowedScopes");
      Integer lifetime = Json.integer(body, "accessTokenLifetime");
      String mode = Json.text(body, "disallowedScopes");
      List<PolicyValidator.FieldError> errors = new ArrayList<>();
      if (allowed == null) {
        errors.add(new PolicyValidator.FieldError("allowedScopes", "is required"));
        allowed = List.of();
      }
      errors.addAll(PolicyValidator.validate(title, allowed, lifetime, mode));
      if (!errors.isEmpty()) {
        throw ApiError.invalidFields(errors);
      }
      return new Input(
          title.trim(),
          allowed.stream().distinct().toList(),
          lifetime,
          DisallowedScopesMode.parse(mode));
    }

    Map<String, String> config() {
      Map<String, String> config = new HashMap<>();
      config.put(PolicyStore.ALLOWED_SCOPES, PolicyStore.joinMultivalue(allowedScopes));
      if (lifetime != null) {
        config.put(PolicyStore.ACCESS_TOKEN_LIFETIME, lifetime.toString());
      }
      config.put(PolicyStore.DISALLOWED_SCOPES, mode.value());
      return config;
    }
  }
}
