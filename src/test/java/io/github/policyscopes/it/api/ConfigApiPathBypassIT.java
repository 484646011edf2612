package io.github.policyscopes.it.api;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Other spellings of a denied path never reach the resource (docs/config-api.md, "Request
 * processing" 2): every non-canonical spelling is a 400 before any decision; spellings that are
 * canonical but name another path (a case variant, a {@code +}) are not the protected resource and
 * never a 2xx either.
 *
 * <p>Three protected targets: the demo policy 8cdb… behind the sticky deny of config-admin's {@code
 * *:**} token (only read, never written); the secret and the representation of an own client C, and
 * an own throwaway policy Q (attacked with DELETE), both behind the denies of an own policy {@code
 * *:**}, {@code -:config/clients/{C}}, {@code -:config/tokenPolicies/{Q}}.
 */
class ConfigApiPathBypassIT extends OnSharedKeycloak {

  private static String clientC;
  private static String policyQ;
  private static Fixtures.Bound attacker;

  @BeforeAll
  static void setUp() {
    String all = fixtures.allPowerToken();
    clientC = api.createClient(all, Fixtures.unique("bypass-c")).get("id").asText();
    policyQ = api.createPolicy(all, Fixtures.unique("Bypass Q"), "bypass-plain").get("id").asText();
    attacker =
        fixtures.boundClient(
            "bypass",
            List.of("*:**", "-:config/clients/" + clientC, "-:config/tokenPolicies/" + policyQ));
  }

  @AfterAll
  static void targetsSurvived() {
    String reader = fixtures.configReader();
    assertThat(api.get(reader, "config/tokenPolicies/" + policyQ))
        .as("Q survived the DELETE attempts")
        .hasStatus(200);
    assertThat(api.get(reader, "config/tokenPolicies/" + CONFIG_POLICY_ID)).hasStatus(200);
  }

  /** A spelling of a protected path, and whether it is non-canonical (then it must be a 400). */
  record Spelling(String label, String raw, boolean nonCanonical) {
    @Override
    public String toString() {
      return label + ": " + raw;
    }
  }

  /**
   * Every spelling of {@code collection/id[/rest]} we try: {@code collection} is e.g. {@code
   * config/tokenPolicies}, {@code rest} null or e.g. {@code secret}.
   */
  static List<Spelling> spellings(String collection, String id, String rest) {
    String tail = rest == null ? "" : "/" + rest;
    String canonical = collection + "/" + id + tail;
    String[] col = collection.split("/"); // config, tokenPolicies
    String after = col[1];
    List<Spelling> s = new ArrayList<>();
    // non-canonical: 400 before any decision
    s.add(new Spelling("trailing slash", canonical + "/", true));
    s.add(new Spelling("double slash before the id", collection + "//" + id + tail, true));
    s.add(new Spelling("double slash after config", "config//" + after + "/" + id + tail, true));
    s.add(new Spelling("dot segment", collection + "/./" + id + tail, true));
    s.add(new Spelling("dot segment after config", "config/./" + after + "/" + id + tail, true));
    s.add(new Spelling("trailing dot segment", canonical + "/.", true));
    s.add(new Spelling("dot-dot segment", collection + "/x/../" + id + tail, true));
    s.add(
        new Spelling("dot-dot via a sibling", "config/other/../" + after + "/" + id + tail, true));
    s.add(new Spelling("trailing dot-dot", canonical + "/x/..", true));
    s.add(new Spelling("%2F for the slash", collection + "%2F" + id + tail, true));
    s.add(new Spelling("%2f for the slash", collection + "%2f" + id + tail, true));
    s.add(new Spelling("%2F after config", "config%2F" + after + "/" + id + tail, true));
    s.add(new Spelling("%2E segment", collection + "/%2E/" + id + tail, true));
    s.add(new Spelling("%2e%2e segment", collection + "/x/%2e%2e/" + id + tail, true));
    s.add(new Spelling("%2E%2E segment", collection + "/x/%2E%2E/" + id + tail, true));
    s.add(new Spelling(".%2e segment", collection + "/x/.%2e/" + id + tail, true));
    s.add(
        new Spelling(
            "percent-encoded first character of the id",
            collection + "/%" + String.format("%02X", (int) id.charAt(0)) + id.substring(1) + tail,
            true));
    s.add(
        new Spelling(
            "percent-encoded character of the collection",
            "config/%"
                + String.format("%02x", (int) after.charAt(0))
                + after.substring(1)
                + "/"
                + id
                + tail,
            true));
    s.add(new Spelling(";matrix on the id", collection + "/" + id + ";x=1" + tail, true));
    s.add(new Spelling("bare ; on the id", collection + "/" + id + ";" + tail, true));
    s.add(new Spelling(";matrix on the collection", collection + ";x=1/" + id + tail, true));
    s.add(new Spelling("%20 after the id", collection + "/" + id + "%20" + tail, true));
    s.add(new Spelling("%5C for the slash", collection + "%5C" + id + tail, true));
    s.add(new Spelling("%5c for the slash", collection + "%5c" + id + tail, true));
    s.add(new Spelling("raw backslash for the slash", collection + "\\" + id + tail, true));
    s.add(new Spelling("raw backslash after the id", collection + "/" + id + "\\" + tail, true));
    s.add(new Spelling("%00 after the id", collection + "/" + id + "%00" + tail, true));
    if (rest != null) {
      s.add(new Spelling("double slash before " + rest, collection + "/" + id + "//" + rest, true));
      s.add(new Spelling("%2F before " + rest, collection + "/" + id + "%2F" + rest, true));
      s.add(new Spelling("dot-dot back to " + rest, collection + "/" + id + "/x/../" + rest, true));
    }
    // canonical, but another path (or not HTTP at all): never a 2xx
    s.add(new Spelling("+ after the id", collection + "/" + id + "+" + tail, false));
    s.add(new Spelling("+ before the id", collection + "/+" + id + tail, false));
    s.add(
        new Spelling(
            "upper-case id", collection + "/" + id.toUpperCase(Locale.ROOT) + tail, false));
    s.add(
        new Spelling(
            "first letter of the id in upper case",
            collection + "/" + upperFirstLetter(id) + tail,
            false));
    s.add(
        new Spelling(
            "lower-case collection",
            "config/" + after.toLowerCase(Locale.ROOT) + "/" + id + tail,
            false));
    s.add(
        new Spelling(
            "upper-case collection",
            "config/" + after.toUpperCase(Locale.ROOT) + "/" + id + tail,
            false));
    s.add(
        new Spelling(
            "capitalised collection",
            "config/"
                + Character.toUpperCase(after.charAt(0))
                + after.substring(1)
                + "/"
                + id
                + tail,
            false));
    s.add(new Spelling("upper-case config", "CONFIG/" + after + "/" + id + tail, false));
    if (rest != null) {
      s.add(
          new Spelling(
              "upper-case " + rest,
              collection + "/" + id + "/" + rest.toUpperCase(Locale.ROOT),
              false));
    }
    s.add(new Spelling("raw space after the id", collection + "/" + id + " x" + tail, false));
    s.add(new Spelling("non-ASCII after the id", collection + "/" + id + "\u00e9" + tail, false));
    s.add(new Spelling("leading slash (empty segment after the realm)", "/" + canonical, false));
    s.removeIf(spelling -> spelling.raw().equals(canonical)); // e.g. "clients" in lower case
    return s;
  }

  private static String upperFirstLetter(String id) {
    for (int i = 0; i < id.length(); i++) {
      if (Character.isLetter(id.charAt(i))) {
        return id.substring(0, i) + Character.toUpperCase(id.charAt(i)) + id.substring(i + 1);
      }
    }
    return id.toUpperCase(Locale.ROOT);
  }

  private static void assertRefused(Reply reply, Spelling spelling) {
    assertThat(reply).as(spelling.toString()).hasNoServerError();
    assertThat(reply.is2xx()).as(spelling + " must not succeed: " + reply).isFalse();
    if (spelling.nonCanonical()) {
      if (spelling.raw().startsWith("config%2F")) {
        // the first segment names the extension: Keycloak finds no provider "config/…" (404)
        assertThat(reply).as(spelling.toString()).hasStatusIn(400, 404);
        return;
      }
      assertThat(reply).as(spelling.toString()).hasStatus(400);
      assertThat(reply.jsonOrEmpty().path("error").asText())
          .as(spelling + ": the API's 400, or Keycloak's own, which refuses it earlier: " + reply)
          .isIn(KEYCLOAK_PATH_ERRORS);
    }
  }

  /**
   * Keycloak 26.7 refuses some spellings itself before any extension runs: dot segments, double
   * slashes and encoded dots ({@code missingNormalization}), {@code ;} ({@code invalidCharacter}),
   * a raw backslash (an empty 400 from the HTTP layer). The API's own check is {@code
   * invalid_request}. Every one is a 400 before any decision.
   */
  private static final List<String> KEYCLOAK_PATH_ERRORS =
      List.of("invalid_request", "missingNormalization", "invalidCharacter", "");

  // ---- the demo policy behind config-admin's sticky deny ----

  static Stream<Arguments> demoPolicySpellings() {
    return spellings("config/tokenPolicies", CONFIG_POLICY_ID, null).stream().map(Arguments::of);
  }

  @Test
  void theCanonicalDemoPolicyPathIsDeniedToTheAllPowerToken() {
    String token = fixtures.allPowerToken();
    String path = "config/tokenPolicies/" + CONFIG_POLICY_ID;
    assertThat(api.get(token, path)).isInsufficientScope("GET", path);
    assertThat(api.send("HEAD", path, token, null)).isInsufficientScope("HEAD", path);
    assertThat(api.get(token, "config/tokenPolicies")).as("the token works").hasStatus(200);
  }

  @ParameterizedTest(name = "GET {0}")
  @MethodSource("demoPolicySpellings")
  void noSpellingOfTheDemoPolicyReachesIt(Spelling spelling) {
    assertRefused(api.raw("GET", spelling.raw(), fixtures.allPowerToken()), spelling);
  }

  // ---- an own client's secret and representation behind an own deny ----

  static Stream<Arguments> clientSecretSpellings() {
    return spellings("config/clients", clientC, "secret").stream().map(Arguments::of);
  }

  static Stream<Arguments> clientSpellings() {
    return spellings("config/clients", clientC, null).stream().map(Arguments::of);
  }

  @Test
  void theCanonicalClientPathsAreDeniedToTheAttacker() {
    String token = attacker.token("*:**");
    assertThat(ConfigApi.scopeOf(token).split(" "))
        .containsExactlyInAnyOrder(
            "*:**", "-:config/clients/" + clientC, "-:config/tokenPolicies/" + policyQ);
    String secret = "config/clients/" + clientC + "/secret";
    assertThat(api.get(token, secret)).isInsufficientScope("GET", secret);
    assertThat(api.post(token, secret, null)).isInsufficientScope("POST", secret);
    String member = "config/clients/" + clientC;
    assertThat(api.get(token, member)).isInsufficientScope("GET", member);
    assertThat(api.get(token, "config/clients")).as("the token works").hasStatus(200);
  }

  @ParameterizedTest(name = "GET {0}")
  @MethodSource("clientSecretSpellings")
  void noSpellingOfTheDeniedSecretReachesIt(Spelling spelling) {
    Reply reply = api.raw("GET", spelling.raw(), attacker.token("*:**"));
    assertRefused(reply, spelling);
    assertThat(reply.body()).as("no secret leaks").doesNotContain("\"secret\"");
  }

  @ParameterizedTest(name = "GET {0}")
  @MethodSource("clientSpellings")
  void noSpellingOfTheDeniedClientReachesIt(Spelling spelling) {
    assertRefused(api.raw("GET", spelling.raw(), attacker.token("*:**")), spelling);
  }

  // ---- DELETE of an own policy behind an own deny ----

  static Stream<Arguments> policyQSpellings() {
    return spellings("config/tokenPolicies", policyQ, null).stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "DELETE {0}")
  @MethodSource("policyQSpellings")
  void noSpellingDeletesTheDeniedPolicy(Spelling spelling) {
    assertRefused(api.raw("DELETE", spelling.raw(), attacker.token("*:**")), spelling);
    assertThat(api.get(fixtures.configReader(), "config/tokenPolicies/" + policyQ))
        .as("Q still there after " + spelling)
        .hasStatus(200);
  }

  @Test
  void theCanonicalDeleteIsDenied() {
    String path = "config/tokenPolicies/" + policyQ;
    assertThat(api.delete(attacker.token("*:**"), path)).isInsufficientScope("DELETE", path);
  }

  // ---- whoami's path parameter follows the same rule ----

  @Test
  void whoamiRefusesANonCanonicalPathToo() {
    String token = fixtures.allPowerToken();
    for (String path :
        List.of(
            "config//clients",
            "config/./clients",
            "config/clients/../tokenPolicies",
            "config/clients/",
            "config/clients;x=1",
            "config\\clients")) {
      Reply reply =
          api.get(
              token,
              "config/whoami?method=GET&path="
                  + java.net.URLEncoder.encode(path, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(reply).isInvalidRequest();
    }
  }
}
