package io.github.policyscopes.keycloak.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.Ceiling;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.IssuanceDecision;
import io.github.policyscopes.scope.ClientScopeGrant;
import io.github.policyscopes.scope.Scopes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.ProtocolMapperUtils;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenResponseMapper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.IDToken;
import org.keycloak.representations.JsonWebToken;
import org.keycloak.util.JsonSerialization;

/**
 * Claims follow scopes (invariant I4 of docs/contract.md): takes out of a token what the client
 * scopes the policy dropped contributed. Keycloak runs the mappers of every default client scope of
 * a client whatever the policy says, and the client session context that picks them is rebuilt in
 * every path (token request, refresh, userinfo, introspection), with no hook to remove a scope. The
 * policy mapper sits in that context for every bound client and runs last, so it calls this class,
 * which:
 *
 * <ol>
 *   <li>finds the dropped client scopes of the context: every one the policy decides (all but
 *       Keycloak's infrastructure, {@link SessionScopes#infrastructure}) that is not granted, by
 *       the one rule of {@link ClientScopeGrant};
 *   <li>runs their mappers, for the same token kind, on a scratch token, and the mappers of the
 *       kept scopes on another;
 *   <li>removes from the real token, value by value, what the dropped mappers wrote and the kept
 *       ones did not.
 * </ol>
 *
 * <p>Whether a scope has a {@code scope} entry ({@code include.in.token.scope}) does not matter: an
 * optional scope without one is dropped like any other when the policy does not grant it. Only the
 * default client scopes without one ({@code basic}, {@code roles}, {@code web-origins}, {@code
 * acr}, {@code service_account}, the policies themselves) are Keycloak's infrastructure and never
 * dropped. See docs/adr/0010 and 0023.
 */
final class ClaimFilter {

  private static final Logger LOG = Logger.getLogger(ClaimFilter.class);

  /** The token objects already filtered in this request (several policy mappers may run). */
  private static final String DONE = ClaimFilter.class.getName() + ".done";

  /**
   * Claims Keycloak sets before any mapper runs: the scratch tokens start with them, so that a
   * mapper reading them behaves as in the real run, and they never count as a contribution.
   */
  private static final Set<String> BASE_CLAIMS =
      Set.of(
          "jti",
          "exp",
          "nbf",
          "iat",
          "iss",
          "sub",
          "typ",
          "azp",
          "nonce",
          "sid",
          "session_state",
          "auth_time",
          "scope",
          "cnf");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The token kinds, each with the mapper interface Keycloak runs for it. */
  private enum Kind {
    ACCESS(OIDCAccessTokenMapper.class),
    ID(OIDCIDTokenMapper.class),
    USERINFO(UserInfoTokenMapper.class),
    INTROSPECTION(TokenIntrospectionTokenMapper.class),
    RESPONSE(OIDCAccessTokenResponseMapper.class);

    final Class<?> mapperType;

    Kind(Class<?> mapperType) {
      this.mapperType = mapperType;
    }
  }

  private ClaimFilter() {}

  /**
   * Filters an access token while it is issued.
   *
   * @param granted the granted set the policy mapper just computed for this token
   */
  static void accessToken(
      AccessToken token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx,
      Collection<String> granted) {
    filter(Kind.ACCESS, token, session, userSession, ctx, grantedBy(session, ctx, granted));
  }

  /** Filters an ID token. */
  static IDToken idToken(
      IDToken token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    filter(Kind.ID, token, session, userSession, ctx, grantedNow(session, ctx));
    return token;
  }

  /** Filters the claims of a userinfo response. */
  static AccessToken userInfo(
      AccessToken token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    filter(Kind.USERINFO, token, session, userSession, ctx, grantedNow(session, ctx));
    return token;
  }

  /** Filters the claims of an introspection response. */
  static AccessToken introspection(
      AccessToken token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    filter(Kind.INTROSPECTION, token, session, userSession, ctx, grantedNow(session, ctx));
    return token;
  }

  /** Filters the extra claims mappers put in the token response body. */
  static AccessTokenResponse tokenResponse(
      AccessTokenResponse response,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    filter(Kind.RESPONSE, response, session, userSession, ctx, grantedNow(session, ctx));
    return response;
  }

  // ---- which client scopes are granted ----

  /**
   * In a token request, the granted set of the access token just issued; elsewhere (userinfo,
   * introspection, an ID token from the authorization endpoint), what the client's policies grant
   * now of the scopes of the context (the same decision as for the access token). Null when no
   * policy governs the client: nothing is filtered.
   */
  private static @Nullable Predicate<String> grantedNow(
      KeycloakSession session, ClientSessionContext ctx) {
    Issuance issuance = Issuance.current(session);
    if (issuance != null && issuance.result() != null) {
      return grantedBy(session, ctx, issuance.result().granted());
    }
    EffectivePolicy policy = issuance != null ? issuance.policy() : policyOf(ctx);
    if (policy == null) {
      return null;
    }
    Set<String> candidates = new LinkedHashSet<>(Scopes.split(ctx.getScopeString()));
    SessionScopes.governed(ctx).forEach(s -> candidates.add(s.getName()));
    List<String> granted =
        IssuanceDecision.decide(List.of(), candidates, Ceiling.NONE, policy).granted();
    return grantedBy(session, ctx, granted);
  }

  private static @Nullable EffectivePolicy policyOf(ClientSessionContext ctx) {
    return PolicyStore.effectiveFor(ctx.getClientSession().getClient());
  }

  /** Whether a client scope is granted: the one rule of {@link ClientScopeGrant}. */
  private static Predicate<String> grantedBy(
      KeycloakSession session, ClientSessionContext ctx, Collection<String> granted) {
    return SessionScopes.grant(session, ctx, granted)::grants;
  }

  // ---- the filter ----

  private static void filter(
      Kind kind,
      @Nullable Object token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx,
      @Nullable Predicate<String> granted) {
    if (granted == null || token == null || !firstTime(session, token)) {
      return;
    }
    List<ClientScopeModel> droppedScopes =
        SessionScopes.governed(ctx).stream().filter(s -> !granted.test(s.getName())).toList();
    if (droppedScopes.isEmpty()) {
      return;
    }
    String protocol =
        Objects.requireNonNullElse(
            ctx.getClientSession().getClient().getProtocol(), OIDCLoginProtocol.LOGIN_PROTOCOL);
    List<ProtocolMapperModel> droppedMappers =
        droppedScopes.stream()
            .flatMap(ClientScopeModel::getProtocolMappersStream)
            .filter(m -> protocol.equals(m.getProtocol()))
            .toList();
    Set<String> droppedIds =
        droppedMappers.stream().map(ProtocolMapperModel::getId).collect(Collectors.toSet());
    List<ProtocolMapperModel> keptMappers =
        ctx.getProtocolMappersStream().filter(m -> !droppedIds.contains(m.getId())).toList();

    ObjectNode real = JsonSerialization.mapper.valueToTree(token);
    ObjectNode base = NODES.objectNode();
    BASE_CLAIMS.forEach(
        name -> {
          if (real.has(name)) {
            base.set(name, real.get(name));
          }
        });
    Supplier<Object> scratch = () -> read(base, token.getClass());
    // what a scratch token holds before any mapper ran (the base claims and the class's defaults)
    ObjectNode seed = JsonSerialization.mapper.valueToTree(scratch.get());

    ObjectNode droppedWrote =
        contribution(run(kind, droppedMappers, scratch.get(), session, userSession, ctx), seed);
    if (droppedWrote.isEmpty()) {
      return;
    }
    ObjectNode keptWrote =
        contribution(run(kind, keptMappers, scratch.get(), session, userSession, ctx), seed);

    ObjectNode patch = NODES.objectNode();
    droppedWrote
        .fields()
        .forEachRemaining(
            e -> {
              String name = e.getKey();
              JsonNode current = real.get(name);
              if (current == null || BASE_CLAIMS.contains(name)) {
                return;
              }
              JsonNode left = subtract(current, e.getValue(), keptWrote.get(name));
              // identity: subtract returns its argument itself when it removed nothing
              @SuppressWarnings("ReferenceEquality")
              boolean changed = left != current;
              if (changed) {
                patch.set(name, left == null ? NODES.nullNode() : left); // null: remove it
              }
            });
    apply(token, patch);
    if (LOG.isDebugEnabled()) {
      LOG.debugf(
          "Claims of dropped client scopes %s removed from the %s: %s",
          droppedScopes.stream().map(ClientScopeModel::getName).toList(), kind, patch.fieldNames());
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean firstTime(KeycloakSession session, Object token) {
    Set<Object> done = (Set<Object>) session.getAttribute(DONE);
    if (done == null) {
      done = Collections.newSetFromMap(new IdentityHashMap<>());
      session.setAttribute(DONE, done);
    }
    return done.add(token);
  }

  /** Runs mappers, in Keycloak's order, as Keycloak runs them for this kind of token. */
  private static ObjectNode run(
      Kind kind,
      List<ProtocolMapperModel> models,
      Object token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    List<Map.Entry<ProtocolMapperModel, ProtocolMapper>> mappers = new ArrayList<>();
    for (ProtocolMapperModel model : models) {
      if (PolicyStore.isPolicyMapper(model) || !ProtocolMapperUtils.isEnabled(session, model)) {
        continue;
      }
      ProtocolMapper mapper =
          (ProtocolMapper)
              session
                  .getKeycloakSessionFactory()
                  .getProviderFactory(ProtocolMapper.class, model.getProtocolMapper());
      if (kind.mapperType.isInstance(mapper)) {
        mappers.add(Map.entry(model, mapper));
      }
    }
    mappers.sort(Comparator.comparingInt(e -> e.getValue().getPriority()));
    Object current = token;
    for (Map.Entry<ProtocolMapperModel, ProtocolMapper> e : mappers) {
      try {
        current = apply(kind, e.getValue(), e.getKey(), current, session, userSession, ctx);
      } catch (RuntimeException failed) {
        // the mapper also ran on the real token; here only its contribution is unknown
        LOG.debugf(failed, "Mapper %s failed on a scratch token", e.getKey().getName());
      }
    }
    return JsonSerialization.mapper.valueToTree(current);
  }

  private static Object apply(
      Kind kind,
      ProtocolMapper mapper,
      ProtocolMapperModel model,
      Object token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    return switch (kind) {
      case ACCESS ->
          ((OIDCAccessTokenMapper) mapper)
              .transformAccessToken((AccessToken) token, model, session, userSession, ctx);
      case ID ->
          ((OIDCIDTokenMapper) mapper)
              .transformIDToken((IDToken) token, model, session, userSession, ctx);
      case USERINFO ->
          ((UserInfoTokenMapper) mapper)
              .transformUserInfoToken((AccessToken) token, model, session, userSession, ctx);
      case INTROSPECTION ->
          ((TokenIntrospectionTokenMapper) mapper)
              .transformIntrospectionToken((AccessToken) token, model, session, userSession, ctx);
      case RESPONSE ->
          ((OIDCAccessTokenResponseMapper) mapper)
              .transformAccessTokenResponse(
                  (AccessTokenResponse) token, model, session, userSession, ctx);
    };
  }

  /** What a scratch token holds beyond its seed. */
  private static ObjectNode contribution(ObjectNode scratch, ObjectNode seed) {
    ObjectNode wrote = NODES.objectNode();
    scratch
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().equals(seed.get(e.getKey())) && !e.getValue().isNull()) {
                wrote.set(e.getKey(), e.getValue());
              }
            });
    return wrote;
  }

  /**
   * {@code current} without what {@code dropped} wrote unless {@code kept} wrote it too, value by
   * value (an audience, a role): the same node when nothing changes, null when nothing is left.
   */
  static @Nullable JsonNode subtract(JsonNode current, JsonNode dropped, @Nullable JsonNode kept) {
    if (current.isObject() && dropped.isObject()) {
      ObjectNode result = ((ObjectNode) current).deepCopy();
      boolean changed = false;
      Iterator<Map.Entry<String, JsonNode>> fields = dropped.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        JsonNode inner = current.get(e.getKey());
        if (inner == null) {
          continue;
        }
        JsonNode keptInner = kept != null && kept.isObject() ? kept.get(e.getKey()) : null;
        JsonNode left = subtract(inner, e.getValue(), keptInner);
        // identity: subtract returns its argument itself when it removed nothing
        @SuppressWarnings("ReferenceEquality")
        boolean innerChanged = left != inner;
        if (innerChanged) {
          changed = true;
          if (left == null) {
            result.remove(e.getKey());
          } else {
            result.set(e.getKey(), left);
          }
        }
      }
      if (!changed) {
        return current;
      }
      return result.isEmpty() ? null : result;
    }
    if (current.isArray() || dropped.isArray()) {
      List<JsonNode> droppedValues = elements(dropped);
      List<JsonNode> keptValues = kept == null ? List.of() : elements(kept);
      List<JsonNode> left = new ArrayList<>();
      for (JsonNode value : elements(current)) {
        if (!droppedValues.contains(value) || keptValues.contains(value)) {
          left.add(value);
        }
      }
      if (left.size() == elements(current).size()) {
        return current;
      }
      if (left.isEmpty()) {
        return null;
      }
      if (!current.isArray() && left.size() == 1) {
        return left.get(0);
      }
      ArrayNode array = NODES.arrayNode();
      array.addAll(left);
      return array;
    }
    if (!current.equals(dropped)) {
      return current; // someone else wrote this value last
    }
    if (kept == null) {
      return null;
    }
    return kept.equals(current) ? current : kept;
  }

  private static List<JsonNode> elements(JsonNode node) {
    List<JsonNode> list = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(list::add);
    } else {
      list.add(node);
    }
    return list;
  }

  // ---- reading and writing tokens ----

  private static Object read(ObjectNode node, Class<?> type) {
    try {
      return JsonSerialization.mapper.treeToValue(node, type);
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy a " + type.getSimpleName(), e);
    }
  }

  /**
   * Changes the token in place (Keycloak keeps using the same object): claims Keycloak models as
   * fields are set through Jackson, the others in the token's map of other claims.
   */
  private static void apply(Object token, ObjectNode patch) {
    if (patch.isEmpty()) {
      return;
    }
    Map<String, Object> other = otherClaims(token);
    ObjectNode fields = NODES.objectNode();
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (other.containsKey(e.getKey())) {
        if (e.getValue().isNull()) {
          other.remove(e.getKey());
        } else {
          other.put(e.getKey(), JsonSerialization.mapper.convertValue(e.getValue(), Object.class));
        }
      } else {
        fields.set(e.getKey(), e.getValue());
      }
    }
    if (fields.isEmpty()) {
      return;
    }
    try {
      JsonSerialization.mapper.readerForUpdating(token).readValue(fields);
    } catch (IOException e) {
      throw new IllegalStateException("cannot filter a " + token.getClass().getSimpleName(), e);
    }
    // a removed claim the token does not model would land in its other claims as null
    fields.fieldNames().forEachRemaining(name -> other.remove(name, null));
  }

  private static Map<String, Object> otherClaims(Object token) {
    if (token instanceof JsonWebToken jwt) {
      return jwt.getOtherClaims();
    }
    if (token instanceof AccessTokenResponse response) {
      return response.getOtherClaims();
    }
    return new HashMap<>();
  }
}
