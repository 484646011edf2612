package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.metrics.PolicyMetrics.Refusal;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.policy.IssuanceDecision.Explained;
import io.github.policyscopes.policy.IssuanceDecision.Outcome;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.policy.TokenPolicy;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.keycloak.OAuth2Constants;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * {@code POST config/clients/{id}/evaluate}, the dry run: what a token request of that client would
 * be granted and dropped right now, and why. It calls the decision the grant wrapper and the policy
 * mapper apply ({@link IssuanceDecision}) on the same inputs they get (the client's policies as
 * {@link PolicyStore#effectiveFor} reads them, the requested scopes, Keycloak's default client
 * scopes); it issues no token and writes nothing (docs/adr/0020-issuance-dry-run.md).
 */
final class ClientEvaluation {

  /** The grants that decide the request's {@code scope} as it is sent (docs/contract.md §3). */
  static final Set<String> GRANT_TYPES =
      Set.of(OAuth2Constants.CLIENT_CREDENTIALS, OAuth2Constants.PASSWORD);

  static final Set<String> FIELDS = Set.of("scope", "grantType");

  /** The answer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record View(
      String clientId,
      String grantType,
      boolean bound,
      @Nullable String outcome,
      @Nullable String scope,
      @Nullable String error,
      @Nullable String errorDescription,
      @Nullable List<ScopeView> scopes,
      @Nullable List<DenyView> stickyDenies,
      @Nullable Integer accessTokenLifetime,
      @Nullable String disallowedScopes,
      List<String> notes) {}

  /**
   * One scope: asked for ({@code requested}) or added by Keycloak ({@code default}, a default
   * client scope of the client).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ScopeView(
      String scope,
      String source,
      boolean granted,
      @Nullable String entry,
      @Nullable List<PolicyRef> policies,
      String reason) {}

  /** A deny the token would carry without asking for it. */
  record DenyView(String scope, List<PolicyRef> policies) {}

  /** A policy that holds an entry. */
  record PolicyRef(String id, String title) {}

  private ClientEvaluation() {}

  /**
   * Evaluates for a caller that may read the client; the caller must also be able to read every
   * policy that governs it, since the answer depends on all of them (I15: nothing hidden shows).
   */
  static View evaluate(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      String id,
      ObjectNode body) {
    Json.onlyFields(body, FIELDS, Set.of());
    String scope = Json.text(body, "scope");
    String grantType = Json.text(body, "grantType");
    grantType = grantType == null ? OAuth2Constants.CLIENT_CREDENTIALS : grantType;
    if (!GRANT_TYPES.contains(grantType)) {
      throw ApiError.invalidField(
          "grantType", "must be client_credentials or password (the grants a scope decides)");
    }
    if (scope != null && scope.length() > IssuanceDecision.MAX_SCOPE_PARAMETER) {
      throw ApiError.invalidField(
          "scope",
          "must be at most "
              + IssuanceDecision.MAX_SCOPE_PARAMETER
              + " characters long (Keycloak's limit)");
    }

    ClientModel client = ManagedClientService.find(session, realm, id);
    Map<String, ClientScopeModel> defaultScopes = client.getClientScopes(true);
    List<TokenPolicy> governing = PolicyStore.boundTo(client, defaultScopes);
    if (governing.stream().anyMatch(p -> !readable(permissions, p))) {
      throw new ApiError(
              403,
              "insufficient_scope",
              "evaluating client "
                  + client.getClientId()
                  + " needs read access to every token policy that governs it")
          .because(Refusal.NOT_GRANTED);
    }
    List<String> notes = notes(client, grantType);
    EffectivePolicy policy = PolicyStore.effectiveFor(client, defaultScopes);
    if (policy == null) {
      notes.add(0, "no token policy governs this client: Keycloak decides as it always does");
      return new View(
          client.getClientId(),
          grantType,
          false,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          notes);
    }

    // the same inputs the grant wrapper and the mapper get (PolicyBoundGrantType,
    // TokenPolicyMapper)
    List<String> asked = Scopes.split(scope);
    String refusal = IssuanceDecision.requestRefusal(asked);
    if (refusal != null) {
      // refused whatever the policy says, as the token endpoint refuses it
      return new View(
          client.getClientId(),
          grantType,
          true,
          IssuanceDecision.rejected(List.of()).outcome().tag(),
          null,
          "invalid_scope",
          refusal,
          List.of(),
          List.of(),
          policy.accessTokenLifetime(),
          policy.mode().name().toLowerCase(java.util.Locale.ROOT),
          notes);
    }
    List<String> keycloakScopes =
        defaultScopes.values().stream()
            .filter(ClientScopeModel::isIncludeInTokenScope)
            .map(ClientScopeModel::getName)
            .sorted()
            .toList();
    GrantResult askedOnly = IssuanceDecision.decide(asked, List.of(), Ceiling.NONE, policy);
    boolean rejected = IssuanceDecision.rejects(askedOnly, policy);
    GrantResult result =
        rejected ? askedOnly : IssuanceDecision.decide(asked, keycloakScopes, Ceiling.NONE, policy);
    // what counts as dropped is the token endpoint's own tally: what the client asked for and does
    // not get, never Keycloak's default scopes the policy filters
    Outcome outcome =
        rejected
            ? IssuanceDecision.rejected(askedOnly.dropped()).outcome()
            : IssuanceDecision.tally(result, asked, keycloakScopes).outcome();
    List<String> candidates = new ArrayList<>(asked);
    if (!rejected) {
      keycloakScopes.stream().filter(s -> !asked.contains(s)).forEach(candidates::add);
    }

    Map<String, List<PolicyRef>> holders = holders(governing);
    List<ScopeView> scopes = new ArrayList<>();
    for (Explained e : IssuanceDecision.explain(candidates, result, policy)) {
      scopes.add(
          new ScopeView(
              e.scope(),
              asked.contains(e.scope()) ? "requested" : "default",
              e.granted(),
              e.entry(),
              e.entry() == null ? null : holders.getOrDefault(e.entry(), List.of()),
              e.reason()));
    }
    List<DenyView> sticky =
        rejected
            ? List.of()
            : IssuanceDecision.stickyDenies(candidates, result).stream()
                .map(deny -> new DenyView(deny, holders.getOrDefault(deny, List.of())))
                .toList();
    if (client.isPublicClient() || client.isBearerOnly()) {
      notes.add("config grants are for confidential clients: this public client gets none");
    }
    return new View(
        client.getClientId(),
        grantType,
        true,
        outcome.tag(),
        rejected || result.granted().isEmpty() ? null : result.scopeString(),
        rejected ? "invalid_scope" : null,
        rejected
            ? IssuanceDecision.REJECTED_DESCRIPTION + String.join(" ", askedOnly.dropped())
            : null,
        scopes,
        sticky,
        policy.accessTokenLifetime(),
        policy.mode().name().toLowerCase(java.util.Locale.ROOT),
        notes);
  }

  /** Whether the caller may read a policy (a per-client policy has the client's id). */
  private static boolean readable(Permissions permissions, TokenPolicy policy) {
    String id = policy.id();
    // a stored policy always has its id; one without could be nobody's to read (fail closed)
    return id != null && permissions.canRead(TokenPolicyService.path(id));
  }

  /**
   * For each entry (in canonical form) the governing policies that hold it: every entry is parsed
   * once per request, so the cost grows with the entries, never with entries × scopes.
   */
  private static Map<String, List<PolicyRef>> holders(List<TokenPolicy> governing) {
    Map<String, List<PolicyRef>> holders = new HashMap<>();
    for (TokenPolicy p : governing) {
      String id = p.id();
      String title = p.title();
      if (id == null || title == null) {
        // read from a client scope or a client, a policy always has both: none to name
        continue;
      }
      PolicyRef ref = new PolicyRef(id, title);
      for (String entry : p.allowedScopes()) {
        List<PolicyRef> refs = holders.computeIfAbsent(canonical(entry), k -> new ArrayList<>());
        if (!refs.contains(ref)) {
          refs.add(ref);
        }
      }
    }
    return holders;
  }

  private static String canonical(String entry) {
    Scope scope = Scopes.parseOrNull(entry);
    return scope == null ? entry : scope.text();
  }

  /** What Keycloak itself would refuse before any policy is asked. */
  private static List<String> notes(ClientModel client, String grantType) {
    List<String> notes = new ArrayList<>();
    if (!client.isEnabled()) {
      notes.add("the client is disabled: Keycloak refuses its token requests");
    }
    if (OAuth2Constants.CLIENT_CREDENTIALS.equals(grantType)
        && !client.isServiceAccountsEnabled()) {
      notes.add("the client has no service account: Keycloak refuses client_credentials");
    }
    if (OAuth2Constants.PASSWORD.equals(grantType) && !client.isDirectAccessGrantsEnabled()) {
      notes.add("direct access grants are off for the client: Keycloak refuses password");
    }
    return notes;
  }
}
