package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.HandOver;
import io.github.policyscopes.keycloak.store.PolicyCache;
import io.github.policyscopes.keycloak.store.PolicyConfig;
import io.github.policyscopes.keycloak.store.PolicyEntry;
import io.github.policyscopes.keycloak.store.PolicyIndex;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.keycloak.store.PolicyWarnings;
import io.github.policyscopes.keycloak.store.Revisions;
import io.github.policyscopes.policy.PolicyList;
import io.github.policyscopes.policy.TokenPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Token policies over Keycloak's client scope model (ADR 0003); lists and reads from {@link
 * PolicyCache} (ADR 0035), writes through the model, their answers read fresh.
 */
final class TokenPolicyService implements ResourceCollection<PolicyView, PolicyInput> {

  static final TokenPolicyService INSTANCE = new TokenPolicyService();

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
   * A page costs a page of views: the realm's policy index ({@link PolicyCache#list}) is filtered
   * by the decision a {@code GET} of each policy gets, taken once for the whole collection when the
   * caller may read every member ({@link Permissions#readableMembers}), so {@code total} counts
   * exactly what the caller may read; then only the page's views are built, from cached entries.
   */
  @Override
  public Page<PolicyView> page(
      KeycloakSession session, RealmModel realm, Permissions permissions, int first, int max) {
    PolicyCache.Listing listing = PolicyCache.list(session, realm);
    List<PolicyList.Entry> readable =
        permissions.readableMembers(
            ApiLayout.TOKEN_POLICIES,
            listing.list().inOrder(),
            PolicyList.Entry::id,
            listing.memberIds());
    int from = Math.min(first, readable.size());
    List<String> shown =
        readable.subList(from, from + Math.min(max, readable.size() - from)).stream()
            .map(PolicyList.Entry::id)
            .toList();
    return new Page<>(readable.size(), views(session, realm, permissions, shown));
  }

  /** The views of the given policies, in order; one that vanished meanwhile is left out. */
  private static List<PolicyView> views(
      KeycloakSession session, RealmModel realm, Permissions permissions, List<String> ids) {
    Map<String, PolicyEntry> entries = PolicyCache.entries(session, realm, ids);
    Map<String, String> realmDefaults = PolicyWarnings.realmDefaults(realm);
    List<PolicyView> views = new ArrayList<>(ids.size());
    for (String id : ids) {
      PolicyEntry entry = entries.get(id);
      if (entry != null) {
        views.add(PolicyView.of(session, realm, entry, realmDefaults, permissions));
      }
    }
    return views;
  }

  @Override
  public PolicyView get(
      KeycloakSession session, RealmModel realm, Permissions permissions, String id) {
    ClientScopeModel scope = find(realm, id);
    PolicyEntry entry = PolicyCache.entries(session, realm, List.of(scope.getId())).get(id);
    if (entry == null) {
      throw ApiError.notFound("no token policy " + id);
    }
    return PolicyView.of(session, realm, entry, PolicyWarnings.realmDefaults(realm), permissions);
  }

  // ---- writes ----

  /**
   * The body, validated (its entries are bounded by {@link PolicyConfig}), and the caller may hand
   * out what it allows: all before any lock.
   */
  @Override
  public Checked<PolicyInput> check(
      KeycloakSession session, RealmModel realm, Permissions permissions, ObjectNode body) {
    PolicyInput input = PolicyInput.parse(body);
    permissions.requireCanHandOut(input.config().allowedScopes());
    // what a policy of this title makes unique: its title and the name of its client scope
    return Checked.body(
        input,
        Writes.Keys.title(input.title()).and(Writes.Keys.unique("name", slug(input.title()))));
  }

  @Override
  public Checked<String> checkId(String id) {
    return Checked.id(id, "no token policy " + id, Writes.Keys.member(kind(), id));
  }

  @Override
  public Created<PolicyView> create(
      KeycloakSession session, RealmModel realm, Permissions permissions, PolicyInput input) {
    checkTitleFree(session, realm, input.title(), null);
    ClientScopeModel scope =
        PolicyStore.create(
            realm,
            freeName(session, realm, input.title()),
            input.title(),
            input.config(),
            PolicyWarnings.of(input.config(), 1));
    PolicyView view = view(session, realm, scope, permissions);
    recordEvent(session, realm, permissions, OperationType.CREATE, scope.getId(), view);
    Revisions.created(session, realm, Revisions.Kind.POLICY, scope.getId());
    return new Created<>(scope.getId(), view, Map.of());
  }

  @Override
  public PolicyView update(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      Checked<String> target,
      @Nullable String ifMatch,
      PolicyInput input) {
    String id = target.value();
    long revision = Writes.claim(session, realm, Revisions.Kind.POLICY, id, ifMatch);
    ClientScopeModel scope = find(realm, id);
    // read once: a binding claims the policy too, so none changes while this write holds it
    PolicyIndex.Bindings bindings = PolicyIndex.bindingsOf(session, id);
    Writes.checkIfMatch(
        ifMatch, Json.etag(view(session, realm, scope, bindings, permissions), revision));
    checkNoLiftedPower(session, realm, permissions, scope, bindings, input.config());
    checkTitleFree(session, realm, input.title(), scope.getId());
    PolicyStore.update(
        scope,
        input.title(),
        input.config(),
        PolicyWarnings.forConsole(realm, scope, input.config(), 1, bindings));
    PolicyView view = view(session, realm, scope, bindings, permissions);
    recordEvent(session, realm, permissions, OperationType.UPDATE, id, view);
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
                  handedOver(
                          session,
                          realm,
                          Map.of(
                              id, bound.subList(0, Math.min(bound.size(), PolicyIndex.MAX_BOUND))))
                      .getOrDefault(id, List.of())));
    }
    realm.removeClientScope(scope.getId());
    Revisions.deleted(session, realm, Revisions.Kind.POLICY, id);
    recordEvent(session, realm, permissions, OperationType.DELETE, id, null);
  }

  // ---- helpers ----

  /** Records a write to the policy with this id as Keycloak's admin event (view null: deleted). */
  private static void recordEvent(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      OperationType operation,
      String id,
      @Nullable PolicyView view) {
    AdminEvents.record(
        session, realm, permissions, AdminEvents.TOKEN_POLICY, operation, path(id), view);
  }

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

  /** The ids of every client the policy is bound to (as a default client scope), as stored. */
  private static List<String> boundClients(KeycloakSession session, ClientScopeModel scope) {
    return PolicyIndex.boundClientIds(session, scope.getId());
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

  /** The view of a policy scope as it is now in this transaction (a write's answer). */
  static PolicyView view(
      KeycloakSession session, RealmModel realm, ClientScopeModel scope, Permissions permissions) {
    return view(session, realm, scope, PolicyIndex.bindingsOf(session, scope.getId()), permissions);
  }

  /** {@link #view}, with the policy's bindings as this transaction read them. */
  private static PolicyView view(
      KeycloakSession session,
      RealmModel realm,
      ClientScopeModel scope,
      PolicyIndex.Bindings bindings,
      Permissions permissions) {
    PolicyEntry entry = PolicyEntry.of(scope, bindings);
    if (entry == null) {
      throw ApiError.notFound("no token policy " + scope.getId());
    }
    return PolicyView.of(session, realm, entry, PolicyWarnings.realmDefaults(realm), permissions);
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
      PolicyIndex.Bindings bindings,
      PolicyConfig next) {
    PolicyConfig before = configOf(scope);
    // a policy bound to no client restricts nobody yet: binding it later is checked on its grants
    if (bindings.boundCount() > 0) {
      permissions.requireCanLift(before.allowedScopes(), next.allowedScopes());
    }
    if (bindings.boundCount() > 0 && (!before.isValid() || PolicyStore.mapperCount(scope) > 1)) {
      // the clients bound to it, and their other policies, must not change meanwhile
      Writes.requireWholeRealm(session);
      for (String clientId : boundClients(session, scope)) {
        ClientModel client = session.clients().getClientById(realm, clientId);
        // a bound client that cannot be read now is one this caller cannot be shown to cover
        if (client == null || !permissions.coversPoliciesOf(client)) {
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
    if (PolicyCache.list(session, realm).list().titleTaken(title, exceptId)) {
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
   * The part of a policy's client scope name its title gives: lower case, {@code -} between words.
   */
  static String slug(String title) {
    String slug =
        title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
    // lower case can lengthen a title; the column holds 255
    return slug.length() > MAX_SLUG ? slug.substring(0, MAX_SLUG) : slug;
  }

  /**
   * A client scope name for a title: {@link #NAME_PREFIX} and a slug, since Keycloak allows no
   * spaces in scope names.
   */
  static String freeName(KeycloakSession session, RealmModel realm, String title) {
    String slug = slug(title);
    String base = slug.isEmpty() ? NAME_PREFIX : NAME_PREFIX + "-" + slug;
    String name = base;
    while (PolicyIndex.nameTaken(session, realm, name)) {
      name = base + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
    return name;
  }
}
