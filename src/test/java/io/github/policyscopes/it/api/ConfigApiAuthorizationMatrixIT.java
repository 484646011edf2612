package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.Fixtures.STICKY_DENY;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/contract.md §2 and §4 as a table: six tokens × every endpoint and method of
 * docs/config-api.md, the expected status per cell. Fixtures: a policy P ({@code
 * .:config/clients/**}) and a client C bound to it, both created through the API with the demo's
 * {@code *:**} token; the demo policy 8cdb…, protected by the sticky deny of every config-admin
 * token, is only read (its write rows carry a stale {@code If-Match}, so that even a wrong
 * authorization decision cannot change it). Write cells that would change or destroy a fixture work
 * on a throwaway resource created for the cell.
 */
@Tag("compat") // also runs on every other supported Keycloak version (pom.xml)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigApiAuthorizationMatrixIT extends OnSharedKeycloak {

  /** The token kinds of the matrix, and the exact scope each one carries. */
  enum Token {
    /** config-admin asking {@code XXXXX}: a valid token with no scope at all. */
    NONE("XXXXX", ""),
    /** config-reader: {@code .:**}, no deny. */
    READ(null, ".:**"),
    /** The collection only. */
    COLL("*:config/tokenPolicies", "*:config/tokenPolicies " + STICKY_DENY),
    /** The collection and every member. */
    MEMBERS("*:config/tokenPolicies/**", "*:config/tokenPolicies/** " + STICKY_DENY),
    /** Everything but the demo policy. */
    ALL("*:**", "*:** " + STICKY_DENY),
    /** Read one client at a time, down-scoped from config-admin's {@code *:**}. */
    CLIENT_READ(".:config/clients/*", ".:config/clients/* " + STICKY_DENY);

    final String request;
    final String granted;

    Token(String request, String granted) {
      this.request = request;
      this.granted = granted;
    }

    String issue(Fixtures fixtures) {
      String token = this == READ ? fixtures.configReader() : fixtures.configAdmin(request);
      assertThat(new HashSet<>(Arrays.asList(ConfigApi.scopeOf(token).split(" "))))
          .as("scope of the " + this + " token")
          .isEqualTo(new HashSet<>(Arrays.asList(granted.split(" "))));
      return token;
    }
  }

  private static final String P = "{P}";
  private static final String C = "{C}";
  private static final String THROWAWAY_POLICY = "{throwaway policy}";
  private static final String THROWAWAY_CLIENT = "{throwaway client}";
  private static final String MISSING = "{missing}";
  private static final String DEMO = CONFIG_POLICY_ID;
  private static final String STALE = "\"stale-matrix-etag\"";

  private static String policyP;
  private static String clientC;
  private static JsonNode demoPolicy;

  @BeforeAll
  static void fixtures() {
    String all = fixtures.allPowerToken();
    policyP =
        api.createPolicy(all, Fixtures.unique("Matrix P"), ".:config/clients/**", "matrix-plain")
            .get("id")
            .asText();
    clientC = api.createClient(all, Fixtures.unique("matrix-c"), policyP).get("id").asText();
    Reply demo = api.get(fixtures.configReader(), "config/tokenPolicies/" + DEMO);
    assertThat(demo).hasStatus(200);
    demoPolicy = demo.json();
  }

  /**
   * The matrix: a row a request (method, path template; {@code {demo}} is the demo realm's config
   * policy), then the status for each {@link Token}, in order.
   */
  private static final String MATRIX =
      """
      method | template                                  | NONE READ COLL MEMB ALL  CLIENT_READ
      GET    | config/tokenPolicies                      | 403  200  200  200  200  403
      POST   | config/tokenPolicies                      | 403  403  201  201  201  403
      GET    | config/tokenPolicies/{P}                  | 403  200  403  200  200  403
      GET    | config/tokenPolicies/{missing}            | 403  404  403  404  404  403
      PUT    | config/tokenPolicies/{throwaway policy}   | 403  403  403  200  200  403
      DELETE | config/tokenPolicies/{throwaway policy}   | 403  403  403  204  204  403
      GET    | config/tokenPolicies/{demo}               | 403  200  403  403  403  403
      PUT    | config/tokenPolicies/{demo}               | 403  403  403  403  403  403
      DELETE | config/tokenPolicies/{demo}               | 403  403  403  403  403  403
      GET    | config/clients                            | 403  200  403  403  200  403
      POST   | config/clients                            | 403  403  403  403  201  403
      GET    | config/clients/{C}                        | 403  200  403  403  200  200
      GET    | config/clients/{missing}                  | 403  404  403  403  404  404
      PUT    | config/clients/{throwaway client}         | 403  403  403  403  200  403
      DELETE | config/clients/{throwaway client}         | 403  403  403  403  204  403
      GET    | config/clients/{C}/secret                 | 403  403  403  403  200  403
      POST   | config/clients/{C}/secret                 | 403  403  403  403  200  403
      GET    | config/whoami                             | 200  200  200  200  200  200
      GET    | config/openapi.json                       | 200  200  200  200  200  200
      """;

  static Stream<Arguments> matrix() {
    Token[] tokens = Token.values();
    List<Arguments> cells = new ArrayList<>();
    List<String> lines = MATRIX.lines().toList();
    for (String line : lines.subList(1, lines.size())) {
      String[] columns = line.split("\\|");
      String method = columns[0].strip();
      String template = columns[1].strip().replace("{demo}", DEMO);
      String[] expected = columns[2].strip().split(" +");
      assertThat(expected).as(line).hasSize(tokens.length);
      for (int i = 0; i < tokens.length; i++) {
        cells.add(Arguments.of(tokens[i], method, template, Integer.parseInt(expected[i])));
      }
    }
    return cells.stream();
  }

  @Order(1)
  @ParameterizedTest(name = "{0}: {1} {2} -> {3}")
  @MethodSource("matrix")
  void cell(Token token, String method, String template, int expected) {
    String bearer = token.issue(fixtures);
    String all = fixtures.allPowerToken();
    String throwaway = null;
    String path = template;
    Object body = null;
    List<String> headers = new ArrayList<>();

    if (template.contains(THROWAWAY_POLICY)) {
      String title = Fixtures.unique("Matrix throwaway");
      throwaway = api.createPolicy(all, title, "matrix-plain").get("id").asText();
      path = template.replace(THROWAWAY_POLICY, throwaway);
      body = ConfigApi.policyBody(title, "matrix-put-" + UUID.randomUUID());
    } else if (template.contains(THROWAWAY_CLIENT)) {
      String clientId = Fixtures.unique("matrix-throwaway");
      throwaway = api.createClient(all, clientId).get("id").asText();
      path = template.replace(THROWAWAY_CLIENT, throwaway);
      ObjectNode put = ConfigApi.clientBody(clientId);
      put.put("name", "renamed by the matrix");
      body = put;
    } else {
      path =
          template
              .replace(P, policyP)
              .replace(C, clientC)
              .replace(MISSING, UUID.randomUUID().toString());
      if (path.equals("config/tokenPolicies")) {
        body =
            "POST".equals(method)
                ? ConfigApi.policyBody(Fixtures.unique("Matrix new"), "matrix-plain")
                : null;
      } else if (path.equals("config/clients") && "POST".equals(method)) {
        body = ConfigApi.clientBody(Fixtures.unique("matrix-new"));
      } else if (path.endsWith(DEMO)) {
        // a wrong decision must not change the demo policy: the If-Match can never match
        headers.add("If-Match");
        headers.add(STALE);
        body = "PUT".equals(method) ? demoPolicy : null;
      }
    }

    Reply reply;
    try {
      reply = api.send(method, path, bearer, body, headers.toArray(String[]::new));
    } finally {
      cleanUp(all, template, throwaway);
    }

    assertThat(reply).as(token + " " + method + " " + path).hasStatus(expected);
    switch (expected) {
      case 403 -> assertThat(reply).isInsufficientScope(method, path);
      case 201 -> {
        String id = reply.json().path("id").asText();
        assertThat(reply.header("Location"))
            .isNotNull()
            .endsWith("/realms/demo/" + path + "/" + id);
        assertThat(api.delete(all, path + "/" + id)).hasStatus(204);
      }
      case 200 -> {
        if (path.equals("config/whoami")) {
          assertThat(reply.json().path("clientId").asText())
              .isEqualTo(token == Token.READ ? "config-reader" : "config-admin");
        } else if (path.endsWith("/secret")) {
          assertThat(reply.json().path("secret").asText()).isNotBlank();
        } else if (path.equals("config/openapi.json")) {
          assertThat(reply.json().path("openapi").asText()).startsWith("3.0");
        } else if ("GET".equals(method) || "PUT".equals(method)) {
          assertThat(reply.json().isObject()).as(reply.toString()).isTrue();
        }
      }
      case 204 ->
          assertThat(api.get(fixtures.configReader(), path)).as("deleted: " + path).hasStatus(404);
      case 404 -> assertThat(reply.json().path("error").asText()).isNotBlank();
      default -> {}
    }
  }

  private static void cleanUp(String all, String template, String throwaway) {
    if (throwaway == null) {
      return;
    }
    String collection =
        template.contains(THROWAWAY_POLICY) ? "config/tokenPolicies/" : "config/clients/";
    api.delete(all, collection + throwaway); // 204, or 404 when the cell deleted it
  }

  @Order(2)
  @Test
  void theFixturesAreIntactAfterTheMatrix() {
    String reader = fixtures.configReader();
    Reply demo = api.get(reader, "config/tokenPolicies/" + DEMO);
    assertThat(demo).hasStatus(200);
    assertThat(ConfigApi.strings(demo.json(), "allowedScopes"))
        .containsExactlyInAnyOrder("openid", "*:**", "*:config/tokenPolicies", STICKY_DENY);
    assertThat(api.get(reader, "config/tokenPolicies/" + policyP)).hasStatus(200);
    Reply c = api.get(reader, "config/clients/" + clientC);
    assertThat(c).hasStatus(200);
    assertThat(ConfigApi.strings(c.json(), "tokenPolicies")).containsExactly(policyP);
  }
}
