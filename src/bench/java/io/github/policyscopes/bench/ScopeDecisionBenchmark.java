package io.github.policyscopes.bench;

import io.github.policyscopes.access.RequestAccess;
import io.github.policyscopes.access.RequestPaths;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.keycloak.rest.CallerScopes;
import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.scope.Access;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.http.server.PathContainer;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The config API's per-request decision as the server really makes it ({@code BearerGuard}): from
 * the bearer token's {@code scope} claim (a realistic 20-scope token, one space-separated string)
 * and the raw request path to allowed/refused. One operation answers 16 realistic requests. Every
 * variant does the same job the same way:
 *
 * <ul>
 *   <li>the token's scope claim is compiled once per distinct claim and looked up per request
 *       (ours: {@link CallerScopes}, the server's own Caffeine cache, which also narrows the grants
 *       to the client's current policy; Spring's: a map from the claim to its compiled patterns);
 *   <li>a deny matching the path or an ancestor refuses; else a grant with enough access matching
 *       the path allows; the required access is {@link RequestAccess#required};
 *   <li>ours also checks that the raw path is canonical ({@link RequestPaths#validate}), as the
 *       server does before deciding; Spring's variants do not.
 * </ul>
 *
 * {@code oursUncached} is what the server did before the cache: parse the claim per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScopeDecisionBenchmark {

  static final String[] TOKEN = {
    "*:config/tokenPolicies/**",
    ".:config/clients/*",
    ".:config/clients",
    "*:config/clients/app-*",
    "*:config/clients/svc-*/secret",
    ".:config/whoami",
    ".:config/openapi.json",
    "*:config/realms/*/groups/**",
    ".:config/realms/*/users/*",
    "*:config/events/**",
    ".:config/audit/*/entries",
    "*:config/roles/team-*",
    ".:config/roles",
    "*:config/flows/browser*",
    "-:config/clients/abc/secret",
    "-:config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350",
    "-:config/clients/admin-cli",
    "-:config/realms/master",
    "-:config/events/admin",
    "-:config/roles/team-root",
  };

  static final String[][] REQUESTS = {
    {"GET", "config/tokenPolicies"},
    {"GET", "config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350"},
    {"PUT", "config/tokenPolicies/1f0e7c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},
    {"GET", "config/clients"},
    {"GET", "config/clients/abc"},
    {"GET", "config/clients/abc/secret"},
    {"POST", "config/clients/svc-billing/secret"},
    {"GET", "config/clients/web-app/secret"},
    {"DELETE", "config/clients/app-portal"},
    {"GET", "config/clients/admin-cli"},
    {"GET", "config/whoami"},
    {"GET", "config/realms/demo/groups/g1/members"},
    {"GET", "config/realms/master/groups/g1"},
    {"PUT", "config/realms/demo/users/u1"},
    {"POST", "config/events/admin/purge"},
    {"GET", "config/audit/2025/entries"},
  };

  /** The token's {@code scope} claim, as the access token carries it. */
  static final String CLAIM = String.join(" ", TOKEN);

  /** The token's client's current policy: the demo's configuration policy, which covers it. */
  static final EffectivePolicy POLICY =
      EffectivePolicy.of(
          List.of("openid", "*:**", "-:config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350"),
          DisallowedScopesMode.IGNORE,
          null);

  /**
   * A scope claim's patterns compiled for Spring's matchers: arrays for the hot loops, never
   * compared nor hashed.
   */
  @SuppressWarnings("ArrayRecordComponent")
  record SpringCompiled(
      String[] antDenies,
      String[] antDenyDescendants,
      String[] antGrants,
      Access[] grantAccess,
      PathPattern[] ppDenies,
      PathPattern[] ppDenyDescendants,
      PathPattern[] ppGrants) {

    static SpringCompiled of(String claim) {
      List<String> denies = new ArrayList<>();
      List<String> grants = new ArrayList<>();
      List<Access> access = new ArrayList<>();
      for (String s : claim.split(" ", -1)) {
        if (s.length() < 2 || s.charAt(1) != ':') {
          continue; // plain scope
        }
        String pattern = s.substring(2);
        if (s.charAt(0) == '-') {
          denies.add(pattern);
        } else {
          grants.add(pattern);
          access.add(Access.ofSymbol(s.charAt(0)));
        }
      }
      PathPatternParser parser = new PathPatternParser();
      return new SpringCompiled(
          denies.toArray(new String[0]),
          denies.stream().map(d -> d + "/**").toArray(String[]::new),
          grants.toArray(new String[0]),
          access.toArray(new Access[0]),
          denies.stream().map(d -> parser.parse("/" + d)).toArray(PathPattern[]::new),
          denies.stream().map(d -> parser.parse("/" + d + "/**")).toArray(PathPattern[]::new),
          grants.stream().map(g -> parser.parse("/" + g)).toArray(PathPattern[]::new));
    }
  }

  /** Spring's variants cache compiled claims the way ours does: one entry per distinct claim. */
  final Map<String, SpringCompiled> springCache = new ConcurrentHashMap<>();

  final AntPathMatcher ant = new AntPathMatcher();

  String[] methods;
  String[] paths;
  String[] slashPaths;
  PathContainer[] containers;

  @Setup
  public void setup() {
    methods = new String[REQUESTS.length];
    paths = new String[REQUESTS.length];
    slashPaths = new String[REQUESTS.length];
    containers = new PathContainer[REQUESTS.length];
    for (int i = 0; i < REQUESTS.length; i++) {
      methods[i] = REQUESTS[i][0];
      paths[i] = REQUESTS[i][1];
      slashPaths[i] = "/" + REQUESTS[i][1];
      containers[i] = PathContainer.parsePath(slashPaths[i]);
    }
    // the implementations must agree, or the comparison is meaningless
    for (int i = 0; i < REQUESTS.length; i++) {
      boolean a = oursAllowed(CLAIM, methods[i], paths[i]);
      boolean b = antAllowed(CLAIM, methods[i], paths[i]);
      boolean c = pathPatternAllowed(CLAIM, methods[i], PathContainer.parsePath(slashPaths[i]));
      boolean d = ScopeSet.parse(CLAIM).decide(methods[i], paths[i]).allowed();
      if (a != b || a != c || a != d) {
        throw new IllegalStateException(
            "implementations disagree on " + methods[i] + " " + paths[i] + ": " + a + b + c + d);
      }
    }
  }

  /** What BearerGuard does per request, after Keycloak verified the token. */
  static boolean oursAllowed(String claim, String method, String rawPath) {
    String path = RequestPaths.validate(rawPath);
    ScopeSet effective = CallerScopes.effective(claim, POLICY);
    CallerScopes.token(claim); // the claim as issued, kept for explanations
    return effective.decide(method, path).allowed();
  }

  boolean antAllowed(String claim, String method, String path) {
    SpringCompiled c = springCache.computeIfAbsent(claim, SpringCompiled::of);
    for (int k = 0; k < c.antDenies.length; k++) {
      if (ant.match(c.antDenies[k], path) || ant.match(c.antDenyDescendants[k], path)) {
        return false;
      }
    }
    Access required = RequestAccess.required(method, path);
    for (int k = 0; k < c.antGrants.length; k++) {
      if (c.grantAccess[k].includes(required) && ant.match(c.antGrants[k], path)) {
        return true;
      }
    }
    return false;
  }

  boolean pathPatternAllowed(String claim, String method, PathContainer path) {
    SpringCompiled c = springCache.computeIfAbsent(claim, SpringCompiled::of);
    for (int k = 0; k < c.ppDenies.length; k++) {
      if (c.ppDenies[k].matches(path) || c.ppDenyDescendants[k].matches(path)) {
        return false;
      }
    }
    Access required = RequestAccess.required(method, path.value().substring(1));
    for (int k = 0; k < c.ppGrants.length; k++) {
      if (c.grantAccess[k].includes(required) && c.ppGrants[k].matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** Ours, the server's path: cached claim, canonical-path check, decision. */
  @Benchmark
  public int ours() {
    return count(i -> oursAllowed(CLAIM, methods[i], paths[i]));
  }

  /** Ours as the server did before the cache: the claim parsed per request. */
  @Benchmark
  public int oursUncached() {
    return count(
        i -> ScopeSet.parse(CLAIM).decide(methods[i], RequestPaths.validate(paths[i])).allowed());
  }

  /** Spring AntPathMatcher.match, denies checked on the pattern and on pattern + "/**". */
  @Benchmark
  public int springAntPathMatcher() {
    return count(i -> antAllowed(CLAIM, methods[i], paths[i]));
  }

  /**
   * Spring PathPattern; the request path is parsed with {@code PathContainer.parsePath} per
   * request, as a Spring server does once per request.
   */
  @Benchmark
  public int springPathPattern() {
    return count(
        i -> pathPatternAllowed(CLAIM, methods[i], PathContainer.parsePath(slashPaths[i])));
  }

  /** Spring PathPattern with the request paths pre-parsed too (matching cost only). */
  @Benchmark
  public int springPathPatternPreparsed() {
    return count(i -> pathPatternAllowed(CLAIM, methods[i], containers[i]));
  }

  /**
   * How many of the requests (by index) {@code allowed} lets through: the loop every benchmark
   * shares. JMH forks a JVM per benchmark, so each fork sees one predicate and inlines it.
   */
  private int count(IntPredicate allowed) {
    int n = 0;
    for (int i = 0; i < paths.length; i++) {
      if (allowed.test(i)) {
        n++;
      }
    }
    return n;
  }
}
