package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.access.Route.Gate;
import io.github.policyscopes.access.Route.Target;
import io.github.policyscopes.scope.Access;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The route table: every route has its decision written out here ({@link #EXPECTED}; a route added
 * to the table without a line here fails), and each decision is the one {@link ScopeSet#decide}
 * takes with {@link RequestAccess}: the route's required scope lets it through, read where write is
 * needed does not, and a deny of the route's own path refuses.
 */
class RoutesTest {

  /** Every route, with the scope that lets {@code METHOD template} on id {@code c1} through. */
  private static final Map<String, String> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("GET config/tokenPolicies", ".:config/tokenPolicies");
    EXPECTED.put("HEAD config/tokenPolicies", ".:config/tokenPolicies");
    EXPECTED.put("POST config/tokenPolicies", "*:config/tokenPolicies");
    EXPECTED.put("GET config/tokenPolicies/{id}", ".:config/tokenPolicies/c1");
    EXPECTED.put("HEAD config/tokenPolicies/{id}", ".:config/tokenPolicies/c1");
    EXPECTED.put("PUT config/tokenPolicies/{id}", "*:config/tokenPolicies/c1");
    EXPECTED.put("DELETE config/tokenPolicies/{id}", "*:config/tokenPolicies/c1");
    EXPECTED.put("GET config/clients", ".:config/clients");
    EXPECTED.put("HEAD config/clients", ".:config/clients");
    EXPECTED.put("POST config/clients", "*:config/clients");
    EXPECTED.put("GET config/clients/{id}", ".:config/clients/c1");
    EXPECTED.put("HEAD config/clients/{id}", ".:config/clients/c1");
    EXPECTED.put("PUT config/clients/{id}", "*:config/clients/c1");
    EXPECTED.put("DELETE config/clients/{id}", "*:config/clients/c1");
    // a secret is a credential: reading it needs write
    EXPECTED.put("GET config/clients/{id}/secret", "*:config/clients/c1/secret");
    EXPECTED.put("POST config/clients/{id}/secret", "*:config/clients/c1/secret");
    // the dry run is reading its client
    EXPECTED.put("POST config/clients/{id}/evaluate", ".:config/clients/c1");
    EXPECTED.put("GET config/whoami", "any valid token");
    EXPECTED.put("GET config/openapi.json", "no token");
  }

  static Stream<Route> routes() {
    return Routes.ALL.stream();
  }

  static Stream<Route> scoped() {
    return routes().filter(r -> r.gate() == Gate.SCOPE);
  }

  private static String example(Route route) {
    return route.template().replace(Routes.ID, "c1");
  }

  @Test
  void everyRouteHasItsDecisionWrittenOut() {
    assertThat(routes().map(r -> r.method() + " " + r.template()))
        .containsExactlyElementsOf(EXPECTED.keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void theRequiredScopeIsTheOneWrittenOut(Route route) {
    String required = route.requiredScope(example(route));
    String expected = EXPECTED.get(route.method() + " " + route.template());
    if (route.gate() == Gate.SCOPE) {
      assertThat(required).isEqualTo(expected);
    } else {
      assertThat(required).isNull();
      assertThat(expected).isEqualTo(route.gate() == Gate.TOKEN ? "any valid token" : "no token");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scoped")
  void theRequiredScopeAllowsAndNothingLessDoes(Route route) {
    String path = example(route);
    String method = route.decidedMethod(route.method());
    String decided = route.decidedPath(path);
    String required = route.requiredScope(path);
    assertThat(ScopeSet.parse(required).decide(method, decided).allowed()).isTrue();
    // RequestAccess, which every decision uses, needs exactly the route's access
    assertThat(RequestAccess.required(method, decided)).isEqualTo(route.access());
    assertThat(ScopeSet.parse(".:" + decided).decide(method, decided).allowed())
        .isEqualTo(route.access() == Access.READ);
    assertThat(ScopeSet.parse("*:config/other").decide(method, decided).allowed()).isFalse();
    // deny wins, on the route's own path too (the dry run: a deny of the evaluate path)
    Decision denied = ScopeSet.parse("*:** -:" + path).decide(route.method(), path);
    assertThat(denied).isInstanceOf(Decision.Denied.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void aRouteMatchesItsOwnRequestsOnly(Route route) {
    String path = example(route);
    assertThat(Routes.match(route.method(), path)).isSameAs(route);
    assertThat(Routes.match(route.method(), path + "/x")).isNotSameAs(route);
    assertThat(Routes.match("PATCH", path)).isNull();
    assertThat(route.tag()).doesNotStartWith("config/").doesNotContain("c1");
  }

  @ParameterizedTest(name = "{0} {1} → {2}")
  @CsvSource(
      nullValues = "none",
      value = {
        "GET, config/clients/abc/secret, GET config/clients/{id}/secret",
        "GET, config/clients//secret, none",
        "GET, config/clients/abc/secret/x, none",
        "POST, config/clients/abc/evaluate, POST config/clients/{id}/evaluate",
        "GET, config/clients/abc/evaluate, none",
        "PATCH, config/clients/abc, none",
        "GET, config/nothing/here, none",
        "GET, config, none",
        "get, config/clients, none",
      })
  void matching(String method, String path, String expected) {
    Route route = Routes.match(method, path);
    assertThat(route == null ? null : route.method() + " " + route.template()).isEqualTo(expected);
  }

  @Test
  void allowNamesTheMethodsOfATemplate() {
    assertThat(Routes.allow(Routes.collectionTemplate(ApiLayout.CLIENTS)))
        .isEqualTo("GET, HEAD, POST, OPTIONS");
    assertThat(Routes.allow(Routes.memberTemplate(ApiLayout.TOKEN_POLICIES)))
        .isEqualTo("GET, HEAD, PUT, DELETE, OPTIONS");
    assertThat(Routes.tag(Routes.memberTemplate(ApiLayout.CLIENTS))).isEqualTo("clients/{id}");
    assertThat(Routes.EVALUATE.tag()).isEqualTo("clients/{id}/evaluate");
    assertThatThrownBy(() -> Routes.allow("config/nothing"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The names the linter knows (ApiLayout) are the table's: its collections, what is below a
   * client.
   */
  @Test
  void theLayoutNamesAreTheTables() {
    Set<String> collections = new java.util.TreeSet<>();
    Set<String> belowClient = new java.util.TreeSet<>();
    String client = Routes.memberTemplate(ApiLayout.CLIENTS) + "/";
    for (String template : Routes.TEMPLATES) {
      List<String> segments = List.of(template.split("/"));
      if (segments.size() >= 3 && segments.get(2).equals(Routes.ID)) {
        collections.add(segments.get(1));
      }
      if (template.startsWith(client)) {
        belowClient.add(template.substring(client.length()));
      }
    }
    assertThat(collections).containsExactlyInAnyOrderElementsOf(ApiLayout.COLLECTIONS);
    assertThat(belowClient).containsExactlyInAnyOrderElementsOf(ApiLayout.CLIENT_RESOURCES);
  }

  @Test
  void aDeclarationThatCannotBeDecidedIsRefused() {
    assertThatThrownBy(
            () -> new Route("GET", "config/x", Gate.SCOPE, null, Target.SELF, Set.of(), "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Route("GET", "config/x", Gate.TOKEN, Access.READ, Target.SELF, Set.of(), "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
