package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.ClaimPlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.oidc.mappers.AudienceProtocolMapper;
import org.keycloak.protocol.oidc.mappers.FullNameMapper;
import org.keycloak.protocol.oidc.mappers.HardcodedClaim;
import org.keycloak.protocol.oidc.mappers.HardcodedRole;
import org.keycloak.protocol.oidc.mappers.UserClientRoleMappingMapper;

/** Where a mapper can write, read from its model as Keycloak's own code reads it. */
class MapperClaimsTest {

  private static ProtocolMapperModel model(Map<String, String> config) {
    ProtocolMapperModel model = new ProtocolMapperModel();
    model.setId("m1");
    model.setConfig(new HashMap<>(config));
    return model;
  }

  private static ClaimPlan.Mapper describe(
      ClaimFilter.Kind kind, ProtocolMapper mapper, Map<String, String> config) {
    return MapperClaims.describe(kind, model(config), mapper);
  }

  @Test
  void claimNamesAreSplitAsKeycloakSplitsThem() {
    assertThat(MapperClaims.path("email")).isEqualTo(ClaimPlan.Path.of("email"));
    assertThat(MapperClaims.path("${client_id}")).isNull();
    assertThat(MapperClaims.path("a.b")).isEqualTo(ClaimPlan.Path.of("a", "b"));
    assertThat(MapperClaims.path("a\\.b")).isEqualTo(ClaimPlan.Path.of("a.b"));
    assertThat(MapperClaims.path("resource_access.${client_id}.roles"))
        .isEqualTo(new ClaimPlan.Path(List.of("resource_access"), true));
    assertThat(MapperClaims.path("${client_id}.roles")).isNull();
  }

  @Test
  void aClaimNameMapperWritesItsClaimWhereItsSwitchIsOn() {
    Map<String, String> config =
        Map.of("claim.name", "org.unit", "access.token.claim", "true", "id.token.claim", "false");
    assertThat(describe(ClaimFilter.Kind.ACCESS, new HardcodedClaim(), config))
        .isEqualTo(ClaimPlan.Mapper.writing("m1", ClaimPlan.Path.of("org", "unit")));
    assertThat(describe(ClaimFilter.Kind.ID, new HardcodedClaim(), config)).isNull();
    // userinfo defaults to the ID token's switch, introspection to the access token's
    assertThat(describe(ClaimFilter.Kind.USERINFO, new HardcodedClaim(), config)).isNull();
    assertThat(describe(ClaimFilter.Kind.INTROSPECTION, new HardcodedClaim(), config)).isNotNull();
    assertThat(
            describe(
                ClaimFilter.Kind.ACCESS,
                new HardcodedClaim(),
                Map.of("claim.name", "x", "lightweight.claim", "true")))
        .isNotNull();
  }

  @Test
  void aPlaceholderOpensThePath() {
    assertThat(
            describe(
                ClaimFilter.Kind.ACCESS,
                new UserClientRoleMappingMapper(),
                Map.of(
                    "claim.name", "resource_access.${client_id}.roles",
                    "access.token.claim", "true")))
        .isEqualTo(
            new ClaimPlan.Mapper(
                "m1", List.of(new ClaimPlan.Path(List.of("resource_access"), true))));
  }

  @Test
  void fixedClaimMappersAndUnknownTypes() {
    assertThat(describe(ClaimFilter.Kind.ID, new FullNameMapper(), Map.of()))
        .isEqualTo(ClaimPlan.Mapper.writing("m1", ClaimPlan.Path.of("name")));
    assertThat(describe(ClaimFilter.Kind.ACCESS, new AudienceProtocolMapper(), Map.of()))
        .isEqualTo(ClaimPlan.Mapper.writing("m1", ClaimPlan.Path.of("aud")));
    assertThat(describe(ClaimFilter.Kind.ACCESS, new HardcodedRole(), Map.of()))
        .isEqualTo(ClaimPlan.Mapper.unknown("m1"));
    // a subclass of a known type is not known: it may write anything
    assertThat(
            describe(ClaimFilter.Kind.ACCESS, new HardcodedClaim() {}, Map.of("claim.name", "x")))
        .isEqualTo(ClaimPlan.Mapper.unknown("m1"));
  }
}
