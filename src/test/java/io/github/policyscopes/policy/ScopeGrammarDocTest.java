package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import io.github.policyscopes.scope.Scope;
import io.github.policyscopes.scope.ScopeParameters;
import io.github.policyscopes.scope.Scopes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The tables of docs/scope-grammar.md § "Parameterized client scopes", read from the page and
 * checked against the core: the page cannot say what the code does not do (docs/adr/0030).
 */
class ScopeGrammarDocTest {

  private static final Path PAGE = Path.of("docs/scope-grammar.md");
  private static final ScopeParameters NAMES =
      ScopeParameters.of(List.of("organization", "tenant"));
  private static final Pattern CODE = Pattern.compile("`([^`]*)`");

  /** The table rows (cells) that follow the first line starting with {@code intro}. */
  private static List<List<String>> table(String intro) throws IOException {
    List<String> lines = Files.readAllLines(PAGE);
    int at = 0;
    while (at < lines.size() && !lines.get(at).startsWith(intro)) {
      at++;
    }
    assertThat(at).as("\"" + intro + "\" in " + PAGE).isLessThan(lines.size());
    List<List<String>> rows = new ArrayList<>();
    int i = at + 1;
    while (i < lines.size() && !lines.get(i).startsWith("|")) {
      i++;
    }
    for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String line = lines.get(i);
      rows.add(
          Arrays.stream(line.substring(1, line.length() - 1).split("\\|"))
              .map(String::trim)
              .toList());
    }
    assertThat(rows).as("rows of the table after \"" + intro + "\"").isNotEmpty();
    return rows;
  }

  /** The words inside backquotes of a cell: {@code `a b` (why)} → [a, b]; "—" → []. */
  private static List<String> words(String cell) {
    Matcher m = CODE.matcher(cell);
    if (!m.find()) {
      return List.of();
    }
    String code = m.group(1);
    return code.isEmpty() ? List.of() : Arrays.asList(code.split(" +"));
  }

  private static String code(String cell) {
    Matcher m = CODE.matcher(cell);
    assertThat(m.find()).as(cell).isTrue();
    return m.group(1);
  }

  @Test
  void theCoverageTableIsWhatTheCoreDecides() throws IOException {
    for (List<String> row : table("Parameterized names `organization` and `tenant`")) {
      String allowed = code(row.get(0));
      String requested = code(row.get(1));
      boolean expected = row.get(2).startsWith("yes");
      EffectivePolicy policy =
          EffectivePolicy.of(List.of(allowed), null, null).withParameters(NAMES);
      Scope scope = Scopes.parseOrNull(requested);
      assertThat(scope).as(requested).isNotNull();
      assertThat(policy.covers(scope)).as(allowed + " covers " + requested).isEqualTo(expected);
    }
  }

  @Test
  void theIssuanceTableIsWhatTheCoreGrants() throws IOException {
    EffectivePolicy policy =
        EffectivePolicy.of(List.of("openid", "organization:*", "tenant:*"), null, null)
            .withParameters(NAMES);
    for (List<String> row : table("Issuance, policy `openid`, `organization:*`, `tenant:*`")) {
      GrantResult result = ScopeGrant.compute(words(row.get(0)), policy);
      assertThat(result.granted()).as(row.toString()).containsExactlyElementsOf(words(row.get(1)));
      assertThat(result.dropped()).as(row.toString()).containsExactlyElementsOf(words(row.get(2)));
    }
  }
}
