package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.ParameterizedClientScopes;
import io.github.policyscopes.scope.ScopeParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
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

  /** {@link #flags}: Keycloak lists the scope in {@code scope}. */
  static final int LISTED = 1;

  /** {@link #flags}: Keycloak reads the scope as {@code name:parameter}. */
  static final int PARAMETERIZED = 2;

  /**
   * What the policy reads of a client scope besides its id, name and mappers: {@link #LISTED},
   * {@link #PARAMETERIZED} by {@code parameterized} ({@link #parameterizedIn}).
   */
  static int flags(ClientScopeModel scope, @Nullable Predicate<ClientScopeModel> parameterized) {
    return (scope.isIncludeInTokenScope() ? LISTED : 0)
        | (parameterized != null && parameterized.test(scope) ? PARAMETERIZED : 0);
  }

  /** Which client scopes Keycloak parameterizes in the context's realm; null when none. */
  static @Nullable Predicate<ClientScopeModel> parameterizedIn(ClientSessionContext ctx) {
    return ParameterizedClientScopes.reading(ctx.getClientSession().getRealm());
  }

  /** The one walk of the context's client scopes and mappers. */
  private static ContextScopes walk(ClientSessionContext ctx, Map<String, String> defaults) {
    String protocol =
        Objects.requireNonNullElse(
            ctx.getClientSession().getClient().getProtocol(), OIDCLoginProtocol.LOGIN_PROTOCOL);
    ProtocolMapperModel[] running =
        ctx.getProtocolMappersStream().toArray(ProtocolMapperModel[]::new);
    List<ContextScopes.Governed> governed = new ArrayList<>();
    Predicate<ClientScopeModel> parameterizedIn = parameterizedIn(ctx);
    List<String> parameterized = new ArrayList<>(2);
    Map<String, ContextScopes.Slot> sources = new HashMap<>();
    boolean keepable = true;
    for (Iterator<ClientScopeModel> it = ctx.getClientScopesStream().iterator(); it.hasNext(); ) {
      ClientScopeModel s = it.next();
      int flags = flags(s, parameterizedIn);
      List<ProtocolMapperModel> mappers = mappersOf(s, protocol);
      if (!infrastructure(s, defaults)) {
        governed.add(new ContextScopes.Governed(s.getName(), (flags & LISTED) != 0, mappers));
      }
      if ((flags & PARAMETERIZED) != 0) {
        parameterized.add(s.getName());
      }
      String name = ContextScopes.nameOf(s);
      boolean versioned = s instanceof ClientModel || runsAny(running, mappers);
      keepable =
          keepable
              && name != null
              && sources.size() < ContextScopes.MAX_SOURCES
              && sources.putIfAbsent(
                      s.getId(),
                      new ContextScopes.Slot(
                          name, sources.size(), versioned ? ContextScopes.VERSIONED : flags))
                  == null;
    }
    return new ContextScopes(
        governed, ScopeParameters.of(parameterized).names(), running, keepable ? sources : null);
  }

  /** A client scope's mappers of the client's protocol. */
  private static List<ProtocolMapperModel> mappersOf(ClientScopeModel scope, String protocol) {
    List<ProtocolMapperModel> mappers = new ArrayList<>();
    try (Stream<ProtocolMapperModel> ofScope = scope.getProtocolMappersStream()) {
      ofScope.forEachOrdered(
          m -> {
            if (protocol.equals(m.getProtocol())) {
              mappers.add(m);
            }
          });
    }
    return List.copyOf(mappers);
  }

  /** Whether the context runs one of {@code mappers}: then their objects vouch for the scope. */
  @SuppressWarnings("ReferenceEquality") // the very objects of Keycloak's cache, on purpose
  private static boolean runsAny(ProtocolMapperModel[] running, List<ProtocolMapperModel> mappers) {
    for (ProtocolMapperModel m : mappers) {
      for (ProtocolMapperModel r : running) {
        if (r == m) {
          return true;
        }
      }
    }
    return false;
  }

  /** The context attribute holding {@link #read}. */
  private static final String READ = SessionScopes.class.getName() + ".read";
}
