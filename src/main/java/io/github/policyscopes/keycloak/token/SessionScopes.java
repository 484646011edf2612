package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.scope.ScopeParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;

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

  /**
   * What the context's client scopes are to the policy ({@link ContextScopes}): read once per
   * context, whose client scopes are fixed once Keycloak built it, and in a bound client's token
   * request taken from its facts when an earlier context was built alike ({@link
   * ClientFacts#scopesOf}).
   */
  static ContextScopes read(KeycloakSession session, ClientSessionContext ctx) {
    ContextScopes known = ctx.getAttribute(READ, ContextScopes.class);
    if (known != null) {
      return known;
    }
    ClientModel client = ctx.getClientSession().getClient();
    Issuance issuance = Issuance.current(session);
    ClientFacts facts = issuance != null && issuance.isFor(client) ? issuance.facts() : null;
    ContextScopes read = facts == null ? null : facts.scopesOf(session, ctx);
    if (read == null) {
      // in a token request, the default client scopes the grant wrapper read
      read =
          walk(
              ctx,
              facts != null
                  ? facts.defaultIds()
                  : ClientFacts.defaultIds(client.getClientScopes(true)));
      if (facts != null) {
        facts.keepScopes(session, ctx, read);
      }
    }
    ctx.setAttribute(READ, read);
    return read;
  }

  /** The one walk of the context's client scopes and mappers. */
  private static ContextScopes walk(ClientSessionContext ctx, Map<String, String> defaults) {
    String protocol =
        Objects.requireNonNullElse(
            ctx.getClientSession().getClient().getProtocol(), OIDCLoginProtocol.LOGIN_PROTOCOL);
    List<ContextScopes.Governed> governed = new ArrayList<>();
    Predicate<ClientScopeModel> parameterizedIn =
        ParameterizedClientScopes.reading(ctx.getClientSession().getRealm());
    List<String> parameterized = new ArrayList<>(2);
    ctx.getClientScopesStream()
        .forEachOrdered(
            s -> {
              if (!infrastructure(s, defaults)) {
                List<ProtocolMapperModel> mappers = new ArrayList<>();
                try (Stream<ProtocolMapperModel> ofScope = s.getProtocolMappersStream()) {
                  ofScope.forEachOrdered(
                      m -> {
                        if (protocol.equals(m.getProtocol())) {
                          mappers.add(m);
                        }
                      });
                }
                governed.add(
                    new ContextScopes.Governed(
                        s.getName(), s.isIncludeInTokenScope(), List.copyOf(mappers)));
              }
              if (parameterizedIn != null && parameterizedIn.test(s)) {
                parameterized.add(s.getName());
              }
            });
    return new ContextScopes(
        governed,
        ScopeParameters.of(parameterized).names(),
        ctx.getProtocolMappersStream().toArray(ProtocolMapperModel[]::new));
  }

  /** The context attribute holding {@link #read}. */
  private static final String READ = SessionScopes.class.getName() + ".read";
}
