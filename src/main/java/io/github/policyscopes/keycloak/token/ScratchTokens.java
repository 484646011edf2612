package io.github.policyscopes.keycloak.token;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.token.ClaimFilter.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenResponseMapper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.AccessTokenResponse;
import org.keycloak.representations.IDToken;
import org.keycloak.util.JsonSerialization;

/**
 * The scratch runs of one filtering ({@link io.github.policyscopes.policy.ClaimPlan.Scratch}): the
 * given mappers run, in Keycloak's order and through the interface of the token's kind, on a new
 * token that holds only the base claims of the real one; what they wrote beyond that start is
 * returned as plain JSON trees. Built only when the plan runs a mapper; the start is built once.
 */
final class ScratchTokens {

  private static final Logger LOG = Logger.getLogger(ScratchTokens.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Kind kind;
  private final Object token;
  private final TokenClaims claims;
  private final Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running;
  private final KeycloakSession session;
  private final UserSessionModel userSession;
  private final ClientSessionContext ctx;
  private @Nullable ObjectNode base;
  private @Nullable ObjectNode seed;
  private int ran;

  ScratchTokens(
      Kind kind,
      Object token,
      TokenClaims claims,
      Map<String, Map.Entry<ProtocolMapperModel, ProtocolMapper>> running,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    this.kind = kind;
    this.token = token;
    this.claims = claims;
    this.running = running;
    this.session = session;
    this.userSession = userSession;
    this.ctx = ctx;
  }

  Map<String, Object> contribution(List<String> ids) {
    ObjectNode start = base;
    ObjectNode before = seed;
    if (start == null || before == null) {
      start = NODES.objectNode();
      for (String name : ClaimFilter.BASE_CLAIMS) {
        Object value = claims.get(name);
        if (value != null) {
          start.set(name, JsonSerialization.mapper.valueToTree(value));
        }
      }
      // what a scratch token holds before any mapper ran (the base claims, the class's defaults)
      before = JsonSerialization.mapper.valueToTree(read(start, token.getClass()));
      base = start;
      seed = before;
    }
    List<Map.Entry<ProtocolMapperModel, ProtocolMapper>> mappers = new ArrayList<>();
    for (String id : ids) {
      Map.Entry<ProtocolMapperModel, ProtocolMapper> mapper = running.get(id);
      if (mapper != null) {
        mappers.add(mapper);
      }
    }
    ran += mappers.size();
    ObjectNode wrote = run(kind, mappers, read(start, token.getClass()), session, userSession, ctx);
    Map<String, Object> contribution = new LinkedHashMap<>();
    ObjectNode from = before;
    wrote
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getValue().isNull() && !e.getValue().equals(from.get(e.getKey()))) {
                contribution.put(
                    e.getKey(), JsonSerialization.mapper.convertValue(e.getValue(), Object.class));
              }
            });
    return contribution;
  }

  /** How many mappers ran on scratch tokens. */
  int ran() {
    return ran;
  }

  /** Runs mappers, in Keycloak's order, as Keycloak runs them for this kind of token. */
  private static ObjectNode run(
      Kind kind,
      List<Map.Entry<ProtocolMapperModel, ProtocolMapper>> mappers,
      Object token,
      KeycloakSession session,
      UserSessionModel userSession,
      ClientSessionContext ctx) {
    List<Map.Entry<ProtocolMapperModel, ProtocolMapper>> sorted = new ArrayList<>(mappers);
    sorted.sort(Comparator.comparingInt(e -> e.getValue().getPriority()));
    Object current = token;
    for (Map.Entry<ProtocolMapperModel, ProtocolMapper> e : sorted) {
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

  private static Object read(ObjectNode node, Class<?> type) {
    try {
      return JsonSerialization.mapper.treeToValue(node, type);
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy a " + type.getSimpleName(), e);
    }
  }
}
