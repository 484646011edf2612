package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static io.github.policyscopes.it.security.ParameterRealm.access;
import static io.github.policyscopes.it.security.ParameterRealm.ok;
import static io.github.policyscopes.it.security.ParameterRealm.organizations;
import static io.github.policyscopes.it.security.ParameterRealm.tenants;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.DistributionServer;
import io.github.policyscopes.it.FeatureServer;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Keycloak 26.7's typed parameterized client scopes ({@code tenant:42}) in the policy grammar
 * (docs/adr/0030): the experimental feature {@code parameterized-scopes}, off by default, on for a
 * Keycloak of this class's own ({@link FeatureServer}; skipped before 26.7). A policy entry {@code
 * tenant:*} covers any one {@code tenant:value}; the value goes to Keycloak, whose type check and
 * mapper run: a value Keycloak refuses is refused as for an unbound client. The realm ({@link
 * ParameterRealm}) has its Organizations scope marked parameterized, the setup ADR 0030 documents
 * for Organizations with the feature on.
 */
class ParameterizedScopesFeatureIT {

  @RegisterExtension
  static final FeatureServer SERVER =
      new FeatureServer(
          "parameterized-scopes",
          List.of(DistributionServer.PARAMETERIZED_SCOPES),
          DistributionServer::parameterizedScopesKnown,
          "Keycloak 26.7 or later");

  private static ParameterRealm realm;

  @BeforeAll
  static void realmWithATenantScope(TestClient http) {
    realm = ParameterRealm.create(http);
    realm.markOrganizationScopeParameterized();
  }

  @Test
  void tenantStarCoversAnyTenantInEveryGrantWithKeycloaksClaim() throws Exception {
    String clientId = realm.bound("openid", "tenant:*");

    Reply tokens = ok(realm.password(clientId, "openid tenant:42"));
    assertThat(realm.grantedScope(clientId, tokens))
        .containsExactlyInAnyOrder("openid", "tenant:42");
    assertThat(tenants(tokens)).as(access(tokens).toString()).containsExactly("42");

    Reply refreshed = ok(realm.refresh(clientId, tokens, null));
    assertThat(realm.grantedScope(clientId, refreshed))
        .containsExactlyInAnyOrder("openid", "tenant:42");
    assertThat(tenants(refreshed)).containsExactly("42");

    Reply service = ok(realm.clientCredentials(clientId, "tenant:7"));
    assertThat(realm.grantedScope(clientId, service)).containsExactly("tenant:7");
    assertThat(tenants(service)).containsExactly("7");

    Reply code = ok(realm.codeFlow(clientId, "openid tenant:9"));
    assertThat(realm.grantedScope(clientId, code)).containsExactlyInAnyOrder("openid", "tenant:9");
    assertThat(tenants(code)).containsExactly("9");
  }

  @Test
  void aTenantKeycloakRefusesIsRefusedAsForAnUnboundClient() {
    String bound = realm.bound("openid", "tenant:*");
    String unbound = realm.unbound();

    for (String scope : List.of("openid tenant:abc", "openid tenant:*")) {
      Reply stock = realm.password(unbound, scope);
      Reply policed = realm.password(bound, scope);
      assertThat(stock).as("unbound, " + scope).hasStatus(400).hasError("invalid_scope");
      assertThat(policed).as("bound, " + scope).hasStatus(400).hasError("invalid_scope");
    }
  }

  @Test
  void aTenantThePolicyDoesNotCoverIsDroppedOrRejected() {
    String ignoring = realm.bound("openid", "tenant:42");
    Reply dropped = ok(realm.password(ignoring, "openid tenant:43"));
    assertThat(realm.grantedScope(ignoring, dropped)).containsExactly("openid");
    assertThat(access(dropped).has("tenant")).isFalse();

    // the plain name is no value of tenant:*: dropped, where Keycloak alone refuses it (400)
    String any = realm.bound("openid", "tenant:*");
    Reply plain = ok(realm.password(any, "openid tenant"));
    assertThat(realm.grantedScope(any, plain)).containsExactly("openid");
    assertThat(access(plain).has("tenant")).isFalse();

    String rejecting = realm.client(List.of("openid", "tenant:42"), "reject");
    Reply ok = ok(realm.password(rejecting, "openid tenant:42"));
    assertThat(tenants(ok)).containsExactly("42");
    Reply refused = realm.password(rejecting, "openid tenant:43");
    assertThat(refused).hasStatus(400).hasError("invalid_scope");
    assertThat(refused.json().path("error_description").asText()).contains("tenant:43");
  }

  /** Organizations with the feature on, in the setup ADR 0030 documents: the scope marked. */
  @Test
  void theMarkedOrganizationScopeWorksWithTheFeatureOn() {
    String clientId = realm.bound("openid", "organization:*", "tenant:*");

    Reply tokens = ok(realm.password(clientId, "openid organization:acme tenant:42"));
    assertThat(realm.grantedScope(clientId, tokens))
        .containsExactlyInAnyOrder("openid", "organization:acme", "tenant:42");
    assertThat(organizations(tokens)).as(access(tokens).toString()).containsExactly("acme");
    assertThat(tenants(tokens)).containsExactly("42");

    realm.assertAcmeOnly(
        "refresh", clientId, ok(realm.refresh(clientId, tokens, "openid organization:acme")));
  }

  /**
   * Unmarked, Keycloak 26.7 with the feature refuses {@code organization:acme} for every client
   * (ADR 0030, "Both at once"); a bound client gets the same refusal, never a 500 nor a grant.
   * Should Keycloak ever accept it, ADR 0030 and docs/scope-grammar.md need updating.
   */
  @Test
  void unmarkedTheOrganizationScopeIsRefusedByKeycloakItselfForEveryClient(TestClient http) {
    ParameterRealm stock = ParameterRealm.create(http);

    Reply unbound = stock.password(stock.unbound(), "openid organization:acme");
    Reply bound =
        stock.password(stock.bound("openid", "organization:*"), "openid organization:acme");
    assertThat(unbound).as("unbound").hasStatus(400).hasError("invalid_scope");
    assertThat(bound).as("bound").hasStatus(400).hasError("invalid_scope");
  }
}
