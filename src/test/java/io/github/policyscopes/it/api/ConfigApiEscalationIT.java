package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.Fixtures.READ_ONLY_POLICY_ID;
import static io.github.policyscopes.it.Fixtures.STICKY_DENY;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No escalation (docs/contract.md §4, docs/config-api.md): a caller writes or binds only policies
 * whose config grants its own token covers, with no deny of the caller overlapping them; otherwise
 * 403 {@code insufficient_scope} listing the {@code exceeding} entries, and nothing is written.
 * Plain scopes and deny entries are not powers and are never reported.
 */
class ConfigApiEscalationIT extends OnSharedKeycloak {

  private static final String POLICIES = "config/tokenPolicies";
  private static final String CLIENTS = "config/clients";

  /** {@code *:config/tokenPolicies/**}, nothing else. */
  private static Fixtures.Bound membersCaller;

  /** {@code *:config/clients/**} and {@code .:config/tokenPolicies/**}. */
  private static Fixtures.Bound clientsCaller;

  /** {@code *:**} with the sticky deny {@code -:config/clients/secretive}. */
  private static Fixtures.Bound denyCaller;

  /** An own policy {@code *:**}, {@code openid} (admin REST). */
  private static String bigPolicy;

  /** An own policy {@code .:config/clients/*}, {@code openid} (admin REST). */
  private static String smallPolicy;

  @BeforeAll
  static void setUp() {
    membersCaller = fixtures.boundClient("esc-members", List.of("*:config/tokenPolicies/**"));
    clientsCaller =
        fixtures.boundClient(
            "esc-clients", List.of("*:config/clients/**", ".:config/tokenPolicies/**"));
    denyCaller = fixtures.boundClient("esc-deny", List.of("*:**", "-:config/clients/secretive"));
    bigPolicy = fixtures.policy("esc-big", "*:**", "openid");
    smallPolicy = fixtures.policy("esc-small", ".:config/clients/*", "openid");
  }

  private static void assertExceeding(Reply reply, String... exceeding) {
    assertThat(reply).hasStatus(403);
    JsonNode body = reply.json();
    assertThat(body.path("error").asText()).isEqualTo("insufficient_scope");
    assertThat(body.path("error_description").asText()).isNotBlank();
    assertThat(ConfigApi.strings(body, "exceeding"))
        .as(reply.toString())
        .containsExactlyInAnyOrder(exceeding);
  }

  private static void assertNoPolicyTitled(String title) {
    assertThat(fixtures.clientScopes())
        .as("no client scope written for " + title)
        .noneMatch(scope -> title.equals(scope.path("description").asText()));
  }

  private static Reply createPolicy(String token, String title, String... scopes) {
    return api.post(token, POLICIES, ConfigApi.policyBody(title, scopes));
  }

  // ---- a policy writer without *:** ----

  @Test
  void aPolicyWriterCannotCreateAPolicyGrantingEverything() {
    String token = membersCaller.token("*:config/tokenPolicies/**");
    assertThat(ConfigApi.scopeOf(token)).isEqualTo("*:config/tokenPolicies/**");
    String title = Fixtures.unique("Esc all");
    assertExceeding(createPolicy(token, title, "*:**"), "*:**");
    assertNoPolicyTitled(title);
  }

  @Test
  void aPolicyWriterCannotCreateAPolicyGrantingClients() {
    String title = Fixtures.unique("Esc clients");
    assertExceeding(
        createPolicy(
            membersCaller.token("*:config/tokenPolicies/**"), title, "*:config/clients/**"),
        "*:config/clients/**");
    assertNoPolicyTitled(title);
  }

  @Test
  void onlyTheExceedingConfigGrantsAreListedNotPlainScopesOrDenies() {
    String title = Fixtures.unique("Esc mixed");
    assertExceeding(
        createPolicy(
            membersCaller.token("*:config/tokenPolicies/**"),
            title,
            "openid",
            "*:config/tokenPolicies/**",
            ".:config/clients",
            "-:config/anything",
            "*.**",
            ".:**"),
        ".:config/clients",
        ".:**");
    assertNoPolicyTitled(title);
  }

  @Test
  void aPolicyWriterCreatesAndUpdatesPoliciesWithinItsPower() {
    String token = membersCaller.token("*:config/tokenPolicies/**");
    String title = Fixtures.unique("Esc within");
    Reply created =
        createPolicy(
            token,
            title,
            "*:config/tokenPolicies/**",
            ".:config/tokenPolicies/*",
            "openid",
            "-:config/whatever",
            "*.**");
    assertThat(created).hasStatus(201);
    String path = POLICIES + "/" + created.json().get("id").asText();

    Reply updated =
        api.put(
            token,
            path,
            ConfigApi.policyBody(title, "*:config/tokenPolicies", ".:config/tokenPolicies"));
    assertThat(updated).hasStatus(200);
    assertThat(ConfigApi.strings(updated.json(), "allowedScopes"))
        .containsExactlyInAnyOrder("*:config/tokenPolicies", ".:config/tokenPolicies");
    assertThat(api.delete(token, path)).hasStatus(204);
  }

  @Test
  void anUpdateBeyondThePowerIsRefusedAndChangesNothing() {
    String token = membersCaller.token("*:config/tokenPolicies/**");
    String title = Fixtures.unique("Esc update");
    JsonNode created = api.createPolicy(token, title, "*:config/tokenPolicies/*");
    String path = POLICIES + "/" + created.get("id").asText();
    Reply before = api.get(token, path);

    assertExceeding(api.put(token, path, ConfigApi.policyBody(title, "*:**")), "*:**");
    assertExceeding(
        api.put(
            token, path, ConfigApi.policyBody(title, "*:config/tokenPolicies/**", "*:config/**")),
        "*:config/**");

    Reply after = api.get(token, path);
    assertThat(after.json()).isEqualTo(before.json());
    assertThat(after).hasHeader("ETag", before.header("ETag"));
  }

  // ---- binding ----

  @Test
  void bindingAPolicyBeyondThePowerIsRefusedOnCreate() {
    String token = clientsCaller.token("*:config/clients/** .:config/tokenPolicies/**");
    String clientId = Fixtures.unique("esc-bind");
    assertExceeding(api.post(token, CLIENTS, ConfigApi.clientBody(clientId, bigPolicy)), "*:**");
    assertThat(fixtures.keycloakHasClient(clientId)).as("no client created").isFalse();
  }

  @Test
  void bindingAPolicyWithinThePowerWorksAndBeyondItIsRefusedOnUpdate() {
    String token = clientsCaller.token("*:config/clients/** .:config/tokenPolicies/**");
    String clientId = Fixtures.unique("esc-bind-ok");
    Reply created = api.post(token, CLIENTS, ConfigApi.clientBody(clientId, smallPolicy));
    assertThat(created).hasStatus(201);
    assertThat(ConfigApi.strings(created.json(), "tokenPolicies")).containsExactly(smallPolicy);
    String path = CLIENTS + "/" + created.json().get("id").asText();

    ObjectNode widen = ConfigApi.clientBody(clientId, smallPolicy, bigPolicy);
    assertExceeding(api.put(token, path, widen), "*:**");
    Reply after = api.get(token, path);
    assertThat(ConfigApi.strings(after.json(), "tokenPolicies")).containsExactly(smallPolicy);

    assertThat(api.delete(token, path)).hasStatus(204);
  }

  @Test
  void theDemoAdminCannotBindTheReadOnlyPolicyBecauseItsStickyDenyOverlapsIt() {
    // .:** would let the new client read the demo policy, which config-admin itself may not
    String token = fixtures.allPowerToken();
    String clientId = Fixtures.unique("esc-reader-copy");
    assertExceeding(
        api.post(token, CLIENTS, ConfigApi.clientBody(clientId, READ_ONLY_POLICY_ID)), ".:**");
    assertThat(fixtures.keycloakHasClient(clientId)).isFalse();
  }

  // ---- denies of the caller ----

  @Test
  void theDemoAdminCannotHandOutAGrantOverlappingItsStickyDeny() {
    String token = fixtures.allPowerToken();
    assertThat(ConfigApi.scopeOf(token).split(" ")).contains(STICKY_DENY);
    for (String entry :
        List.of(".:config/**", ".:**", "*:config/tokenPolicies/**", ".:config/tokenPolicies/*")) {
      String title = Fixtures.unique("Esc sticky");
      assertExceeding(createPolicy(token, title, entry), entry);
      assertNoPolicyTitled(title);
    }
    // the collection itself and everything beside the denied member are fine
    assertMayHandOut(token, "Esc beside", List.of("*:config/clients/**", "*:config/tokenPolicies"));
  }

  @Test
  void aCallerCannotHandOutAGrantOverlappingItsOwnDeny() {
    String token = denyCaller.token("*:**");
    assertThat(ConfigApi.scopeOf(token).split(" "))
        .containsExactlyInAnyOrder("*:**", "-:config/clients/secretive");
    assertExceeding(
        createPolicy(token, Fixtures.unique("Esc d1"), "*:config/clients/**"),
        "*:config/clients/**");
    assertExceeding(
        createPolicy(token, Fixtures.unique("Esc d2"), ".:config/clients/*"), ".:config/clients/*");
    assertExceeding(createPolicy(token, Fixtures.unique("Esc d3"), "*:**"), "*:**");

    assertMayHandOut(
        token,
        "Esc d-ok",
        List.of(
            "*:config/tokenPolicies/**",
            "*:config/clients/other/**",
            "-:config/clients/secretive",
            "*:config/clients"));
  }

  @Test
  void aDenyTheCallerAskedForAlsoLimitsWhatItMayHandOut() {
    String token = denyCaller.token("*:** -:config/tokenPolicies/x");
    assertThat(ConfigApi.scopeOf(token).split(" ")).contains("-:config/tokenPolicies/x");
    assertExceeding(
        createPolicy(token, Fixtures.unique("Esc asked deny"), "*:config/tokenPolicies/**"),
        "*:config/tokenPolicies/**");
  }

  @Test
  void aClientWhosePolicyExceedsTheCallerCannotBeTakenOver() {
    // a client bound to *:** and handed over, through Keycloak's admin REST, as an operator would
    Fixtures.Bound powerful = fixtures.handedOver("esc-powerful", List.of("*:**"));
    String path = CLIENTS + "/" + powerful.uuid();
    String token = clientsCaller.token("*:config/clients/** .:config/tokenPolicies/**");

    // *:config/clients/** may read the client, but not become it
    assertThat(api.get(token, path)).hasStatus(200);
    assertExceeding(api.get(token, path + "/secret"), "*:**");
    assertExceeding(api.post(token, path + "/secret", null), "*:**");
    assertExceeding(
        api.put(token, path, ConfigApi.clientBody(powerful.clientId()).put("name", "hijacked")),
        "*:**");
    assertExceeding(api.delete(token, path), "*:**");
    assertThat(api.get(token, path).json().path("name").asText()).isNotEqualTo("hijacked");

    // the same caller may act as a client whose policy it covers
    Fixtures.Bound modest = fixtures.handedOver("esc-modest", List.of(".:config/clients/*"));
    assertThat(api.get(token, CLIENTS + "/" + modest.uuid() + "/secret")).hasStatus(200);
  }

  @Test
  void aPolicyOfSeveralMappersIsRewrittenOnlyByATokenThatCouldActAsEveryClientBoundToIt() {
    // a policy with a second policy mapper (admin REST), bound to a client that also has
    // *:config/clients/**, which the policy writer below does not hold:
    // its rewrite reads the clients bound to it and their other policies (docs/adr/0039)
    String twoMappers = fixtures.policy("esc-two", ".:config/clients/*", "openid");
    fixtures.addPolicyMapper(twoMappers, List.of("openid"), null, null);
    fixtures.clientBoundTo(
        "esc-two", twoMappers, fixtures.policy("esc-two-other", "*:config/clients/**"));
    String path = POLICIES + "/" + twoMappers;
    String title = Fixtures.unique("Esc two rewritten");

    Reply refused =
        api.put(
            membersCaller.token("*:config/tokenPolicies/**"),
            path,
            ConfigApi.policyBody(title, "openid"));
    assertThat(refused).hasStatus(403);
    assertThat(refused.json().path("error").asText()).isEqualTo("insufficient_scope");
    assertThat(refused.json().path("error_description").asText()).contains("several mappers");
    assertNoPolicyTitled(title);

    Reply rewritten =
        api.put(fixtures.allPowerToken(), path, ConfigApi.policyBody(title, "openid"));
    assertThat(rewritten).hasStatus(200);
    assertThat(rewritten.json().path("title").asText()).isEqualTo(title);
  }

  @Test
  void aReadOnlyCallerCannotCreateAnything() {
    // the decision (write needed on the collection) comes first: 403 insufficient_scope
    String token = fixtures.configReader();
    assertThat(createPolicy(token, Fixtures.unique("Esc reader"), "openid"))
        .isInsufficientScope("POST", POLICIES);
  }

  /** The caller may create (then deletes) a policy of each of {@code entries}. */
  private static void assertMayHandOut(String token, String title, List<String> entries) {
    for (String entry : entries) {
      Reply ok = createPolicy(token, Fixtures.unique(title), entry);
      assertThat(ok).as(entry).hasStatus(201);
      api.delete(token, POLICIES + "/" + ok.json().get("id").asText());
    }
  }
}
