package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.policy.ClaimPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.oidc.mappers.AcrProtocolMapper;
import org.keycloak.protocol.oidc.mappers.AddressMapper;
import org.keycloak.protocol.oidc.mappers.AllowedWebOriginsProtocolMapper;
import org.keycloak.protocol.oidc.mappers.AmrProtocolMapper;
import org.keycloak.protocol.oidc.mappers.AudienceProtocolMapper;
import org.keycloak.protocol.oidc.mappers.AudienceResolveProtocolMapper;
import org.keycloak.protocol.oidc.mappers.FullNameMapper;
import org.keycloak.protocol.oidc.mappers.GroupMembershipMapper;
import org.keycloak.protocol.oidc.mappers.HardcodedClaim;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.SubMapper;
import org.keycloak.protocol.oidc.mappers.UserAttributeMapper;
import org.keycloak.protocol.oidc.mappers.UserClientRoleMappingMapper;
import org.keycloak.protocol.oidc.mappers.UserPropertyMapper;
import org.keycloak.protocol.oidc.mappers.UserRealmRoleMappingMapper;
import org.keycloak.protocol.oidc.mappers.UserSessionNoteMapper;
import org.keycloak.utils.JsonUtils;

/**
 * Where a protocol mapper can write, read from its model for the claim plan ({@link ClaimPlan},
 * docs/adr/0034), without running it. Known are only Keycloak's own mapper classes (the factory's
 * exact class, so a subclass or a provider registered under a built-in's id is not): those that
 * write their {@code claim.name} with {@code OIDCAttributeMapperHelper.mapClaim} (a {@code
 * ${client_id}} placeholder makes the path open from there), and those that write one fixed claim
 * (read in the Keycloak 26.7 sources). Every other mapper (a script, a third party's, a hard-coded
 * role, the organization membership) is unknown: the plan runs it on a scratch token.
 */
final class MapperClaims {

  /** Keycloak's mappers whose only write is {@code claim.name}, through {@code mapClaim}. */
  private static final List<Class<?>> CLAIM_NAME =
      List.of(
          HardcodedClaim.class,
          UserAttributeMapper.class,
          UserPropertyMapper.class,
          UserSessionNoteMapper.class,
          GroupMembershipMapper.class,
          UserRealmRoleMappingMapper.class,
          UserClientRoleMappingMapper.class);

  /** Keycloak's mappers that write one fixed top-level claim. */
  private static final Map<Class<?>, String> FIXED =
      Map.of(
          FullNameMapper.class, "name",
          AddressMapper.class, "address",
          AudienceProtocolMapper.class, "aud",
          AudienceResolveProtocolMapper.class, "aud",
          AllowedWebOriginsProtocolMapper.class, "allowed-origins",
          AcrProtocolMapper.class, "acr",
          AmrProtocolMapper.class, "amr",
          SubMapper.class, "sub");

  private static final String PLACEHOLDER = "${";

  private static final String CLAIM_NAME_KEY = OIDCAttributeMapperHelper.TOKEN_CLAIM_NAME;

  private MapperClaims() {}

  /**
   * The mapper as the plan sees it for this kind of token, or null when it does not write into it
   * (its switch for that kind is off). {@code mapper} runs for {@code kind} already.
   */
  static ClaimPlan.@Nullable Mapper describe(
      ClaimFilter.Kind kind, ProtocolMapperModel model, ProtocolMapper mapper) {
    Class<?> type = mapper.getClass();
    String fixed = FIXED.get(type);
    if (fixed != null) {
      // their switches have defaults of their own (audience resolve, web origins): may write
      return ClaimPlan.Mapper.writing(model.getId(), ClaimPlan.Path.of(fixed));
    }
    if (!CLAIM_NAME.contains(type)) {
      return ClaimPlan.Mapper.unknown(model.getId());
    }
    if (!includedIn(kind, model)) {
      return null;
    }
    String claim = model.getConfig() == null ? null : model.getConfig().get(CLAIM_NAME_KEY);
    if (claim == null || claim.isEmpty()) {
      return new ClaimPlan.Mapper(model.getId(), List.of());
    }
    ClaimPlan.Path path = path(claim);
    return path == null
        ? ClaimPlan.Mapper.unknown(model.getId())
        : new ClaimPlan.Mapper(model.getId(), List.of(path));
  }

  /**
   * Keycloak's split of a claim name, open from the first segment with a placeholder; null when
   * even the top-level claim is not known.
   */
  static ClaimPlan.@Nullable Path path(String claim) {
    if (claim.indexOf('.') < 0 && claim.indexOf('\\') < 0) {
      // one segment, as Keycloak's split leaves it (no regex for the common case: JFR showed it)
      return claim.contains(PLACEHOLDER) ? null : ClaimPlan.Path.of(claim);
    }
    List<String> segments = new ArrayList<>();
    for (String segment : JsonUtils.splitClaimPath(claim)) {
      if (segment.contains(PLACEHOLDER)) {
        return segments.isEmpty() ? null : new ClaimPlan.Path(segments, true);
      }
      segments.add(segment);
    }
    return segments.isEmpty() ? null : new ClaimPlan.Path(segments, false);
  }

  /** The mapper's own switch for this kind of token, as Keycloak's mapper base class reads it. */
  private static boolean includedIn(ClaimFilter.Kind kind, ProtocolMapperModel model) {
    if (model.getConfig() == null) {
      return false;
    }
    return switch (kind) {
      case ACCESS ->
          OIDCAttributeMapperHelper.includeInAccessToken(model)
              || OIDCAttributeMapperHelper.includeInLightweightAccessToken(model);
      case ID -> OIDCAttributeMapperHelper.includeInIDToken(model);
      case USERINFO -> OIDCAttributeMapperHelper.includeInUserInfo(model);
      case INTROSPECTION -> OIDCAttributeMapperHelper.includeInIntrospection(model);
      case RESPONSE -> OIDCAttributeMapperHelper.includeInAccessTokenResponse(model);
    };
  }
}
