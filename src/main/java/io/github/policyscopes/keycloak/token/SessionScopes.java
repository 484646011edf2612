package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.scope.ClientScopeGrant;
import io.github.policyscopes.scope.ScopeParameters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;

/**
 * What Keycloak says about the client scopes of a client session context, read for the policy:
 * which of them are Keycloak's infrastructure (never decided by a policy), which the policy
 * decides, and which Keycloak treats as parameterized. Nothing is decided here (docs/adr/0023).
 */
final class SessionScopes {

  private SessionScopes() {}

  /**
   * Keycloak's infrastructure: the client itself, and every <em>default</em> client scope of the
   * client with {@code include.in.token.scope=false} ({@code basic}, {@code roles}, {@code
   * web-origins}, {@code acr}, {@code service_account}, the policies): Keycloak adds them to every
   * context without anyone asking and never names them in {@code scope}, so no request and no
   * policy can name them. Every other client scope of the context (any optional one, whatever its
   * flag; any with the flag on; a decorated {@code organization:acme}) is the policy's to grant.
   */
  static boolean infrastructure(ClientScopeModel scope, Map<String, String> defaultIds) {
    if (scope instanceof ClientModel) {
      return true;
    }
    if (scope.isIncludeInTokenScope()) {
      return false;
    }
    return scope.getId().equals(defaultIds.get(scope.getName()));
  }

  /** The client scopes of the context that the policy decides (all but the infrastructure). */
  static List<ClientScopeModel> governed(KeycloakSession session, ClientSessionContext ctx) {
    return read(session, ctx).governed();
  }

  /**
   * The names of the context's client scopes that Keycloak reads as {@code name:parameter} ({@link
   * ParameterizedClientScopes}).
   */
  static Set<String> parameterized(KeycloakSession session, ClientSessionContext ctx) {
    return read(session, ctx).parameterized();
  }

  /**
   * The one rule of {@link ClientScopeGrant}, with the parameterized client scopes of the context.
   */
  static ClientScopeGrant grant(
      KeycloakSession session, ClientSessionContext ctx, Collection<String> granted) {
    return new ClientScopeGrant(granted, parameterized(session, ctx));
  }

  /** What {@link #governed} read of a context, in one walk of its client scopes, kept with it. */
  private record Read(List<ClientScopeModel> governed, Set<String> parameterized) {}

  private static Read read(KeycloakSession session, ClientSessionContext ctx) {
    // asked once per token kind and per decision: computed once per context, whose client scopes
    // are fixed once Keycloak built it (JFR put it at 5 % of a bound token's samples)
    Read known = ctx.getAttribute(READ, Read.class);
    if (known != null) {
      return known;
    }
    ClientModel client = ctx.getClientSession().getClient();
    Issuance issuance = Issuance.current(session);
    // in a token request, the default client scopes the grant wrapper read
    Map<String, String> defaults =
        issuance != null && issuance.isFor(client)
            ? issuance.defaultScopeIds()
            : ClientFacts.defaultIds(client.getClientScopes(true));
    List<ClientScopeModel> governed = new ArrayList<>();
    Predicate<ClientScopeModel> parameterizedIn =
        ParameterizedClientScopes.reading(ctx.getClientSession().getRealm());
    List<String> parameterized = new ArrayList<>(2);
    ctx.getClientScopesStream()
        .forEachOrdered(
            s -> {
              if (!infrastructure(s, defaults)) {
                governed.add(s);
              }
              if (parameterizedIn != null && parameterizedIn.test(s)) {
                parameterized.add(s.getName());
              }
            });
    Read read =
        new Read(Collections.unmodifiableList(governed), ScopeParameters.of(parameterized).names());
    ctx.setAttribute(READ, read);
    return read;
  }

  /** The context attribute holding {@link #read}. */
  private static final String READ = SessionScopes.class.getName() + ".read";

  /**
   * The names of the governed client scopes that Keycloak leaves out of {@code scope} ({@code
   * include.in.token.scope=false}, so optional ones that were asked for): candidates of the
   * decision like the scopes Keycloak does list, so that the policy grants or drops them too.
   */
  static List<String> unlisted(KeycloakSession session, ClientSessionContext ctx) {
    List<String> names = new ArrayList<>(2); // per token: a loop, no stream
    for (ClientScopeModel scope : governed(session, ctx)) {
      if (!scope.isIncludeInTokenScope()) {
        String name = scope.getName();
        if (!names.contains(name)) {
          names.add(name);
        }
      }
    }
    return names;
  }
}
