package io.github.policyscopes;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.access.Route;
import io.github.policyscopes.access.Routes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs a newcomer reads hold together: every relative link of README.md, CONTRIBUTING.md and
 * docs/*.md points to a file that exists and, for a link into a markdown page, to one of its
 * headings (as GitHub names their anchors); the README stays short; every docs page opens with a
 * table of contents that lists each of its sections.
 */
class DocsTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path README = ROOT.resolve("README.md");
  private static final Path DOCS = ROOT.resolve("docs");
  private static final int README_MAX_LINES = 250;

  /** The pages of docs/ a newcomer is sent to, each opening with a table of contents. */
  private static final List<String> PAGES_WITH_TOC =
      List.of(
          "user-guide.md",
          "config-api.md",
          "console.md",
          "operating.md",
          "production.md",
          "performance.md",
          "security.md",
          "development.md",
          "install.md");

  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
  private static final Pattern MD_LINK = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*\\)");
  private static final Pattern NOT_IN_SLUG =
      Pattern.compile("[^\\p{L}\\p{N} _-]", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Pattern TOC_ENTRY = Pattern.compile("^\\s*[-*] \\[.*\\]\\(#([^)]+)\\)");

  @Test
  void everyRelativeLinkPointsToAFileAndHeadingThatExist() throws IOException {
    List<String> broken = new ArrayList<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    for (Path page : pages()) {
      for (String target : links(page)) {
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // https:, mailto:: not ours to check offline
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
          continue;
        }
        if (hash >= 0 && resolved.toString().endsWith(".md")) {
          String anchor = target.substring(hash + 1);
          Set<String> known = anchors.computeIfAbsent(resolved, DocsTest::headingAnchors);
          if (!known.contains(anchor)) {
            broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
          }
        }
      }
    }
    assertThat(broken).as("broken relative links").isEmpty();
  }

  @Test
  void theReadmeIsShort() throws IOException {
    assertThat(Files.readAllLines(README))
        .as("lines of README.md")
        .hasSizeLessThanOrEqualTo(README_MAX_LINES);
  }

  @Test
  void everyPageOpensWithATableOfContents() throws IOException {
    for (String name : PAGES_WITH_TOC) {
      Path page = DOCS.resolve(name);
      List<String> lines = Files.readAllLines(page);
      Set<String> toc = new LinkedHashSet<>();
      List<String> sections = new ArrayList<>();
      boolean beforeFirstSection = true;
      boolean fence = false;
      for (String line : lines) {
        if (line.startsWith("```")) {
          fence = !fence;
        }
        if (fence) {
          continue;
        }
        if (line.startsWith("## ")) {
          beforeFirstSection = false;
          sections.add(slug(line.substring(3)));
        }
        Matcher entry = TOC_ENTRY.matcher(line);
        if (beforeFirstSection && entry.find()) {
          toc.add(entry.group(1));
        }
      }
      assertThat(sections).as("sections of " + page).isNotEmpty();
      assertThat(toc).as("the table of contents at the top of " + page).containsAll(sections);
    }
  }

  /**
   * docs/config-api.md lists the route table as {@link #routeTable} renders it, in its section
   * "Routes": a route added to the table and not to the page, or the other way round, fails here,
   * and the failure shows the rows to paste.
   */
  @Test
  void theConfigApiPageListsTheRouteTable() throws IOException {
    List<String> lines = Files.readAllLines(DOCS.resolve("config-api.md"));
    int start = lines.indexOf(ROUTES_HEADING);
    assertThat(start).as("the section " + ROUTES_HEADING + " of docs/config-api.md").isPositive();
    List<String> rows = new ArrayList<>();
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("|")) {
        rows.add(line);
      } else if (!rows.isEmpty() || line.startsWith("## ")) {
        break;
      }
    }
    assertThat(String.join("\n", rows)).isEqualTo(String.join("\n", routeTable()));
  }

  /**
   * Every other row of docs/config-api.md that names a request ({@code | `PUT config/clients/{id}`
   * | `*:config/clients/{id}` + …}) names a route of the table, and the scope it says the request
   * needs is the route's.
   */
  @Test
  void everyRequestTheConfigApiPageNamesIsARouteWithItsScope() throws IOException {
    List<String> wrong = new ArrayList<>();
    int rows = 0;
    for (String line : Files.readAllLines(DOCS.resolve("config-api.md"))) {
      Matcher row = REQUEST_ROW.matcher(line.replace("**", "").replace("``", ""));
      if (!row.find()) {
        continue;
      }
      rows++;
      String template = row.group(2);
      Route route =
          Routes.ALL.stream()
              .filter(r -> r.method().equals(row.group(1)) && r.template().equals(template))
              .findFirst()
              .orElse(null);
      if (route == null) {
        wrong.add(line + " (no such route)");
      } else if (route.gate() == Route.Gate.SCOPE
          && !route.requiredScope(template).equals(row.group(3))) {
        wrong.add(line + " (needs " + route.requiredScope(template) + ")");
      }
    }
    assertThat(rows).as("request rows of docs/config-api.md").isGreaterThan(Routes.ALL.size());
    assertThat(wrong).isEmpty();
  }

  private static final String ROUTES_HEADING = "## Routes";

  private static final Pattern REQUEST_ROW =
      Pattern.compile("^\\| `([A-Z]+) (config/[^`?]*)(?:\\?[^`]*)?` \\| (?:`([^`]*)`)?");

  /** The table of every route, as docs/config-api.md shows it. */
  static List<String> routeTable() {
    List<String> rows = new ArrayList<>();
    rows.add(
        "| method and path | needs | then the route checks that the token | meter `resource` |");
    rows.add("|---|---|---|---|");
    for (Route route : Routes.ALL) {
      String needs =
          switch (route.gate()) {
            case PUBLIC -> "no token";
            case TOKEN -> "any valid token";
            case SCOPE ->
                "`"
                    + route.requiredScope(route.template())
                    + "`"
                    + (route.target() == Route.Target.PARENT
                        ? " (a read of the parent; a deny of the path itself refuses)"
                        : "");
          };
      List<String> checks = route.checks().stream().map(Route.Check::text).sorted().toList();
      rows.add(
          "| `"
              + route.method()
              + " "
              + route.template()
              + "` | "
              + needs
              + " | "
              + (checks.isEmpty() ? "—" : String.join("; ", checks))
              + " | "
              + (route.gate() == Route.Gate.PUBLIC ? "not counted" : "`" + route.tag() + "`")
              + " |");
    }
    return rows;
  }

  /** The self-check: GitHub's anchors of the headings this project writes. */
  @Test
  void slugsAreGithubs() {
    assertThat(slug("evaluate (the issuance dry run)")).isEqualTo("evaluate-the-issuance-dry-run");
    assertThat(slug("My token is active but can't do anything"))
        .isEqualTo("my-token-is-active-but-cant-do-anything");
    assertThat(slug("Config REST API — `/realms/{realm}/config`"))
        .isEqualTo("config-rest-api--realmsrealmconfig");
    assertThat(slug("Issuance rules ([contract §3](docs/contract.md#3))"))
        .isEqualTo("issuance-rules-contract-3");
    assertThat(slug("Why does `scope=XXXXX` give 200 for `invalid_scope`?"))
        .isEqualTo("why-does-scopexxxxx-give-200-for-invalid_scope");
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(README, ROOT.resolve("CONTRIBUTING.md")));
    try (Stream<Path> files = Files.list(DOCS)) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** The link targets of a page, outside code blocks and code spans. */
  private static List<String> links(Path page) throws IOException {
    List<String> targets = new ArrayList<>();
    boolean fence = false;
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("```")) {
        fence = !fence;
        continue;
      }
      if (fence) {
        continue;
      }
      Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  /** The anchors GitHub gives a page's headings: slugs, the n-th repeat suffixed "-n". */
  private static Set<String> headingAnchors(Path page) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fence = false;
    try {
      for (String line : Files.readAllLines(page)) {
        if (line.startsWith("```")) {
          fence = !fence;
        }
        if (fence || !line.matches("^#{1,6} .*")) {
          continue;
        }
        String slug = slug(line.replaceFirst("^#+ ", ""));
        int repeat = seen.merge(slug, 1, Integer::sum) - 1;
        anchors.add(repeat == 0 ? slug : slug + "-" + repeat);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return anchors;
  }

  /** GitHub's anchor of a heading: its text, lower case, punctuation dropped, spaces to "-". */
  static String slug(String heading) {
    String text = MD_LINK.matcher(heading.strip()).replaceAll("$1");
    text = NOT_IN_SLUG.matcher(text.toLowerCase(Locale.ROOT)).replaceAll("");
    return text.replace(' ', '-');
  }
}
