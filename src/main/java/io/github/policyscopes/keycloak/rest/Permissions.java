package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.access.ApiLayout;
import io.github.policyscopes.access.CollectionReads;
import io.github.policyscopes.access.Decision;
import io.github.policyscopes.access.EscalationCheck;
import io.github.policyscopes.access.Route;
import io.github.policyscopes.access.Routes;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.TokenPolicy;
import io.github.policyscopes.scope.Scope;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * What the caller of one config API request may do: built by {@link BearerGuard#authenticate} once
 * the token and origin are verified, then passed to every route and service of the request. Every
 * authorization question is asked here, the way Keycloak's admin resources ask their {@code
 * AdminPermissionEvaluator} ({@code auth.clients().requireManage(client)}): the decision for a
 * request, whether a reference may be shown, and the no-escalation rules of docs/adr/0007. Each
 * {@code require…} method returns when allowed and throws the API's 403 otherwise.
 *
 * <p>All decisions use the caller's effective scopes ({@link CallerScopes}), never the token's
 * scope claim as issued.
 */
final class Permissions {

  private final Caller caller;
  private final String realmName;

  Permissions(Caller caller, RealmModel realm) {
    this.caller = caller;
    this.realmName = realm.getName();
  }

  /** Who is asking: for admin events, client policies, whoami and the meters. */
  Caller caller() {
    return caller;
  }

  // ---- the request ----

  /**
   * Decides {@code method} on {@code path} (canonical, relative to the realm); 403 {@code
   * insufficient_scope} naming the required scope when refused.
   */
  void requireAllowed(String method, String path) {
    Decision decision = caller.scopes().decide(method, path);
    if (!decision.allowed()) {
      throw forbidden(method, path, decision);
    }
  }

  /**
   * Refuses a request whose own path a deny of the caller names, when the decision that let it in
   * was taken on another path (the dry run is decided as a read of its client): deny wins below.
   */
  void refuseDenied(String method, String path) {
    Decision decision = caller.scopes().decide(method, path);
    if (decision instanceof Decision.Denied) {
      throw forbidden(method, path, decision);
    }
  }

  /**
   * Whether the caller may read {@code path} ({@code config/clients/abc}): lists, views and errors
   * show only what it may read (invariants I2 and I15 of docs/contract.md), by the same decision a
   * GET of it gets.
   */
  boolean canRead(String path) {
    return caller.scopes().decide("GET", path).allowed();
  }

  /**
   * The members of a collection ({@code tokenPolicies}) the caller may read, in their order:
   * exactly those whose {@code GET} {@link #canRead} allows, decided once for the whole collection
   * when that is exact ({@link CollectionReads}): with {@code memberIds} (every id makes a plain
   * member path) and a caller who may read every member, the list itself, with no decision per
   * member.
   */
  <T> List<T> readableMembers(
      String collection, List<T> members, Function<T, String> id, boolean memberIds) {
    CollectionReads reads =
        CollectionReads.of(caller.scopes(), ApiLayout.collectionPath(collection));
    if (memberIds && reads.everyMember()) {
      return members;
    }
    List<T> readable = new ArrayList<>();
    for (T member : members) {
      if (reads.canRead(ApiLayout.memberPath(collection, id.apply(member)))) {
        readable.add(member);
      }
    }
    return readable;
  }

  /**
   * The decision for another request, explained (whoami), as its route takes it ({@link Routes}): a
   * route decided as a read of its parent ({@link Route.Target#PARENT}, the dry run) is explained
   * as that read, a deny of its own path still refusing; any other request as its method on its
   * path.
   */
  Explained explain(String method, String path) {
    Route route = Routes.match(method, path);
    if (route != null && route.target() == Route.Target.PARENT) {
      Decision own = caller.scopes().decide(method, path);
      String decidedMethod = route.decidedMethod(method);
      String parent = route.decidedPath(path);
      boolean denied = own instanceof Decision.Denied;
      Decision decision = denied ? own : caller.scopes().decide(decidedMethod, parent);
      return new Explained(
          decision.allowed(),
          decision.requiredScope(decidedMethod, parent),
          decision.reason(denied ? path : parent));
    }
    Decision decision = caller.scopes().decide(method, path);
    return new Explained(
        decision.allowed(), decision.requiredScope(method, path), decision.reason(path));
  }

  /** An explained decision: whether allowed, the narrowest scope that allows it, and why. */
  record Explained(boolean allowed, String requiredScope, String reason) {}

  /** The effective scopes as texts: {@code grants}, {@code denies}, {@code plain} (whoami). */
  Map<String, List<String>> scopeTexts() {
    Map<String, List<String>> texts = new LinkedHashMap<>();
    ScopeSet scopes = caller.scopes();
    texts.put("grants", scopes.grants().stream().map(Scope::text).toList());
    texts.put("denies", scopes.denies().stream().map(Scope::text).toList());
    texts.put("plain", scopes.plain().stream().map(Scope::text).toList());
    return texts;
  }

  // ---- no escalation ----

  /** Writing or binding a policy needs the caller's own token to cover its config grants. */
  void requireCanHandOut(Collection<String> entries) {
    List<String> exceeding = EscalationCheck.exceeding(caller.scopes(), entries);
    if (!exceeding.isEmpty()) {
      throw new ApiError(
              403,
              "insufficient_scope",
              "the token cannot hand out what it does not have: "
                  + String.join(" ", exceeding)
                  + " exceed(s) its scopes")
          .because(Refusal.ESCALATION)
          .with("exceeding", exceeding);
    }
  }

  /**
   * A new version of a bound policy must not give back what the old one took away: a deny of {@code
   * before} that {@code after} drops needs the caller to hold write power on all it protected.
   */
  void requireCanLift(Collection<String> before, Collection<String> after) {
    List<String> lifted = EscalationCheck.unliftable(caller.scopes(), before, after);
    if (!lifted.isEmpty()) {
      throw new ApiError(
              403,
              "insufficient_scope",
              "the token cannot lift a deny it does not cover: " + String.join(" ", lifted))
          .because(Refusal.ESCALATION)
          .with("exceeding", lifted);
    }
  }

  /**
   * Whoever holds a client's secret, or can change its grants and redirect URIs, can get its
   * tokens: so changing or deleting a client needs the caller to cover everything the client could
   * do. The client must hold no Keycloak power ({@link KeycloakPower}: 403 {@code
   * privileged_client}), and the caller's token must cover every config grant of every policy that
   * governs it, on its client scopes and on the client itself, as binding them would: 403 {@code
   * insufficient_scope} with the {@code exceeding} entries of the policies the caller may read
   * (errors obey denies).
   */
  void requireCanActAs(KeycloakSession session, RealmModel realm, ClientModel client) {
    KeycloakPower.refuseIfPrivileged(session, realm, client);
    requireCoversPoliciesOf(client);
  }

  /** Reading a client's secret is acting as the client ({@link #requireCanActAs}). */
  void requireCanReadSecret(KeycloakSession session, RealmModel realm, ClientModel client) {
    requireCanActAs(session, realm, client);
  }

  /** Rotating a client's secret is acting as the client ({@link #requireCanActAs}). */
  void requireCanRotateSecret(KeycloakSession session, RealmModel realm, ClientModel client) {
    requireCanActAs(session, realm, client);
  }

  private void requireCoversPoliciesOf(ClientModel client) {
    List<String> shown = new ArrayList<>();
    boolean exceeds = false;
    for (TokenPolicy policy : PolicyStore.boundTo(client)) {
      List<String> exceeding = EscalationCheck.exceeding(caller.scopes(), policy.allowedScopes());
      exceeds |= !exceeding.isEmpty();
      String id = policy.id();
      // a stored policy always has its id; one without is read by nobody (fail closed)
      if (id != null && canRead(TokenPolicyService.path(id))) {
        exceeding.stream().filter(e -> !shown.contains(e)).forEach(shown::add);
      }
    }
    if (exceeds) {
      throw new ApiError(
              403,
              "insufficient_scope",
              "the token cannot act as client "
                  + client.getClientId()
                  + ", whose policies grant more than it has")
          .because(Refusal.ESCALATION)
          .with("exceeding", shown);
    }
  }

  /**
   * Whether the caller's token covers every config grant of every policy that governs the client
   * (the policies half of {@link #requireCanActAs}, as a test).
   */
  boolean coversPoliciesOf(ClientModel client) {
    List<String> governing =
        PolicyStore.boundTo(client).stream().flatMap(p -> p.allowedScopes().stream()).toList();
    return EscalationCheck.exceeding(caller.scopes(), governing).isEmpty();
  }

  // ---- the 403 of a decision ----

  private ApiError forbidden(String method, String path, Decision decision) {
    String tokenScopes = scopeList(caller.scopes());
    String requiredScope = decision.requiredScope(method, path);
    String description =
        method
            + " "
            + path
            + " needs "
            + requiredScope
            + "; "
            + decision.reason(path)
            + "; token scopes: "
            + (tokenScopes.isEmpty() ? "(none)" : tokenScopes);
    if (!caller.ignored().isEmpty()) {
      description +=
          "; ignored (not given by the client's current policies): "
              + String.join(" ", caller.ignored());
    }
    return new ApiError(403, "insufficient_scope", description)
        .because(decision instanceof Decision.Denied ? Refusal.DENY : Refusal.NOT_GRANTED)
        .with("required_scope", requiredScope)
        .header(
            "WWW-Authenticate",
            "Bearer realm=\""
                + BearerGuard.quoted(realmName)
                + "\", error=\"insufficient_scope\", scope=\""
                + BearerGuard.quoted(requiredScope)
                + "\"");
  }

  private static String scopeList(ScopeSet scopes) {
    return Stream.of(scopes.grants(), scopes.denies(), scopes.plain())
        .flatMap(l -> l.stream())
        .map(s -> s.text())
        .collect(Collectors.joining(" "));
  }
}
