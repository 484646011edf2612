package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyConfig;
import io.github.policyscopes.keycloak.store.PolicyIndex;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.store.PolicyWarnings;
import io.github.policyscopes.keycloak.store.Revisions;
import io.github.policyscopes.policy.PolicyValidator;
import io.github.policyscopes.policy.TokenPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Token policies over Keycloak's client scope model (ADR 0003). */
final class TokenPolicyService
    implements ResourceCollection<TokenPolicyService.View, TokenPolicyService.Input> {

  static final TokenPolicyService INSTANCE = new TokenPolicyService();

  static final Set<String> WRITABLE =
      Set.of("title", "allowedScopes", "accessTokenLifetime", "disallowedScopes");
  static final Set<String> READ_ONLY = Set.of("id", "clients", "boundClients", "warnings");

  /** The representation of docs/contract.md §4. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record View(
      String id,
      String title,
      List<String> allowedScopes,
      @Nullable Integer accessTokenLifetime,
      String disallowedScopes,
      List<String> clients,
      List<BoundClient> boundClients,
      List<String> warnings) {}

  /** A bound client in a view: its API id and its clientId (what an operator recognises). */
  record BoundClient(String id, String clientId) {}

  private TokenPolicyService() {}

  @Override
  public String name() {
    return ApiLayout.TOKEN_POLICIES;
  }

  @Override
  public Revisions.Kind kind() {
    return Revisions.Kind.POLICY;
  }

  // ---- reads ----

  /**
   * A page costs a page of views: the index lists the policies' ids and titles from the database
   * (no model is loaded), each is decided as a {@code GET} of it would be (allocation-free), so
   * {@code total} counts exactly what the caller may read; then only the page's views are built.
   */
  @Override
  public Page<View> page(
      KeycloakSession session, RealmModel realm, Permissions permissions, int first, int max) {
    List<String> ids =
        PolicyIndex.inListOrder(session, realm).stream()
            .map(PolicyIndex.Listed::id)
            .filter(id -> permissions.canRead(path(id)))
            .toList();
    int from = Math.min(first, ids.size());
    List<String> shown = ids.subList(from, from + Math.min(max, ids.size() - from));
    return new Page<>(ids.size(), views(session, realm, permissions, shown));
  }

  /** The views of the given policies, in order; one that vanished meanwhile is left out. */
  private static List<View> views(
      KeycloakSession session, RealmModel realm, Permissions permissions, List<String> ids) {
    Map<String, PolicyIndex.Bindings> bindings = PolicyIndex.bindings(session, ids);
    Set<String> realmDefaults = realmDefaults(realm);
    List<View> views = new ArrayList<>(ids.size());
    for (String id : ids) {
      ClientScopeModel scope = realm.getClientScopeById(id);
      if (scope != null && PolicyStore.isPolicy(scope)) {
        views.add(
            view(
                session,
                realm,
                scope,
                PolicyIndex.entry(bindings, id),
                realmDefaults,
                permissions));
      }
    }
    return views;
  }

  @Override
  public View get(KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    return view(session, realm, find(realm, id), permissions);
  }

  // ---- writes ----

  /**
   * The body, validated (its entries are bounded by {@link PolicyConfig}), and the caller may hand
   * out what it allows: all before any lock.
   */
  @Override
  public Checked<Input> check(
      KeycloakSession session, RealmModel realm, Permissions permissions, ObjectNode body) {
    Input input = Input.parse(body);
    permissions.requireCanHandOut(input.config().allowedScopes());
    return Checked.body(input);
  }

  @Override
  public Checked<String> checkId(String id) {
    return Checked.id(id, "no token policy " + id);
  }

  @Override
  public Created<View> create(
      KeycloakSession session, RealmModel realm, Permissions permissions, Input input) {
    checkTitleFree(session, realm, input.title(), null);
    ClientScopeModel scope =
        PolicyStore.create(
            realm,
            freeName(session, realm, input.title()),
            input.title(),
            input.config(),
            PolicyWarnings.of(input.config(), 1, false));
    View view = view(session, realm, scope, permissions);
    AdminEvents.record(
        session,
        realm,
        permissions,
        AdminEvents.TOKEN_POLICY,
        OperationType.CREATE,
        path(scope.getId()),
        view);
    Revisions.created(session, realm, Revisions.Kind.POLICY, scope.getId());
    return new Created<>(scope.getId(), view, Map.of());
  }

  @Override
  public View update(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> target,
      @Nullable String ifMatch,
      Input input) {
    String id = target.value();
    long revision = Writes.claim(session, realm, Revisions.Kind.POLICY, id, ifMatch);
    ClientScopeModel scope = find(realm, id);
    Writes.checkIfMatch(ifMatch, Json.etag(view(session, realm, scope, permissions), revision));
    checkNoLiftedPower(session, realm, permissions, scope, input.config());
    checkTitleFree(session, realm, input.title(), scope.getId());
    PolicyStore.update(
        scope,
        input.title(),
        input.config(),
        PolicyWarnings.forConsole(session, realm, scope, input.config()));
    View view = view(session, realm, scope, permissions);
    AdminEvents.record(
        session,
        realm,
        permissions,
        AdminEvents.TOKEN_POLICY,
        OperationType.UPDATE,
        path(id),
        view);
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
    long revision = Writes.claim(session, realm, Revisions.Kind.POLICY, id, ifMatch);
    ClientScopeModel scope = find(realm, id);
    Writes.checkIfMatch(ifMatch, Json.etag(view(session, realm, scope, permissions), revision));
    // the database's bindings: a client bound on another node a moment ago counts (it claimed
    // this policy to bind it, so its binding has committed before this claim was granted)
    List<String> bound = boundClients(session, scope);
    if (!bound.isEmpty()) {
      // only the clients the caller may read are named (errors obey denies)
      throw ApiError.conflict("the policy is bound to clients; unbind it first")
          .because(Refusal.BOUND)
          .with(
              "clients",
              readableClients(
                  permissions,
                  handedOver(session, realm, Map.of(id, bound)).getOrDefault(id, List.of())));
    }
    realm.removeClientScope(scope.getId());
    Revisions.deleted(session, realm, Revisions.Kind.POLICY, id);
    AdminEvents.record(
        session,
        realm,
        permissions,
        AdminEvents.TOKEN_POLICY,
        OperationType.DELETE,
        path(id),
        null);
  }

  // ---- helpers ----

  static String path(String id) {
    return ApiLayout.tokenPolicyPath(id);
  }

  /** A policy by id; ids are compared exactly, whatever the database's collation. */
  static ClientScopeModel find(RealmModel realm, String id) {
    ClientScopeModel scope = realm.getClientScopeById(id);
    if (scope == null || !scope.getId().equals(id) || !PolicyStore.isPolicy(scope)) {
      throw ApiError.notFound("no token policy " + id);
    }
    return scope;
  }

  /** The config of a policy scope ({@link #find}): a scope that is no policy is not found. */
  private static PolicyConfig configOf(ClientScopeModel scope) {
    PolicyConfig config = PolicyStore.configOf(scope);
    if (config == null) {
      throw ApiError.notFound("no token policy " + scope.getId());
    }
    return config;
  }

  /**
   * The policy a policy scope stands for: every policy mapper on it counts; null when the scope is
   * no policy.
   */
  static @Nullable TokenPolicy policy(ClientScopeModel scope) {
    return PolicyStore.policyOf(scope);
  }

  /** The ids of the clients the policy is bound to (as a default client scope), as stored. */
  private static List<String> boundClients(KeycloakSession session, ClientScopeModel scope) {
    return PolicyIndex.boundClients(session, List.of(scope.getId()))
        .getOrDefault(scope.getId(), List.of());
  }

  /** The bindings with only the clients handed over to the API: what a view may name. */
  private static Map<String, List<String>> handedOver(
      KeycloakSession session, RealmModel realm, Map<String, List<String>> bound) {
    Map<String, List<String>> shown = new HashMap<>();
    bound.forEach(
        (policy, clients) ->
            shown.put(
                policy,
                clients.stream()
                    .filter(
                        id -> {
                          ClientModel client = session.clients().getClientById(realm, id);
                          return client != null && HandOver.isHandedOver(client);
                        })
                    .toList()));
    return shown;
  }

  /** The ids of the policies that are realm default client scopes (default or optional). */
  private static Set<String> realmDefaults(RealmModel realm) {
    Set<String> ids = new HashSet<>();
    realm.getDefaultClientScopesStream(true).forEach(s -> ids.add(s.getId()));
    realm.getDefaultClientScopesStream(false).forEach(s -> ids.add(s.getId()));
    return ids;
  }

  /**
   * The client ids the caller may read (of clients handed over to the API): a reference it may not
   * read is not shown.
   */
  private static List<String> readableClients(Permissions permissions, List<String> clientIds) {
    return clientIds.stream()
        .filter(id -> permissions.canRead(ManagedClientService.path(id)))
        .sorted()
        .toList();
  }

  static View view(
      KeycloakSession session, RealmModel realm, ClientScopeModel scope, Permissions permissions) {
    return view(
        session,
        realm,
        scope,
        PolicyIndex.bindingsOf(session, scope.getId()),
        realmDefaults(realm),
        permissions);
  }

  private static View view(
      KeycloakSession session,
      RealmModel realm,
      ClientScopeModel scope,
      PolicyIndex.Bindings bindings,
      Set<String> realmDefaults,
      Permissions permissions) {
    PolicyConfig config = configOf(scope);
    List<String> allowed = config.allowedScopes().stream().sorted().toList();
    List<String> warnings =
        new ArrayList<>(
            PolicyWarnings.of(
                config, PolicyStore.mapperCount(scope), realmDefaults.contains(scope.getId())));
    // Optional bindings: only the clients the caller may read are named, the others not counted
    List<String> optionalNamed = new ArrayList<>();
    for (PolicyIndex.BoundClient c : bindings.optional()) {
      if (optionalNamed.size() == PolicyWarnings.MAX_NAMED) {
        break;
      }
      if (shown(session, realm, permissions, c.id())) {
        optionalNamed.add(c.clientId());
      }
    }
    String optional = PolicyWarnings.optional(optionalNamed, bindings.optionalCount(), false);
    if (optional != null) {
      warnings.add(optional);
    }
    List<BoundClient> bound =
        bindings.bound().stream()
            .filter(c -> shown(session, realm, permissions, c.id()))
            .map(c -> new BoundClient(c.id(), c.clientId()))
            .sorted(java.util.Comparator.comparing(BoundClient::id))
            .toList();
    return new View(
        scope.getId(),
        PolicyStore.titleOf(scope),
        allowed,
        config.accessTokenLifetime(),
        config.disallowedScopes().value(),
        bound.stream().map(BoundClient::id).toList(),
        bound,
        List.copyOf(warnings));
  }

  /** Whether a view may name the client: handed over to the API and readable by the caller. */
  private static boolean shown(
      KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    if (!permissions.canRead(ManagedClientService.path(id))) {
      return false;
    }
    ClientModel client = session.clients().getClientById(realm, id);
    return client != null && HandOver.isHandedOver(client);
  }

  /**
   * A new version of a policy must not give back what the old one took away: a deny it drops, while
   * the policy is bound, needs the caller to hold write power on all it protected ({@link
   * Permissions#requireCanLift}); and a broken policy (which today keeps every client bound to it
   * from any config grant) or one of several mappers (which all grant and deny) may only be
   * rewritten by a caller who could act as every client bound to it.
   */
  private static void checkNoLiftedPower(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      ClientScopeModel scope,
      PolicyConfig next) {
    PolicyConfig before = configOf(scope);
    List<String> bound = boundClients(session, scope);
    // a policy bound to no client restricts nobody yet: binding it later is checked on its grants
    if (!bound.isEmpty()) {
      permissions.requireCanLift(before.allowedScopes(), next.allowedScopes());
    }
    if (!before.isValid() || PolicyStore.mapperCount(scope) > 1) {
      for (String clientId : bound) {
        ClientModel client = session.clients().getClientById(realm, clientId);
        if (!permissions.coversPoliciesOf(client)) {
          throw new ApiError(
                  403,
                  "insufficient_scope",
                  "the policy is broken or carries several mappers: only a token that could act as"
                      + " every client bound to it may rewrite it")
              .because(Refusal.ESCALATION);
        }
      }
    }
  }

  private static void checkTitleFree(
      KeycloakSession session, RealmModel realm, String title, @Nullable String exceptId) {
    if (PolicyIndex.titleTaken(session, realm, title, exceptId)) {
      throw ApiError.conflict("a token policy titled \"" + title + "\" already exists")
          .with("field", "title");
    }
  }

  private static final int MAX_SLUG = 200;

  /**
   * Marks a policy's client scope among the others (acr, address, basic, …) in the admin console's
   * client scope list, which shows and sorts by name: every policy the API creates is named {@code
   * token-policy-<slug of its title>} (docs/adr/0032).
   */
  static final String NAME_PREFIX = "token-policy";

  /**
   * A client scope name for a title: {@link #NAME_PREFIX} and a slug, since Keycloak allows no
   * spaces in scope names.
   */
  static String freeName(KeycloakSession session, RealmModel realm, String title) {
    String slug =
        title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
    if (slug.length() > MAX_SLUG) {
      slug = slug.substring(0, MAX_SLUG); // lower case can lengthen a title; the column holds 255
    }
    String base = slug.isEmpty() ? NAME_PREFIX : NAME_PREFIX + "-" + slug;
    String name = base;
    while (PolicyIndex.nameTaken(session, realm, name)) {
      name = base + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
    return name;
  }

  /** A validated policy body: the title and exactly the config that will be stored. */
  record Input(String title, PolicyConfig config) {

    static Input parse(ObjectNode body) {
      Json.onlyFields(body, WRITABLE, READ_ONLY);
      String title = Json.text(body, "title");
      List<String> allowed = Json.strings(body, "allowedScopes");
      Integer lifetime = Json.integer(body, "accessTokenLifetime");
      String mode = Json.text(body, "disallowedScopes");
      List<PolicyValidator.FieldError> errors = new ArrayList<>(PolicyValidator.titleErrors(title));
      if (allowed == null) {
        errors.add(new PolicyValidator.FieldError("allowedScopes", "is required"));
      }
      PolicyConfig config =
          PolicyConfig.of(
              allowed == null ? List.of() : allowed.stream().distinct().toList(), lifetime, mode);
      errors.addAll(config.problems());
      if (title == null || !errors.isEmpty()) {
        throw ApiError.invalidFields(errors);
      }
      return new Input(title.trim(), config);
    }
  }
}
