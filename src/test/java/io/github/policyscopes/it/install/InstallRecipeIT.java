package io.github.policyscopes.it.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.policyscopes.it.DistributionServer;
import io.github.policyscopes.it.cluster.KeycloakCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The install recipes of {@code docs/install.md} hold, as far as a machine without a container
 * runtime can tell: the {@code Containerfile} copies the JAR the build made, its {@code kc.sh
 * build} and its runtime stage's {@code start --optimized} (run on a copy of the distribution, the
 * database vendor set to {@code dev-file} as {@code --build-arg KC_DB=dev-file} would) give a ready
 * Keycloak with the extension active; and the Operator and Helm snippets cite that image, that JAR
 * and those build options. The docs show the recipe files verbatim.
 */
class InstallRecipeIT {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path CONTAINERFILE = ROOT.resolve("Containerfile");
  private static final Path INSTALL_DOC = ROOT.resolve("docs/install.md");
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Path JAR = Path.of(System.getProperty("extension.jar")).toAbsolutePath();
  private static final String VERSION = System.getProperty("project.version");
  private static final String KEYCLOAK_IMAGE = "quay.io/keycloak/keycloak";
  private static final String IMAGE = "registry.example.com/keycloak-policy-bound-scopes";

  /** Where the Containerfile's paths point: the Keycloak image's home. */
  private static final String IMAGE_HOME = "/opt/keycloak";

  /** The one change to the recipe: no PostgreSQL here (the vendor is a build argument). */
  private static final Map<String, String> BUILD_ARGS = Map.of("KC_DB", "dev-file");

  private static final Pattern JAR_NAME =
      Pattern.compile(
          "keycloak-policy-bound-scopes-([0-9][A-Za-z0-9.\\-]*?)(?:-sources|-javadoc)?\\.jar");
  private static final Pattern IMAGE_TAG =
      Pattern.compile(Pattern.quote(IMAGE) + ":([A-Za-z0-9.\\-]+)");
  private static final Pattern KEYCLOAK_TAG =
      Pattern.compile(Pattern.quote(KEYCLOAK_IMAGE) + ":([A-Za-z0-9.\\-]+)");

  @Test
  void theContainerfileCopiesTheJarTheBuildMade() throws IOException {
    assertThat(JAR).as("the JAR mvn package made").isRegularFile();
    Containerfile file = Containerfile.parse(CONTAINERFILE);
    Containerfile.Stage builder = file.stage("builder");

    List<Containerfile.Copy> jars =
        builder.copies.stream().filter(c -> !c.flags().containsKey("from")).toList();
    assertThat(jars).as("COPY of the builder stage").hasSize(1);
    assertThat(jars.get(0).sources())
        .as("the JAR the build made, relative to the repository root")
        .containsExactly(ROOT.relativize(JAR).toString());
    assertThat(jars.get(0).destination()).isEqualTo(IMAGE_HOME + "/providers/");

    assertThat(file.stages).hasSize(2);
    assertThat(file.runtime().copies)
        .as("the runtime stage is the built home")
        .containsExactly(
            new Containerfile.Copy(
                Map.of("from", "builder"), List.of(IMAGE_HOME + "/"), IMAGE_HOME + "/"));
    assertThat(file.stages.stream().map(s -> s.image).distinct().toList())
        .as("one Keycloak image for both stages")
        .hasSize(1)
        .allSatisfy(image -> assertThat(image).startsWith(KEYCLOAK_IMAGE + ":"));
  }

  /**
   * Every recipe (the Containerfile, docs/install.md, deploy/) names this version's JAR and image
   * and the Containerfile's Keycloak; the Operator and Helm snippets that build at start give the
   * Containerfile's build options; the docs show each recipe file verbatim.
   */
  @Test
  void theRecipesAgree() throws IOException {
    String jarName = JAR.getFileName().toString();
    assertThat(jarName).isEqualTo("keycloak-policy-bound-scopes-" + VERSION + ".jar");
    Containerfile file = Containerfile.parse(CONTAINERFILE);
    String keycloakTag = file.runtime().image.substring(KEYCLOAK_IMAGE.length() + 1);

    List<Path> recipes = new ArrayList<>(List.of(CONTAINERFILE, INSTALL_DOC));
    recipes.addAll(deployFiles());
    String doc = Files.readString(INSTALL_DOC);
    for (Path recipe : recipes) {
      String text = Files.readString(recipe);
      String name = ROOT.relativize(recipe).toString();
      assertThat(all(JAR_NAME, text)).as("JAR versions in " + name).isSubsetOf(VERSION);
      assertThat(all(IMAGE_TAG, text)).as("image tags in " + name).isSubsetOf(VERSION);
      assertThat(all(KEYCLOAK_TAG, text))
          .as("Keycloak image tags in " + name)
          .isSubsetOf(keycloakTag);
      if (!recipe.equals(INSTALL_DOC)) {
        assertThat(doc).as("docs/install.md shows " + name + " verbatim").contains(text.strip());
      }
    }

    // the images the optimized recipes run, and the JAR the init containers fetch
    String image = IMAGE + ":" + VERSION;
    assertThat(Files.readString(CONTAINERFILE)).contains("-t " + image + " .");
    assertThat(Files.readString(DEPLOY.resolve("operator/keycloak.yaml")))
        .contains("image: " + image);
    assertThat(Files.readString(DEPLOY.resolve("helm/keycloakx-values.yaml")))
        .contains("repository: " + IMAGE)
        .contains("tag: \"" + VERSION + "\"")
        .contains("- --optimized");
    for (String init :
        List.of(
            "operator/keycloak-init-container.yaml", "helm/keycloakx-values-init-container.yaml")) {
      assertThat(Files.readString(DEPLOY.resolve(init)))
          .as(init)
          .contains(
              "/io/github/policyscopes/keycloak-policy-bound-scopes/" + VERSION + "/" + jarName)
          .contains("/providers/" + jarName + " \"$JAR_URL\"")
          .contains("sha256sum -c")
          .doesNotContain("- --optimized");
    }

    // the build options: the bare-metal recipe runs the same kc.sh build, the snippets that build
    // at every start give each option (the database vendor comes from their own db settings)
    List<String> build = buildOptions(file, Map.of());
    assertThat(doc).contains("bin/kc.sh build " + String.join(" ", build));
    assertThat(doc).contains("cp " + ROOT.relativize(JAR) + " /opt/keycloak/providers/");
    String operator = Files.readString(DEPLOY.resolve("operator/keycloak-init-container.yaml"));
    String helm = Files.readString(DEPLOY.resolve("helm/keycloakx-values-init-container.yaml"));
    String helmImage = Files.readString(DEPLOY.resolve("helm/keycloakx-values.yaml"));
    for (String option : build) {
      Matcher m = Pattern.compile("--([a-z-]+)=(.+)").matcher(option);
      assertThat(m.matches()).as(option).isTrue();
      String name = m.group(1);
      String value = m.group(2);
      if (name.equals("db")) {
        assertThat(operator).contains("vendor: " + value);
        assertThat(helm).contains("vendor: " + value);
        assertThat(helmImage).contains("vendor: " + value);
        continue;
      }
      assertThat(operator)
          .as("the Operator init-container recipe gives " + option)
          .contains("- name: " + name + "\n      value: \"" + value + "\"");
      assertThat(name)
          .as("the Helm recipes know only the chart's <x>.enabled options; teach this test")
          .endsWith("-enabled");
      String chartValue = name.substring(0, name.length() - "-enabled".length());
      for (String values : List.of(helm, helmImage)) {
        assertThat(values)
            .as("the Helm recipes give " + option)
            .contains(chartValue + ":\n  enabled: " + value);
      }
    }
  }

  /**
   * The Containerfile's steps on a copy of the distribution: {@code kc.sh build} with its options,
   * then its runtime stage's command ({@code start --optimized}) with what a deployment adds at run
   * time here (HTTP on loopback, free ports, no hostname, a local cache): ready, health and metrics
   * served, the extension active.
   */
  @Test
  void theContainerfileBuildsAndStartsOptimized() throws IOException, InterruptedException {
    Containerfile file = Containerfile.parse(CONTAINERFILE);
    String keycloakVersion = System.getProperty("keycloak.version");
    assumeTrue(
        file.runtime().image.equals(KEYCLOAK_IMAGE + ":" + keycloakVersion),
        "the Containerfile's Keycloak is not the one of this run (" + keycloakVersion + ")");
    Path dist = Path.of(System.getProperty("keycloak.home"));
    assertThat(dist.resolve("bin/kc.sh")).as("the unpacked distribution").isRegularFile();

    Path dir = JAR.getParent().resolve("install-recipe");
    Path home = dir.resolve("keycloak");
    Path logs = dir.resolve("logs");
    KeycloakCluster.deleteTree(dir);
    long started = System.nanoTime();
    KeycloakCluster.copyTree(dist, home, Set.of(dist.resolve("data"), dist.resolve("providers")));
    Files.createDirectories(logs);

    // COPY target/<jar> /opt/keycloak/providers/
    Containerfile.Stage builder = file.stage("builder");
    for (Containerfile.Copy copy : builder.copies) {
      Path target = onHome(home, copy.destination());
      Files.createDirectories(target);
      for (String source : copy.sources()) {
        Path from = ROOT.resolve(source);
        Files.copy(from, target.resolve(from.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    // RUN /opt/keycloak/bin/kc.sh build …
    List<String> build = new ArrayList<>(List.of(kcSh(home), "build"));
    build.addAll(buildOptions(file, BUILD_ARGS));
    // a RUN sees the stage's ARGs (as built) and ENVs as environment variables
    Map<String, String> buildEnv = new LinkedHashMap<>();
    builder.args.forEach((name, value) -> buildEnv.put(name, BUILD_ARGS.getOrDefault(name, value)));
    buildEnv.putAll(builder.env);
    run(build, buildEnv, home, logs.resolve("build.log"));
    double buildSeconds = (System.nanoTime() - started) / 1e9;

    // ENTRYPOINT + CMD of the runtime stage, and the run-time options of a deployment
    Containerfile.Stage runtime = file.runtime();
    List<String> command = new ArrayList<>();
    for (String word : concat(runtime.entrypoint, runtime.cmd)) {
      command.add(word.startsWith(IMAGE_HOME + "/") ? onHome(home, word).toString() : word);
    }
    assertThat(command.subList(1, command.size())).containsExactly("start", "--optimized");
    command.set(0, kcSh(home));
    int http = freePort();
    int management = freePort();
    command.addAll(
        List.of(
            "--http-enabled=true",
            "--http-host=127.0.0.1",
            "--http-port=" + http,
            "--http-management-port=" + management,
            "--hostname-strict=false",
            "--cache=local"));
    Path log = logs.resolve("keycloak.log");
    ProcessBuilder builderProcess =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    environment(builderProcess, runtime.env);
    long start = System.nanoTime();
    Process keycloak = builderProcess.start();
    try {
      DistributionServer.awaitReady(
          keycloak, URI.create("http://127.0.0.1:" + management + "/health/ready"), log);
      double startSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "InstallRecipeIT: copy + kc.sh build %.1f s, start --optimized %.1f s%n",
          buildSeconds, startSeconds);

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> metrics = get(client, "http://127.0.0.1:" + management + "/metrics");
      assertThat(metrics.statusCode()).as("metrics (a build option)").isEqualTo(200);
      HttpResponse<String> openapi =
          get(client, "http://127.0.0.1:" + http + "/realms/master/config/openapi.json");
      assertThat(openapi.statusCode()).as("the extension's config API").isEqualTo(200);
      assertThat(openapi.body()).contains("\"openapi\"");
      assertThat(Files.readString(log))
          .as("the extension's start line")
          .containsPattern(
              "Policy-bound scopes .*active on Keycloak " + Pattern.quote(keycloakVersion))
          .doesNotContain("Policy-bound scopes cannot run");
    } finally {
      DistributionServer.destroyTree(keycloak);
    }
  }

  /** The options of the builder stage's {@code kc.sh build}, its variables expanded. */
  private static List<String> buildOptions(Containerfile file, Map<String, String> buildArgs) {
    Containerfile.Stage builder = file.stage("builder");
    List<List<String>> builds =
        builder.runs.stream()
            .map(run -> Arrays.asList(builder.expand(run, buildArgs).trim().split("\\s+")))
            .filter(words -> words.size() >= 2 && words.get(0).endsWith("/kc.sh"))
            .toList();
    assertThat(builds).as("RUN kc.sh build in the builder stage").hasSize(1);
    assertThat(builder.runs).as("no other RUN: the test runs only kc.sh").hasSize(1);
    List<String> words = builds.get(0);
    assertThat(words.get(0)).isEqualTo(IMAGE_HOME + "/bin/kc.sh");
    assertThat(words.get(1)).isEqualTo("build");
    return List.copyOf(words.subList(2, words.size()));
  }

  private static void run(List<String> command, Map<String, String> env, Path home, Path log)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    environment(builder, env);
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      DistributionServer.destroyTree(process);
      throw new IllegalStateException(command + " did not end in 5 minutes");
    }
    assertThat(process.exitValue())
        .as(String.join(" ", command) + ":\n" + Files.readString(log))
        .isZero();
  }

  private static void environment(ProcessBuilder builder, Map<String, String> env) {
    builder.environment().remove("JAVA_OPTS"); // it would replace every JVM flag kc.sh sets
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().putAll(env);
  }

  private static String kcSh(Path home) {
    return home.resolve("bin/kc.sh").toString();
  }

  private static Path onHome(Path home, String imagePath) {
    assertThat(imagePath).as("a path of the Keycloak image").startsWith(IMAGE_HOME + "/");
    return home.resolve(imagePath.substring(IMAGE_HOME.length() + 1));
  }

  private static List<Path> deployFiles() throws IOException {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static Set<String> all(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    Set<String> found = new LinkedHashSet<>();
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).collect(Collectors.toList());
  }

  private static HttpResponse<String> get(HttpClient client, String url)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
