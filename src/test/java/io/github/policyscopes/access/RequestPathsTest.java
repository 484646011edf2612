package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.scope.Access;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTest {

  @ParameterizedTest(name = "{0} is canonical")
  @ValueSource(
      strings = {
        "config",
        "config/clients",
        "config/clients/abc/secret",
        "config/tokenPolicies/8cdb3f99-ceee-403d-a01d-daf392e18350",
        "config/openapi.json",
        "config/.well-known",
        "config/a..b",
        "config/..."
      })
  void canonical(String path) {
    assertThat(RequestPaths.validate(path)).isEqualTo(path);
    assertThat(RequestPaths.isCanonical(path)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\" is refused: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          config//clients          | empty path segment
          config/clients/          | empty path segment
          /config                  | starts with '/'
          config/./clients         | '.' or '..' path segment
          config/clients/..        | '.' or '..' path segment
          ./config                 | '.' or '..' path segment
          config/%2e%2e/clients    | percent-encoded
          config%2Fclients         | percent-encoded
          config%5Cclients         | percent-encoded
          config/a%20b             | percent-encoded
          config/%2E               | percent-encoded
          config;jsessionid=1      | matrix parameter
          config/clients;x/abc     | matrix parameter
          config\\clients          | backslash
          config/a b               | character not allowed
          config/a*                | character not allowed
          config/a:b               | character not allowed
          config/a"b               | character not allowed
          config/é                 | character not allowed
          config/a\tb              | character not allowed
          """)
  void refused(String path, String reason) {
    String p = path.replace("\\t", "\t");
    assertThat(RequestPaths.isCanonical(p)).isFalse();
    assertThatThrownBy(() -> RequestPaths.validate(p))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining(reason);
  }

  @ParameterizedTest(name = "{0} {1} needs {2}")
  @CsvSource({
    "GET, config/clients, READ",
    "HEAD, config/clients, READ",
    "POST, config/clients, WRITE",
    "PUT, config/clients/a, WRITE",
    "DELETE, config/clients/a, WRITE",
    "PATCH, config/clients/a, WRITE",
    "OPTIONS, config/clients/a, WRITE",
    "get, config/clients, WRITE",
    "GET, config/clients/abc/secret, WRITE",
    "HEAD, config/clients/abc/secret, WRITE",
    "GET, config/clients/abc/secret/x, WRITE",
    "GET, config/clients/abc/secrets, READ",
    "GET, config/clients//secret, READ",
    "GET, config/clients/secret, READ",
    "GET, config/tokenPolicies/abc/secret, READ",
  })
  void requiredAccess(String method, String path, Access expected) {
    assertThat(RequestAccess.required(method, path)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void nullAndEmpty() {
    assertThat(RequestPaths.isCanonical(null)).isFalse();
    assertThatThrownBy(() -> RequestPaths.validate("")).isInstanceOf(InvalidPathException.class);
    assertThat(RequestAccess.required(null, "config")).isEqualTo(Access.WRITE);
    assertThat(RequestAccess.required("GET", null)).isEqualTo(Access.READ);
  }
}
