package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.BrowserLogin;
import io.github.policyscopes.it.CibaDevice;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.Flows;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import io.github.policyscopes.it.TestClient;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;

/**
 * A config token never reaches Keycloak admin power (issue 20, class 1; docs/contract.md §4, I3),
 * checked as a seeded property against Keycloak itself.
 *
 * <p>Each case builds a handed-over client in a realm of its own (service account roles held
 * directly, through a composite, a group or the realm's default roles; full scope; a scope mapping;
 * a default or optional client scope mapping a role; an own composite client role; code, password,
 * device and CIBA flows) and asks the config API for its secret with an all-power config token. For
 * every client the API serves, real tokens are minted through every enabled flow (the service
 * account, an admin user holding {@code realm-admin}, a plain user) and sent to Keycloak's admin
 * REST API: any 200 fails the test, and so does a token carrying a role of {@code realm-management}
 * (a role in a token is reach, whether or not the admin API honours it). Cases the API refuses are
 * counted, with whether some token could in fact call the admin API (a sanity oracle: the generator
 * is not trivially privileged). The master realm's config API must not hand out a full-scope
 * sign-in client's secret either.
 *
 * <p>Replay: {@code -Dreach.seed=<seed> -Dreach.cases=<n>} (printed at the start and the end). CIBA
 * runs for real: the server's HTTP authentication channel posts to the tests' {@link CibaDevice},
 * which approves as the admin user's device would.
 */
@Tag("property") // no "compat": runs in the main IT run only, like every untagged IT
class KeycloakReachPropertyIT extends OnSharedKeycloak {

  private static final String PASSWORD = "reach-password-1";
  private static final String ADMIN_USER = "reach-admin";
  private static final String PLAIN_USER = "reach-user";
  private static final String REDIRECT_URI = "http://localhost:1/reach-callback";
  private static final String CALLER_ID = "reach-config-admin";

  /** realm-management roles the admin probes below can see (each allows at least one of them). */
  private static final List<String> ADMIN_ROLES =
      List.of(
          "realm-admin",
          "view-users",
          "query-users",
          "manage-users",
          "view-clients",
          "query-clients",
          "manage-clients");

  private static String realm;
  private static RealmResource admin;
  private static String realmManagement;
  private static String callerToken;

  @BeforeAll
  static void setUp(TestClient client) {
    realm = Fixtures.createRealm(http, "pbs-reach", Map.of("attributes", Fixtures.CIBA_POLL));
    Fixtures fixtures = new Fixtures(http, realm);
    admin = fixtures.realm();
    realmManagement = admin.clients().findByClientId("realm-management").get(0).getId();

    String adminId = fixtures.createUser(user(ADMIN_USER));
    admin
        .users()
        .get(adminId)
        .roles()
        .clientLevel(realmManagement)
        .add(List.of(adminRole("realm-admin")));
    fixtures.createUser(user(PLAIN_USER));

    // the realm's config-admin: policy [openid *:**] on a confidential client_credentials client
    String policy = fixtures.createPolicy("reach-all-power", List.of("openid", "*:**"), null, null);
    String caller = fixtures.createClient(CALLER_ID, Fixtures.SECRET);
    fixtures.bind(caller, policy);
    Reply token = http.clientCredentials(realm, CALLER_ID, Fixtures.SECRET, "*:**");
    assertThat(token).as("config token of " + CALLER_ID).hasStatus(200);
    callerToken = token.json().get("access_token").asText();
  }

  @AfterAll
  static void tearDown() {
    if (realm != null) {
      http.admin("DELETE", "realms/" + realm, null);
    }
  }

  private static Map<String, Object> user(String username) {
    return Fixtures.user(username, PASSWORD, username + "@example.invalid", "Reach", username);
  }

  private static RoleRepresentation adminRole(String name) {
    return admin.clients().get(realmManagement).roles().get(name).toRepresentation();
  }

  // ---- the generator ----

  /** How a service account holds an admin role. */
  enum AccountRole {
    NONE,
    DIRECT,
    COMPOSITE,
    GROUP
  }

  /** How a scope mapping (of the client or of a client scope) names an admin role. */
  enum Mapping {
    NONE,
    ROLE,
    COMPOSITE
  }

  /** Whether the client has a client scope mapping an admin role, and how it is linked. */
  enum ScopeLink {
    NONE,
    DEFAULT,
    OPTIONAL
  }

  /** One client configuration. {@code role} is the realm-management role every power uses. */
  record Case(
      String label,
      String role,
      boolean serviceAccount,
      AccountRole accountRole,
      boolean defaultRoles,
      boolean fullScope,
      Mapping scopeMapping,
      ScopeLink clientScope,
      Mapping clientScopeMapping,
      boolean ownRole,
      boolean hardcodedRole,
      boolean code,
      boolean password,
      boolean device,
      boolean ciba) {

    boolean anyUserFlow() {
      return code || password || device || ciba;
    }

    @Override
    public String toString() {
      return label
          + "{role="
          + role
          + ", serviceAccount="
          + serviceAccount
          + (serviceAccount ? "/" + accountRole : "")
          + ", defaultRoles="
          + defaultRoles
          + ", fullScope="
          + fullScope
          + ", scopeMapping="
          + scopeMapping
          + ", clientScope="
          + clientScope
          + (clientScope == ScopeLink.NONE ? "" : "/" + clientScopeMapping)
          + ", ownCompositeRole="
          + ownRole
          + ", hardcodedRoleMapper="
          + hardcodedRole
          + ", flows="
          + (code ? "code " : "")
          + (password ? "password " : "")
          + (device ? "device " : "")
          + (ciba ? "ciba " : "")
          + "}";
    }
  }

  /** The example's switches that are on (the others are off). */
  enum On {
    SERVICE_ACCOUNT,
    DEFAULT_ROLES,
    FULL_SCOPE,
    CODE,
    DEVICE
  }

  /**
   * An example: no account role, scope mapping, own or hard-coded role, password or CIBA; a client
   * scope linked by {@code link} mapping {@code mapping}, and the switches {@code on}.
   */
  private static Case example(
      String label, String role, ScopeLink link, Mapping mapping, On... on) {
    Set<On> set = on.length == 0 ? EnumSet.noneOf(On.class) : EnumSet.copyOf(List.of(on));
    return new Case(
        label,
        role,
        set.contains(On.SERVICE_ACCOUNT),
        AccountRole.NONE,
        set.contains(On.DEFAULT_ROLES),
        set.contains(On.FULL_SCOPE),
        Mapping.NONE,
        link,
        mapping,
        false,
        false,
        set.contains(On.CODE),
        false,
        set.contains(On.DEVICE),
        false);
  }

  /** The examples of the issue, each a configuration today's main called unprivileged. */
  private static List<Case> examples() {
    return List.of(
        // default roles holding view-users, a full-scope service account client
        example(
            "example-default-roles",
            "view-users",
            ScopeLink.NONE,
            Mapping.NONE,
            On.SERVICE_ACCOUNT,
            On.DEFAULT_ROLES,
            On.FULL_SCOPE),
        // the device flow only, full scope: an admin approving a user code
        example(
            "example-device-full-scope",
            "realm-admin",
            ScopeLink.NONE,
            Mapping.NONE,
            On.DEVICE,
            On.FULL_SCOPE),
        // the device flow, full scope off, a default client scope mapping view-users
        example(
            "example-device-client-scope",
            "view-users",
            ScopeLink.DEFAULT,
            Mapping.ROLE,
            On.DEVICE),
        // the code flow, full scope off, an optional client scope mapping a composite
        example(
            "example-code-client-scope",
            "view-clients",
            ScopeLink.OPTIONAL,
            Mapping.COMPOSITE,
            On.CODE));
  }

  private static Case randomCase(int index, Random random) {
    // a quarter of the cases carry no power at all, so the served side is well exercised
    boolean clean = random.nextInt(4) == 0;
    double p = clean ? 0 : 0.3;
    boolean serviceAccount = random.nextBoolean();
    AccountRole accountRole =
        serviceAccount && chance(random, p)
            ? AccountRole.values()[1 + random.nextInt(3)]
            : AccountRole.NONE;
    ScopeLink link = chance(random, p) ? ScopeLink.values()[1 + random.nextInt(2)] : ScopeLink.NONE;
    return new Case(
        "case-" + index,
        ADMIN_ROLES.get(random.nextInt(ADMIN_ROLES.size())),
        serviceAccount,
        accountRole,
        chance(random, p / 2),
        chance(random, p),
        chance(random, p) ? Mapping.values()[1 + random.nextInt(2)] : Mapping.NONE,
        link,
        link == ScopeLink.NONE ? Mapping.NONE : Mapping.values()[1 + random.nextInt(2)],
        chance(random, p * 2 / 3),
        chance(random, p / 2),
        random.nextBoolean(),
        random.nextBoolean(),
        random.nextBoolean(),
        random.nextInt(4) == 0);
  }

  private static boolean chance(Random random, double p) {
    return random.nextDouble() < p;
  }

  // ---- the property ----

  /** What the run saw; printed at the end. */
  private static final class Tally {
    int served;
    int refused;
    int refusedWithoutAdminToken;
    int adminCalls;
    int cibaRequests;
    long buildNanos;
    long tokenNanos;
    long cleanUpNanos;
    final Map<String, AtomicInteger> minted = new TreeMap<>();
    final List<String> violations = new ArrayList<>();
    final List<String> mintFailures = new ArrayList<>();
    final List<String> refusedNotes = new ArrayList<>();

    void minted(String flow) {
      minted.computeIfAbsent(flow, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  @Test
  void aClientTheApiServesNeverYieldsATokenWithKeycloakAdminPower() throws Exception {
    long seed =
        Long.parseLong(
            System.getProperty(
                "reach.seed", Long.toString(ThreadLocalRandom.current().nextLong())));
    int count = Integer.parseInt(System.getProperty("reach.cases", "32"));
    System.out.printf(
        "KeycloakReachPropertyIT: seed %d, %d random cases (replay: -Dreach.seed=%d"
            + " -Dreach.cases=%d), realm %s%n",
        seed, count, seed, count, realm);
    Random random = new Random(seed);
    List<Case> cases = new ArrayList<>(examples());
    for (int i = 0; i < count; i++) {
      cases.add(randomCase(i, random));
    }

    long started = System.nanoTime();
    Tally tally = new Tally();
    for (Case c : cases) {
      run(c, tally, seed);
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    StringBuilder summary = new StringBuilder();
    summary.append(
        String.format(
            "KeycloakReachPropertyIT: seed %d, %d cases (%d examples + %d random) in %.1f s:"
                + " the config API served %d (called unprivileged), refused %d"
                + " (privileged_client), of which %d with no token found that calls the admin API;"
                + " tokens minted per flow %s; admin API calls tried %d; CIBA requests approved"
                + " on the test device: %d;"
                + " %d violations, %d mint failures; time: building %.1f s, asking and minting"
                + " and probing %.1f s, cleaning up %.1f s%n",
            seed,
            cases.size(),
            examples().size(),
            count,
            seconds,
            tally.served,
            tally.refused,
            tally.refusedWithoutAdminToken,
            tally.minted,
            tally.adminCalls,
            tally.cibaRequests,
            tally.violations.size(),
            tally.mintFailures.size(),
            tally.buildNanos / 1e9,
            tally.tokenNanos / 1e9,
            tally.cleanUpNanos / 1e9));
    tally.refusedNotes.forEach(
        n -> summary.append("  refused, no admin token: ").append(n).append('\n'));
    tally.mintFailures.forEach(f -> summary.append("  MINT FAILURE: ").append(f).append('\n'));
    tally.violations.forEach(v -> summary.append("  VIOLATION: ").append(v).append('\n'));
    System.out.print(summary);

    assertThat(tally.violations)
        .as(
            "a config token reached Keycloak admin power (seed %d, replay with -Dreach.seed=%d"
                + " -Dreach.cases=%d):%n%s",
            seed, seed, count, summary)
        .isEmpty();
    assertThat(tally.mintFailures)
        .as("every enabled flow mints a token (else the property checks nothing)")
        .isEmpty();
  }

  /** Builds the case's client, asks the API, and checks what its tokens reach. */
  private static void run(Case c, Tally tally, long seed) throws Exception {
    long start = System.nanoTime();
    Built built = build(c);
    long builtAt = System.nanoTime();
    tally.buildNanos += builtAt - start;
    try {
      Reply secret = configGet("config/clients/" + built.uuid + "/secret");
      boolean served = secret.status() == 200;
      if (served) {
        tally.served++;
      } else if (secret.status() == 403
          && "privileged_client".equals(secret.jsonOrEmpty().path("error").asText())) {
        tally.refused++;
      } else {
        // neither served nor refused as privileged: the property cannot judge the case
        tally.violations.add(
            String.format("seed %d %s: unexpected answer of the config API: %s", seed, c, secret));
        return;
      }
      boolean adminTokenFound = false;
      for (Flow flow : flows(c, built)) {
        if (!served && adminTokenFound) {
          break; // refused, and shown to be rightly so: no need for more tokens
        }
        if (flow.name().startsWith("ciba")) {
          tally.cibaRequests++;
        }
        String token = mint(c, flow, tally);
        if (token == null) {
          continue;
        }
        Map<String, Integer> probes = probe(token, tally);
        List<String> adminRoles = adminRolesIn(token);
        boolean power = probes.containsValue(200);
        adminTokenFound |= power;
        if (served && (power || !adminRoles.isEmpty())) {
          JsonNode claims = TestClient.claims(token);
          tally.violations.add(
              String.format(
                  "seed %d %s: the API served it (GET secret 200), yet a %s token %s;"
                      + " admin API answers %s; token roles: realm_access %s, resource_access %s",
                  seed,
                  c,
                  flow.name(),
                  power
                      ? "calls Keycloak's admin REST API"
                      : "carries realm-management roles " + adminRoles,
                  probes,
                  claims.path("realm_access").path("roles"),
                  claims.path("resource_access")));
        }
      }
      if (!served && !adminTokenFound) {
        tally.refusedWithoutAdminToken++;
        tally.refusedNotes.add(c.toString());
      }
    } finally {
      long tokens = System.nanoTime();
      tally.tokenNanos += tokens - builtAt;
      built.cleanUp();
      tally.cleanUpNanos += System.nanoTime() - tokens;
    }
  }

  /** {@code GET /realms/{realm}/{path}} with the realm's all-power config token. */
  private static Reply configGet(String path) {
    return http.send(
        HttpRequest.newBuilder(URI.create(http.realmUrl(realm) + "/" + path))
            .header("Authorization", "Bearer " + callerToken)
            .GET());
  }

  // ---- building a case in Keycloak ----

  /** A case's client and what was created for it (removed again by {@link #cleanUp}). */
  private static final class Built {
    String clientId;
    String uuid;
    String scopeName;
    final List<Runnable> undo = new ArrayList<>();

    void cleanUp() {
      for (int i = undo.size() - 1; i >= 0; i--) {
        try {
          undo.get(i).run();
        } catch (RuntimeException e) {
          System.out.println("KeycloakReachPropertyIT: clean-up step failed: " + e);
        }
      }
    }
  }

  private static Built build(Case c) {
    Built built = new Built();
    built.clientId = Fixtures.unique("reach-" + c.label());
    Map<String, Object> rep = new LinkedHashMap<>();
    rep.put("clientId", built.clientId);
    rep.put("enabled", true);
    rep.put("publicClient", false);
    rep.put("secret", Fixtures.SECRET);
    rep.put("serviceAccountsEnabled", c.serviceAccount());
    rep.put("standardFlowEnabled", c.code());
    rep.put("implicitFlowEnabled", false);
    rep.put("directAccessGrantsEnabled", c.password());
    rep.put("fullScopeAllowed", c.fullScope());
    rep.put("redirectUris", List.of(REDIRECT_URI));
    rep.put(
        "attributes",
        Map.of(
            "oauth2.device.authorization.grant.enabled", Boolean.toString(c.device()),
            "oidc.ciba.grant.enabled", Boolean.toString(c.ciba()),
            "ciba.backchannel.token.delivery.mode", "poll"));
    Fixtures fixtures = new Fixtures(http, realm);
    built.uuid = fixtures.createClientRepresentation(rep);
    built.undo.add(() -> admin.clients().get(built.uuid).remove());
    ClientResource client = admin.clients().get(built.uuid);
    RoleRepresentation role = adminRole(c.role());

    // the service account's roles
    if (c.serviceAccount() && c.accountRole() != AccountRole.NONE) {
      String account = client.getServiceAccountUser().getId();
      switch (c.accountRole()) {
        case DIRECT ->
            admin.users().get(account).roles().clientLevel(realmManagement).add(List.of(role));
        case COMPOSITE ->
            admin.users().get(account).roles().realmLevel().add(List.of(composite(c, role, built)));
        case GROUP -> {
          GroupRepresentation group = new GroupRepresentation();
          group.setName(Fixtures.unique("reach-group"));
          String groupId = created(admin.groups().add(group));
          built.undo.add(() -> admin.groups().group(groupId).remove());
          admin
              .groups()
              .group(groupId)
              .roles()
              .realmLevel()
              .add(List.of(composite(c, role, built)));
          admin.users().get(account).joinGroup(groupId);
        }
        case NONE -> {}
      }
    }
    if (c.defaultRoles()) {
      String name = admin.toRepresentation().getDefaultRole().getName();
      admin.roles().get(name).addComposites(List.of(role));
      built.undo.add(() -> admin.roles().get(name).deleteComposites(List.of(role)));
    }

    // the client's scope
    switch (c.scopeMapping()) {
      case ROLE -> client.getScopeMappings().clientLevel(realmManagement).add(List.of(role));
      case COMPOSITE ->
          client.getScopeMappings().realmLevel().add(List.of(composite(c, role, built)));
      case NONE -> {}
    }
    if (c.clientScope() != ScopeLink.NONE) {
      built.scopeName = Fixtures.unique("reach-scope");
      String scopeId =
          fixtures.createClientScope(
              Map.of(
                  "name",
                  built.scopeName,
                  "protocol",
                  "openid-connect",
                  "attributes",
                  Map.of("include.in.token.scope", "true", "display.on.consent.screen", "true")));
      // removing the client first unlinks the scope; undo runs in reverse order
      built.undo.add(0, () -> admin.clientScopes().get(scopeId).remove());
      if (c.clientScopeMapping() == Mapping.ROLE) {
        admin
            .clientScopes()
            .get(scopeId)
            .getScopeMappings()
            .clientLevel(realmManagement)
            .add(List.of(role));
      } else {
        admin
            .clientScopes()
            .get(scopeId)
            .getScopeMappings()
            .realmLevel()
            .add(List.of(composite(c, role, built)));
      }
      if (c.clientScope() == ScopeLink.DEFAULT) {
        client.addDefaultClientScope(scopeId);
      } else {
        client.addOptionalClientScope(scopeId);
      }
    }
    if (c.ownRole()) {
      client.roles().create(new RoleRepresentation("reach-own", null, false));
      client.roles().get("reach-own").addComposites(List.of(role));
    }
    if (c.hardcodedRole()) {
      // Keycloak's hard-coded role mapper: the role goes into every token's resolved roles
      ProtocolMapperRepresentation mapper = new ProtocolMapperRepresentation();
      mapper.setName("reach-hardcoded");
      mapper.setProtocol("openid-connect");
      mapper.setProtocolMapper("oidc-hardcoded-role-mapper");
      mapper.setConfig(Map.of("role", "realm-management." + c.role()));
      client.getProtocolMappers().createMapper(mapper).close();
    }

    fixtures.handOver(built.uuid);
    return built;
  }

  /** A realm role of its own (removed with the case) that is a composite of {@code role}. */
  private static RoleRepresentation composite(Case c, RoleRepresentation role, Built built) {
    String name = Fixtures.unique("reach-composite-" + c.label());
    admin.roles().create(new RoleRepresentation(name, null, false));
    built.undo.add(0, () -> admin.roles().deleteRole(name));
    admin.roles().get(name).addComposites(List.of(role));
    return admin.roles().get(name).toRepresentation();
  }

  private static String created(Response response) {
    try (response) {
      assertThat(response.getStatus()).as("created").isEqualTo(201);
      return CreatedResponseUtil.getCreatedId(response);
    }
  }

  // ---- minting real tokens ----

  /** One way to a token: a flow's name and the request(s) that mint it. */
  private record Flow(String name, Callable<Reply> mint) {}

  /**
   * Every enabled flow of the case, cheapest first: the service account, the password grant (the
   * admin user, a plain user), CIBA, the code flow and the device flow (admin user).
   */
  private static List<Flow> flows(Case c, Built built) {
    String scope = built.scopeName == null ? "openid" : "openid " + built.scopeName;
    List<Flow> flows = new ArrayList<>();
    if (c.serviceAccount()) {
      flows.add(
          new Flow(
              "client_credentials",
              () -> http.clientCredentials(realm, built.clientId, Fixtures.SECRET, scope)));
    }
    if (c.password()) {
      flows.add(new Flow("password(admin)", () -> password(built, ADMIN_USER, scope)));
      flows.add(new Flow("password(user)", () -> password(built, PLAIN_USER, scope)));
    }
    if (c.ciba()) {
      flows.add(new Flow("ciba(admin)", () -> ciba(built, scope)));
    }
    if (c.code()) {
      flows.add(
          new Flow(
              "code(admin)",
              () -> {
                BrowserLogin browser = new BrowserLogin(http);
                BrowserLogin.Redirect redirect =
                    browser.authorize(
                        realm, built.clientId, REDIRECT_URI, scope, ADMIN_USER, PASSWORD);
                if (redirect.param("code") == null) {
                  return Reply.none("redirected without a code: " + redirect.location());
                }
                return browser.exchange(
                    realm, built.clientId, REDIRECT_URI, redirect, Fixtures.SECRET);
              }));
    }
    if (c.device()) {
      flows.add(new Flow("device(admin)", () -> device(built, scope)));
    }
    return flows;
  }

  /** The flow's access token, or null (recorded as a mint failure) when it gave none. */
  private static @Nullable String mint(Case c, Flow flow, Tally tally) {
    Reply reply;
    try {
      reply = flow.mint().call();
    } catch (Exception | AssertionError e) {
      tally.mintFailures.add(c + " " + flow.name() + ": " + e);
      return null;
    }
    if (reply.status() != 200) {
      tally.mintFailures.add(c + " " + flow.name() + ": " + reply);
      return null;
    }
    tally.minted(flow.name().replaceAll("\\(.*", ""));
    return reply.json().get("access_token").asText();
  }

  private static Reply password(Built built, String username, String scope) {
    return http.token(
        realm,
        TestClient.form(
            "grant_type",
            "password",
            "client_id",
            built.clientId,
            "client_secret",
            Fixtures.SECRET,
            "username",
            username,
            "password",
            PASSWORD,
            "scope",
            scope));
  }

  /** CIBA for the admin user, approved on the test device ({@link Flows#ciba}). */
  private static Reply ciba(Built built, String scope) throws Exception {
    return Flows.ciba(
            http, new Flows.Client(realm, built.clientId, Fixtures.SECRET), ADMIN_USER, scope)
        .last();
  }

  /** The device authorization grant for the admin user ({@link Flows#device}). */
  private static Reply device(Built built, String scope) throws Exception {
    return Flows.device(
            http,
            new Flows.Client(realm, built.clientId, Fixtures.SECRET),
            ADMIN_USER,
            PASSWORD,
            scope)
        .last();
  }

  // ---- what a token reaches ----

  /** The status of each admin REST call with the token. */
  private static Map<String, Integer> probe(String token, Tally tally) {
    Map<String, Integer> statuses = new LinkedHashMap<>();
    for (String path :
        List.of(
            "realms/" + realm + "/users?max=1", "realms/" + realm + "/clients?max=1", "realms")) {
      Reply reply =
          http.send(
              HttpRequest.newBuilder(URI.create(http.baseUrl() + "/admin/" + path))
                  .header("Authorization", "Bearer " + token)
                  .GET());
      tally.adminCalls++;
      statuses.put(path, reply.status());
    }
    return statuses;
  }

  /** The realm-management roles a token carries. */
  private static List<String> adminRolesIn(String token) {
    List<String> roles = new ArrayList<>();
    TestClient.claims(token)
        .path("resource_access")
        .path("realm-management")
        .path("roles")
        .forEach(r -> roles.add(r.asText()));
    return roles;
  }

  // ---- the master realm ----

  @Test
  void theMasterRealmsConfigApiDoesNotHandOutAFullScopeSignInClientsSecret() {
    Fixtures master = new Fixtures(http, "master");
    RealmResource masterAdmin = master.realm();
    List<Runnable> undo = new ArrayList<>();
    try {
      String policy =
          master.createPolicy(
              Fixtures.unique("reach-master-policy"), List.of("openid", "*:**"), null, null);
      undo.add(() -> masterAdmin.clientScopes().get(policy).remove());
      String callerId = Fixtures.unique("reach-master-caller");
      String caller = master.createClient(callerId, Fixtures.SECRET);
      undo.add(0, () -> masterAdmin.clients().get(caller).remove());
      master.bind(caller, policy);
      // a sign-in client as the console creates it: full scope, code and password flows
      String targetId = Fixtures.unique("reach-master-app");
      String target =
          master.createClientRepresentation(
              Fixtures.confidentialClient(
                  targetId,
                  Fixtures.SECRET,
                  "standardFlowEnabled",
                  true,
                  "directAccessGrantsEnabled",
                  true,
                  "fullScopeAllowed",
                  true,
                  "redirectUris",
                  List.of(REDIRECT_URI)));
      undo.add(0, () -> masterAdmin.clients().get(target).remove());
      master.handOver(target);

      Reply token =
          http.token(
              "master",
              TestClient.form(
                  "grant_type",
                  "client_credentials",
                  "client_id",
                  callerId,
                  "client_secret",
                  Fixtures.SECRET,
                  "scope",
                  "*:**"));
      System.out.println(
          "KeycloakReachPropertyIT master: config token request answered " + token.status());
      if (token.status() != 200) {
        return; // no config token in master at all: refused before the API
      }
      String configToken = token.json().get("access_token").asText();
      Reply secret =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(http.realmUrl("master") + "/config/clients/" + target + "/secret"))
                  .header("Authorization", "Bearer " + configToken)
                  .GET());
      System.out.println(
          "KeycloakReachPropertyIT master: GET config/clients/{id}/secret answered " + secret);
      if (secret.status() == 200) {
        // what the secret gives: the master admin's token through that client
        Reply login =
            http.token(
                "master",
                TestClient.form(
                    "grant_type", "password",
                    "client_id", targetId,
                    "client_secret", secret.json().path("secret").asText(),
                    "username", "admin",
                    "password", "admin"));
        if (login.status() == 200) {
          Reply realms =
              http.send(
                  HttpRequest.newBuilder(URI.create(http.baseUrl() + "/admin/realms"))
                      .header(
                          "Authorization", "Bearer " + login.json().get("access_token").asText())
                      .GET());
          System.out.println(
              "KeycloakReachPropertyIT master: the master admin's token through "
                  + targetId
                  + " lists realms: GET /admin/realms answered "
                  + realms.status());
        }
      }
      assertThat(secret)
          .as("the master realm's config API hands out a full-scope sign-in client's secret")
          .doesNotHaveStatus(200);
      assertThat(secret.body()).doesNotContain(Fixtures.SECRET);
    } finally {
      for (Runnable step : undo) {
        try {
          step.run();
        } catch (RuntimeException e) {
          System.out.println("KeycloakReachPropertyIT: master clean-up step failed: " + e);
        }
      }
    }
  }
}
