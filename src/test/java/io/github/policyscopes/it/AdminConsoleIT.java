package io.github.policyscopes.it;

import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's journey in the stock admin console (no feature flag), in a real headless Chromium:
 * create a token policy (client scope + "Token policy" mapper), bind it to a client, edit its
 * allowed scopes, lifetime and mode, see a malformed entry refused with a readable message, unbind
 * it. Every step is checked through a token of the bound client. The test creates its own policy
 * and client, so the demo data other ITs rely on stays untouched.
 *
 * <p>Needs the Debian packages {@code chromium} and {@code chromium-driver} ({@code
 * /usr/bin/chromium}, {@code /usr/bin/chromedriver}; other paths through {@code -Dchromium.binary}
 * and {@code -Dchromedriver.path}). Without them the test is skipped, with a message. Screenshots
 * go to {@code target/screenshots/}.
 */
class AdminConsoleIT extends OnSharedKeycloak {

  private static final String REALM = TestClient.REALM;
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String MAPPER_TYPE = "Token policy (policy-bound scopes)";

  private static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
  private static final String CHROMEDRIVER =
      System.getProperty("chromedriver.path", "/usr/bin/chromedriver");

  private WebDriver driver;
  private WebDriverWait wait;
  private Path profile;
  private Path screenshots;
  private String console;

  /** Runs before the server parameter is resolved: without a browser, no server starts either. */
  @BeforeEach
  void requireBrowser() {
    boolean installed =
        Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
    String hint =
        "AdminConsoleIT skipped: no headless browser ("
            + CHROMIUM
            + ", "
            + CHROMEDRIVER
            + "). Install it with: apt-get install chromium chromium-driver";
    if (!installed) {
      System.err.println(hint); // also in the build log, not only in the report
    }
    Assumptions.assumeTrue(installed, hint);
  }

  private void startBrowser(TestClient http) throws IOException {
    screenshots =
        Path.of(System.getProperty("screenshot.dir", "target/screenshots")).toAbsolutePath();
    Files.createDirectories(screenshots);
    profile = Files.createTempDirectory("admin-console-it-chromium");

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        "--window-size=1400,1000");
    // the driver's path is explicit: Selenium Manager never runs (nor downloads anything)
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, WAIT);
    console = http.baseUrl() + "/admin/master/console/#/" + REALM;
  }

  @AfterEach
  void stopBrowser() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void anOperatorManagesATokenPolicyInTheStockConsole(TestClient http) throws IOException {
    startBrowser(http);
    try {
      journey(http);
    } catch (RuntimeException | AssertionError e) {
      screenshot("failure");
      throw e;
    }
  }

  private void journey(TestClient http) {
    Fixtures admin = new Fixtures(http);
    String clientId = Fixtures.unique("console-it-client");
    String secret = clientId + "-secret";
    String clientUuid = admin.createClient(clientId, secret);
    String policy = Fixtures.unique("console-it-policy");

    signIn();

    // 1. Client scopes → Create client scope
    driver.get(console + "/client-scopes/new");
    visible(By.id("name")).sendKeys(policy);
    driver.findElement(By.id("description")).sendKeys("Orders automation");
    WebElement consent =
        driver.findElement(
            By.xpath("//input[@data-testid='attributes.display.on.consent.screen']"));
    if (consent.isSelected()) {
      consent.findElement(By.xpath("..")).click();
    }
    screenshot("01-create-client-scope");
    click(By.xpath("//button[@data-testid='save']"));
    wait.until(d -> d.getCurrentUrl().matches(".*/client-scopes/[0-9a-f-]{36}/settings$"));
    String policyId =
        driver.getCurrentUrl().replaceAll(".*/client-scopes/([0-9a-f-]{36})/.*", "$1");

    // 2. Mappers → Configure a new mapper: our type, with its English name and help text
    driver.get(console + "/client-scopes/" + policyId + "/mappers");
    click(By.xpath("//button[@data-testid='configure-a-new-mapper-empty-action']"));
    WebElement type = visible(By.xpath("//li[@id='pbs-token-policy']"));
    scrollTo(type);
    assertThat(type.getText()).contains(MAPPER_TYPE).contains("Binds the scopes this client");
    screenshot("02-configure-a-new-mapper");
    type.click();

    // 3. The policy form: labels and help texts resolved from the JAR's message bundle
    visible(By.id("name")).sendKeys("token policy");
    assertThat(driver.findElement(By.id("mapperType")).getAttribute("value"))
        .isEqualTo(MAPPER_TYPE);
    assertThat(labels())
        .contains("Allowed scopes", "Access token lifetime", "Disallowed scopes")
        .noneMatch(label -> label.startsWith("pbs."));
    allowedScope(0).sendKeys(".:config/orders/**");
    driver.findElement(By.id("config.accessTokenLifetime")).sendKeys("300");
    click(By.xpath("//button[@data-testid='help-label-pbs.allowedScopes.label']"));
    WebElement help =
        visible(By.xpath("//*[contains(@class,'pf-v5-c-popover')][contains(., 'one per line')]"));
    assertThat(help.getText()).doesNotContain("pbs.");
    screenshot("03-token-policy-form");
    click(By.xpath("//button[@data-testid='help-label-pbs.allowedScopes.label']"));
    click(By.xpath("//button[@data-testid='save']"));
    wait.until(d -> d.getCurrentUrl().endsWith("/client-scopes/" + policyId + "/mappers"));
    WebElement row = visible(By.xpath("//tr[td//a[normalize-space()='token policy']]"));
    assertThat(row.getText()).contains(MAPPER_TYPE);
    screenshot("04-policy-mappers-tab");

    // 4. Clients → client → Client scopes → Add client scope → Default
    driver.get(console + "/clients/" + clientUuid + "/clientScopes/setup");
    dismissAlerts();
    click(By.xpath("//button[normalize-space()='Add client scope']"));
    WebElement search =
        visible(By.xpath("//div[@role='dialog']//input[@placeholder='Search for client scope']"));
    search.sendKeys(policy, Keys.ENTER);
    click(
        By.xpath(
            "//div[@role='dialog']//tr[td[normalize-space()='"
                + policy
                + "']]//input[@type='checkbox']"));
    screenshot("05-add-client-scope");
    click(By.id("add-dropdown"));
    click(By.xpath("//*[@role='menuitem'][normalize-space()='Default']"));
    WebElement bound = bindingRow(policy);
    assertThat(bound.getText()).contains("Default").contains("Orders automation");
    dismissAlerts();
    screenshot("06-client-bound-policies");

    assertThat(scopeOf(http.clientCredentials(clientId, secret, ".:config/orders/items")))
        .isEqualTo(".:config/orders/items");
    assertThat(scopeOf(http.clientCredentials(clientId, secret, "*:config/orders/items")))
        .as("read-only policy: write dropped")
        .isNull();

    // 5. Edit: allowed scope, lifetime, mode
    openMapper(policyId);
    dismissAlerts();
    replace(allowedScope(0), "*:config/orders/**");
    replace(driver.findElement(By.id("config.accessTokenLifetime")), "600");
    click(By.id("disallowedScopes"));
    click(By.xpath("//*[@role='option'][normalize-space()='reject']"));
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.xpath("//*[@role='option']")));
    wait.until(
        ExpectedConditions.textToBe(
            By.cssSelector("#disallowedScopes .pf-v5-c-menu-toggle__text"), "reject"));
    click(By.xpath("//button[@data-testid='save']"));
    alert("success", "Mapping successfully updated");
    screenshot("07-policy-edited");

    Reply edited = http.clientCredentials(clientId, secret, "*:config/orders/items");
    assertThat(scopeOf(edited)).isEqualTo("*:config/orders/items");
    JsonNode claims = TestClient.claims(edited.json().get("access_token").asText());
    assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isEqualTo(600);
    Reply rejected = http.clientCredentials(clientId, secret, "*:config/invoices");
    assertThat(rejected).as("reject mode").hasStatus(400).hasError("invalid_scope");

    // 6. A second client given the policy as Optional (which does nothing): the policy's page names
    // it, with the near misses of its entries, from the next save on (issue 23)
    String optionalClient = Fixtures.unique("console-it-optional");
    String optionalUuid = admin.createClient(optionalClient, optionalClient + "-secret");
    admin.bindOptional(optionalUuid, policyId);
    openMapper(policyId);
    dismissAlerts();
    click(By.xpath("//button[@data-testid='save']"));
    alert("success", "Mapping successfully updated");
    openMapper(policyId);
    dismissAlerts();
    By warningsField = By.xpath("//textarea[@data-testid='warnings']");
    wait.until(d -> d.findElement(warningsField).getDomProperty("value").contains("Optional"));
    WebElement warnings = visible(warningsField);
    assertThat(warnings.getDomProperty("value"))
        .startsWith("At the last save:")
        .contains("`*:config/orders/**` never matches: the config API has no `orders`")
        .contains(
            "Bound as Optional to `" + optionalClient + "`: Optional token policies do nothing");
    assertThat(labels()).contains("Warnings (at the last save)");
    ((JavascriptExecutor) driver)
        .executeScript("arguments[0].style.height = arguments[0].scrollHeight + 'px';", warnings);
    scrollTo(warnings);
    screenshot("10-policy-warnings");
    assertThat(
            http.clientCredentials(
                optionalClient, optionalClient + "-secret", "*:config/orders/items"))
        .as("bound as Optional: the policy does nothing, stock Keycloak refuses the unknown scope")
        .hasStatus(400);

    // 7. A malformed entry is refused, with the reason, and nothing changes
    dismissAlerts();
    click(By.xpath("//button[@data-testid='config.allowedScopes-addValue']"));
    allowedScope(1).sendKeys("*:a//b");
    click(By.xpath("//button[@data-testid='save']"));
    WebElement error = alert("danger", "Could not update mapping");
    assertThat(error.getText())
        .contains("Invalid token policy: Allowed scopes, entry 2: \"*:a//b\": empty path segment")
        .doesNotContain("pbs.");
    screenshot("08-invalid-entry-refused");
    assertThat(
            http.admin(
                    "GET",
                    "realms/" + REALM + "/client-scopes/" + policyId + "/protocol-mappers/models",
                    null)
                .json()
                .get(0)
                .path("config")
                .path("allowedScopes")
                .asText())
        .isEqualTo("*:config/orders/**");

    // 8. Unbind: the client's Client scopes tab → ⋮ → Remove
    driver.get(console + "/clients/" + clientUuid + "/clientScopes/setup");
    dismissAlerts();
    WebElement binding = bindingRow(policy);
    binding.findElement(By.xpath(".//button[@aria-label='Kebab toggle']")).click();
    click(By.xpath("//*[@role='menuitem'][normalize-space()='Remove']"));
    visible(By.xpath("//div[@role='dialog']//*[contains(., '" + policy + "')]"));
    screenshot("09-unbind-policy");
    click(By.xpath("//div[@role='dialog']//button[@data-testid='confirm']"));
    alert("success", "Scope mapping successfully removed");

    Reply stock = http.clientCredentials(clientId, secret, "*:config/orders/items");
    assertThat(stock).as("unbound: stock Keycloak refuses the unknown scope").hasStatus(400);
    assertThat(http.admin("GET", "realms/" + REALM + "/client-scopes/" + policyId, null))
        .as("unbinding keeps the policy")
        .hasStatus(200);
  }

  // ---- helpers ----

  private void signIn() {
    driver.get(console);
    visible(By.id("username")).sendKeys("admin");
    driver.findElement(By.id("password")).sendKeys("admin");
    driver.findElement(By.id("kc-login")).click();
    visible(By.id("nav-item-client-scopes"));
  }

  private void openMapper(String policyId) {
    driver.get(console + "/client-scopes/" + policyId + "/mappers");
    click(By.xpath("//a[normalize-space()='token policy']"));
    wait.until(d -> d.getCurrentUrl().endsWith("/edit"));
    // the form is filled once the mapper is loaded: typing earlier would be overwritten
    wait.until(d -> !allowedScope(0).getDomProperty("value").isEmpty());
  }

  /** The row of a policy in the client's Client scopes tab, found through the search box. */
  private WebElement bindingRow(String policy) {
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.xpath("//div[@role='dialog']")));
    By search = By.xpath("//input[@placeholder='Search by name']");
    wait.ignoring(StaleElementReferenceException.class)
        .until(
            d -> {
              WebElement input = d.findElement(search);
              replace(input, policy);
              input.sendKeys(Keys.ENTER);
              return true;
            });
    WebElement row = visible(By.xpath("//tr[td[normalize-space()='" + policy + "']]"));
    scrollTo(row);
    return row;
  }

  private WebElement allowedScope(int index) {
    return visible(By.xpath("//input[@data-testid='config.allowedScopes" + index + "']"));
  }

  private List<String> labels() {
    return driver.findElements(By.cssSelector(".pf-v5-c-form__label-text")).stream()
        .map(WebElement::getText)
        .map(String::trim)
        .toList();
  }

  /** Waits for an alert of the variant whose text contains {@code text}. */
  private WebElement alert(String variant, String text) {
    return visible(
        By.xpath(
            "//ul[@data-testid='global-alerts']"
                + "//div[contains(@class,'pf-v5-c-alert') and contains(@class,'pf-m-"
                + variant
                + "')][contains(., '"
                + text
                + "')]"));
  }

  /** Closes the toasts still shown, so that the next screenshot shows only what it is about. */
  private void dismissAlerts() {
    ((JavascriptExecutor) driver)
        .executeScript(
            "document.querySelectorAll('[data-testid=global-alerts] .pf-v5-c-alert__action button')"
                + ".forEach(b => b.click());");
    wait.until(
        ExpectedConditions.numberOfElementsToBe(
            By.xpath("//ul[@data-testid='global-alerts']//div[contains(@class,'pf-v5-c-alert')]"),
            0));
  }

  private static String scopeOf(Reply reply) {
    assertThat(reply).hasStatus(200);
    JsonNode scope = reply.json().get("scope");
    return scope == null ? null : scope.asText();
  }

  /** Replaces a React-controlled input's value the way a user does: select all, type. */
  private static void replace(WebElement input, String value) {
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), value);
  }

  private WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  private void click(By by) {
    WebElement element = wait.until(ExpectedConditions.elementToBeClickable(by));
    scrollTo(element);
    element.click();
  }

  private void scrollTo(WebElement element) {
    ((JavascriptExecutor) driver)
        .executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
  }

  private void screenshot(String name) {
    try {
      Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(shot, screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
