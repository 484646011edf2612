package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PlainScope;
import io.github.policyscopes.scope.Scopes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScopeSetTest {

  private static final String ID = "8cdb3f99-ceee-403d-a01d-daf392e18350";

  @ParameterizedTest(name = "[{0}] {1} {2} → {3} ({4})")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # token scopes                                  | method | path                                   | allowed | reason
          *:**                                             | GET    | config/clients                         | true  | allowed by *:**
          *:**                                             | DELETE | config/clients/abc                     | true  | allowed by *:**
          .:**                                             | GET    | config/tokenPolicies                   | true  | allowed by .:**
          .:**                                             | HEAD   | config/tokenPolicies                   | true  | allowed by .:**
          .:**                                             | POST   | config/tokenPolicies                   | false | no scope grants write on config/tokenPolicies
          .:**                                             | PUT    | config/clients/abc                     | false | no scope grants write on config/clients/abc
          .:**                                             | get    | config/clients                         | false | no scope grants write on config/clients
          # a secret is a credential: reading it needs write
          .:**                                             | GET    | config/clients/abc/secret              | false | no scope grants write on config/clients/abc/secret
          *:config/clients/*/secret                        | GET    | config/clients/abc/secret              | true  | allowed by *:config/clients/*/secret
          .:config/clients/*/secret                        | GET    | config/clients/abc/secret              | false | no scope grants write on config/clients/abc/secret
          # the collection only vs its members
          *:config/tokenPolicies                           | GET    | config/tokenPolicies                   | true  | allowed by *:config/tokenPolicies
          *:config/tokenPolicies                           | GET    | config/tokenPolicies/abc               | false | no scope grants read on config/tokenPolicies/abc
          *:config/tokenPolicies/**                        | GET    | config/tokenPolicies/abc               | true  | allowed by *:config/tokenPolicies/**
          # deny wins and covers what is below it
          *:** -:config/clients/abc                        | GET    | config/clients/abc                     | false | denied by -:config/clients/abc
          *:** -:config/clients/abc                        | POST   | config/clients/abc/secret              | false | denied by -:config/clients/abc
          *:** -:config/clients/abc                        | GET    | config/clients/abcd                    | true  | allowed by *:**
          *:** -:config/clients/abc                        | GET    | config/clients                         | true  | allowed by *:**
          -:config/clients/abc *:**                        | GET    | config/clients/abc                     | false | denied by -:config/clients/abc
          *:config/clients/abc -:config/clients/abc        | GET    | config/clients/abc                     | false | denied by -:config/clients/abc
          *:** -:config/tokenPolicies/ID                   | PUT    | config/tokenPolicies/ID                | false | denied by -:config/tokenPolicies/ID
          *:** -:config/tokenPolicies/ID                   | PUT    | config/tokenPolicies/other             | true  | allowed by *:**
          *:** -:config                                    | GET    | config/whoami                          | false | denied by -:config
          # no scope, no access
          openid                                           | GET    | config/clients                         | false | no scope grants read on config/clients
          -:x                                              | GET    | x                                      | false | denied by -:x
          *:config/clients/*                               | GET    | config/clients                         | false | no scope grants read on config/clients
          # malformed scopes carry no power
          *:a//b *:                                        | GET    | a/b                                    | false | no scope grants read on a/b
          # bypass spellings of a denied path are not canonical
          *:** -:config/clients/abc                        | GET    | config/clients/abc/                    | false | path "config/clients/abc/" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients//abc                    | false | path "config/clients//abc" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients/./abc                   | false | path "config/clients/./abc" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients/x/../abc                | false | path "config/clients/x/../abc" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients/%61bc                   | false | path "config/clients/%61bc" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients%2Fabc                   | false | path "config/clients%2Fabc" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients/abc;x=1                 | false | path "config/clients/abc;x=1" is not canonical
          *:** -:config/clients/abc                        | GET    | config/clients\\abc                    | false | path "config/clients\\abc" is not canonical
          *:** -:config/clients/abc                        | GET    | /config/clients/abc                    | false | path "/config/clients/abc" is not canonical
          """)
  void decisions(String scopes, String method, String path, boolean allowed, String reason) {
    ScopeSet set = ScopeSet.parse(scopes.replace("ID", ID));
    path = path.replace("ID", ID);
    assertThat(set.decide(method, path).allowed()).isEqualTo(allowed);
    Decision d = set.decide(method, path);
    assertThat(d.allowed()).isEqualTo(allowed);
    assertThat(d.reason(path)).isEqualTo(reason.replace("ID", ID));
    assertThat(set.decide(method, path)).as("one shared instance per outcome").isSameAs(d);
  }

  @Test
  void decisionParts() {
    ScopeSet set = ScopeSet.parse("openid *:** -:config/tokenPolicies/abc .:config/**");
    Decision denied = set.decide("GET", "config/tokenPolicies/abc");
    assertThat(denied)
        .isEqualTo(new Decision.Denied(ConfigScope.parse("-:config/tokenPolicies/abc")));
    assertThat(denied.requiredScope("GET", "config/tokenPolicies/abc"))
        .isEqualTo(".:config/tokenPolicies/abc");
    Decision allowed = set.decide("POST", "config/clients");
    assertThat(allowed).isEqualTo(new Decision.Allowed(ConfigScope.parse("*:**")));
    assertThat(allowed.requiredScope("POST", "config/clients")).isEqualTo("*:config/clients");
    ScopeSet readOnly = ScopeSet.parse(".:config/**");
    assertThat(readOnly.decide("POST", "config/tokenPolicies/x"))
        .isSameAs(Decision.NotGranted.WRITE)
        .isEqualTo(new Decision.NotGranted(Access.WRITE));
    assertThat(readOnly.decide("GET", "x")).isSameAs(Decision.NotGranted.READ);
    assertThat(set.decide("GET", "config//x")).isSameAs(Decision.NotCanonical.INSTANCE);
  }

  @ParameterizedTest(name = "{0} {1} needs {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          GET    | config/clients/abc/secret   | *:config/clients/abc/secret
          POST   | config/clients/abc/secret   | *:config/clients/abc/secret
          GET    | config/clients              | .:config/clients
          GET    | config//a b/                | .:config/a*b
          GET    | ''                          | .:**
          GET    | ///                         | .:**
          DELETE | a:b/**/c                    | *:a*b/*/c
          """)
  void requiredScope(String method, String path, String expected) {
    assertThat(ScopeSet.parse("").decide(method, path).requiredScope(method, path))
        .isEqualTo(expected);
  }

  @Test
  void compilesAndSplits() {
    ScopeSet set =
        ScopeSet.of(
            List.of(
                "openid",
                "*:**",
                "-:config/a",
                ".:config/**",
                "*:a//b",
                "",
                "  ",
                "openid",
                "*:**"));
    assertThat(set.grants()).extracting(ConfigScope::text).containsExactly("*:**", ".:config/**");
    assertThat(set.denies()).extracting(ConfigScope::text).containsExactly("-:config/a");
    assertThat(set.plain()).containsExactly(new PlainScope("openid"));
    assertThat(set).hasToString("*:** .:config/** -:config/a openid");
    assertThat(ScopeSet.parse(null).isEmpty()).isTrue();
    assertThat(ScopeSet.parse("   ").isEmpty()).isTrue();
    assertThat(ScopeSet.of(null).isEmpty()).isTrue();
    assertThat(Scopes.split(" a\tb  c ")).containsExactly("a", "b", "c");
    assertThat(ScopeSet.parse("*:** openid").decide(null, "config").allowed()).isTrue();
    assertThat(ScopeSet.parse(".:** openid").decide(null, "config").allowed()).isFalse();
    assertThat(ScopeSet.parse("*:**").decide("GET", null).allowed()).isFalse();
  }

  @Test
  void hotPathDoesNotAllocate() {
    java.lang.management.ThreadMXBean bean =
        java.lang.management.ManagementFactory.getThreadMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        bean instanceof com.sun.management.ThreadMXBean tb
            && tb.isThreadAllocatedMemorySupported());
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    ScopeSet set =
        ScopeSet.parse(
            "*:config/tokenPolicies/** .:config/clients/* *:config/clients/app-*"
                + " *:config/clients/*/secret -:config/clients/abc/secret -:config/realms/master"
                + " .:config/realms/*/users/* *:config/a*b*c/** openid");
    String[][] requests = {
      {"GET", "config/tokenPolicies/1"},
      {"GET", "config/clients/abc/secret"},
      {"POST", "config/clients/app-x"},
      {"GET", "config/realms/demo/users/u"},
      {"PUT", "config/aXbYc/d/e"},
      {"GET", "config/clients//x"},
      {"DELETE", "config/realms/master/x"},
    };
    boolean sink = false;
    for (int round = 0; round < 2; round++) {
      long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
      for (int i = 0; i < 20_000; i++) {
        String[] r = requests[i % requests.length];
        sink ^= set.decide(r[0], r[1]).allowed();
      }
      long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
      if (round == 1) {
        assertThat(allocated).as("bytes allocated by 20000 decisions").isLessThan(1024);
      }
    }
    assertThat(sink || !sink).isTrue();
  }
}
