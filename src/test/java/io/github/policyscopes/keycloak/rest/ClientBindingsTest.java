package io.github.policyscopes.keycloak.rest;

import static io.github.policyscopes.keycloak.rest.Fakes.fake;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;

/**
 * The policies a client body names ({@link ClientBindings}): each read once, and config power only
 * on a confidential client (I13), decided on the policy as it was read.
 */
class ClientBindingsTest {

  private static final ClientInput PUBLIC =
      new ClientInput("c", null, false, List.of("password"), List.of(), List.of("p1"), true);

  @Test
  void aConfigGrantOnAPublicClientIsRefusedByThePolicyAsRead() {
    // read once when named; gone on every later read (the second dereference NullAway found)
    ClientScopeModel scope = ClientPolicyLookupTest.vanishingPolicy("*:config/clients/**");
    RealmModel realm = fake(RealmModel.class, Map.of("getName", "r", "getClientScopeById", scope));
    Permissions permissions = Fakes.permissions(realm, "*:**");

    List<ClientBindings.Named> named = ClientBindings.resolve(realm, permissions, List.of("p1"));
    ApiError refused =
        catchThrowableOfType(
            ApiError.class,
            () ->
                ClientBindings.requireConfigPowerIsConfidential(null, PUBLIC, named, permissions));

    assertThat(refused).isNotNull();
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.getMessage()).contains("tokenPolicies[0]");
  }

  @Test
  void aPolicyWithoutConfigGrantsMayGoToAPublicClient() {
    ClientScopeModel scope = ClientPolicyLookupTest.vanishingPolicy("openid", "profile");
    RealmModel realm = fake(RealmModel.class, Map.of("getName", "r", "getClientScopeById", scope));
    Permissions permissions = Fakes.permissions(realm, "*:**");

    List<ClientBindings.Named> named = ClientBindings.resolve(realm, permissions, List.of("p1"));
    ClientBindings.requireConfigPowerIsConfidential(null, PUBLIC, named, permissions);

    assertThat(named).extracting(n -> n.policy().id()).containsExactly("p1");
  }

  @Test
  void aPolicyTheCallerCannotReadIsUnknown() {
    ClientScopeModel scope = ClientPolicyLookupTest.vanishingPolicy("openid");
    RealmModel realm = fake(RealmModel.class, Map.of("getName", "r", "getClientScopeById", scope));
    Permissions permissions = Fakes.permissions(realm, "*:** -:config/tokenPolicies/p1");

    ApiError refused =
        catchThrowableOfType(
            ApiError.class, () -> ClientBindings.resolve(realm, permissions, List.of("p1")));

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.getMessage()).isEqualTo("tokenPolicies[0]: no token policy p1");
  }
}
