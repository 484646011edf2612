package io.github.policyscopes.bench;

import io.github.policyscopes.access.RequestAccess;
import io.github.policyscopes.access.ScopeSet;
import io.github.policyscopes.scope.Access;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The SPEC §2 decision for a realistic 20-scope token and 16 realistic requests: one operation
 * answers "is this request allowed?" for all 16 requests. The same rules in every variant: a deny
 * matching the path or an ancestor refuses; else a grant with enough access matching the path
 * allows; required access from {@link RequestAccess}. Patterns are compiled once in setup for every
 * variant. Ours additionally checks that the path is canonical (Spring's variants do not).
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

  // ours
  ScopeSet scopes;

  // the same logic on Spring's AntPathMatcher
  final AntPathMatcher ant = new AntPathMatcher();
  String[] antDenies;
  String[] antDenyDescendants;
  String[] antGrants;
  Access[] antGrantAccess;

  // the same logic on Spring's PathPattern
  PathPattern[] ppDenies;
  PathPattern[] ppDenyDescendants;
  PathPattern[] ppGrants;
  Access[] ppGrantAccess;

  String[] methods;
  String[] paths;
  String[] slashPaths;
  PathContainer[] containers;

  @Setup
  public void setup() {
    scopes = ScopeSet.of(List.of(TOKEN));
    List<String> denies = new ArrayList<>();
    List<String> grants = new ArrayList<>();
    List<Access> access = new ArrayList<>();
    for (String s : TOKEN) {
      String pattern = s.substring(2);
      if (s.charAt(0) == '-') {
        denies.add(pattern);
      } else {
        grants.add(pattern);
        access.add(Access.ofSymbol(s.charAt(0)));
      }
    }
    antDenies = denies.toArray(new String[0]);
    antDenyDescendants = denies.stream().map(d -> d + "/**").toArray(String[]::new);
    antGrants = grants.toArray(new String[0]);
    antGrantAccess = access.toArray(new Access[0]);

    PathPatternParser parser = new PathPatternParser();
    ppDenies = denies.stream().map(d -> parser.parse("/" + d)).toArray(PathPattern[]::new);
    ppDenyDescendants =
        denies.stream().map(d -> parser.parse("/" + d + "/**")).toArray(PathPattern[]::new);
    ppGrants = grants.stream().map(g -> parser.parse("/" + g)).toArray(PathPattern[]::new);
    ppGrantAccess = antGrantAccess;

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
    // the three implementations must agree, or the comparison is meaningless
    for (int i = 0; i < REQUESTS.length; i++) {
      boolean a = scopes.decide(methods[i], paths[i]).allowed();
      boolean b = antAllowed(methods[i], paths[i]);
      boolean c = pathPatternAllowed(methods[i], PathContainer.parsePath(slashPaths[i]));
      if (a != b || a != c) {
        throw new IllegalStateException(
            "implementations disagree on " + methods[i] + " " + paths[i] + ": " + a + b + c);
      }
    }
  }

  boolean antAllowed(String method, String path) {
    for (int k = 0; k < antDenies.length; k++) {
      if (ant.match(antDenies[k], path) || ant.match(antDenyDescendants[k], path)) {
        return false;
      }
    }
    Access required = RequestAccess.required(method, path);
    for (int k = 0; k < antGrants.length; k++) {
      if (antGrantAccess[k].includes(required) && ant.match(antGrants[k], path)) {
        return true;
      }
    }
    return false;
  }

  boolean pathPatternAllowed(String method, PathContainer path) {
    for (int k = 0; k < ppDenies.length; k++) {
      if (ppDenies[k].matches(path) || ppDenyDescendants[k].matches(path)) {
        return false;
      }
    }
    Access required = RequestAccess.required(method, path.value().substring(1));
    for (int k = 0; k < ppGrants.length; k++) {
      if (ppGrantAccess[k].includes(required) && ppGrants[k].matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** Ours: {@code ScopeSet.decide(...).allowed()} (includes the canonical-path check). */
  @Benchmark
  public int ours() {
    int allowed = 0;
    for (int i = 0; i < paths.length; i++) {
      if (scopes.decide(methods[i], paths[i]).allowed()) {
        allowed++;
      }
    }
    return allowed;
  }

  /** Spring AntPathMatcher.match, denies checked on the pattern and on pattern + "/**". */
  @Benchmark
  public int springAntPathMatcher() {
    int allowed = 0;
    for (int i = 0; i < paths.length; i++) {
      if (antAllowed(methods[i], paths[i])) {
        allowed++;
      }
    }
    return allowed;
  }

  /**
   * Spring PathPattern, patterns pre-parsed; the request path is parsed with {@code
   * PathContainer.parsePath} per request, as a server does once per request.
   */
  @Benchmark
  public int springPathPattern() {
    int allowed = 0;
    for (int i = 0; i < paths.length; i++) {
      if (pathPatternAllowed(methods[i], PathContainer.parsePath(slashPaths[i]))) {
        allowed++;
      }
    }
    return allowed;
  }

  /** Spring PathPattern with the request paths pre-parsed too (matching cost only). */
  @Benchmark
  public int springPathPatternPreparsed() {
    int allowed = 0;
    for (int i = 0; i < paths.length; i++) {
      if (pathPatternAllowed(methods[i], containers[i])) {
        allowed++;
      }
    }
    return allowed;
  }
}
