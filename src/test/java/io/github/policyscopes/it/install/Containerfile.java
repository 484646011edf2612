package io.github.policyscopes.it.install;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Containerfile (Dockerfile syntax), as far as {@link InstallRecipeIT} needs
 * them: its stages ({@code FROM image [AS name]}), each with its {@code ARG} defaults, {@code ENV},
 * {@code COPY}, {@code RUN}, {@code ENTRYPOINT} and {@code CMD}. Continuation lines ({@code \} at
 * the end) are joined and comments dropped; anything it does not know fails the parse, so that the
 * test cannot pass over a step it does not run.
 */
final class Containerfile {

  private static final Pattern INSTRUCTION = Pattern.compile("^([A-Za-z]+)\\s+(.*)$");
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One {@code COPY}: its flags ({@code --from}, {@code --chown}, …), sources and destination. */
  record Copy(Map<String, String> flags, List<String> sources, String destination) {}

  /** One build stage: from {@code FROM} to the next. */
  static final class Stage {
    final String image;
    final String name;
    final Map<String, String> args = new LinkedHashMap<>();
    final Map<String, String> env = new LinkedHashMap<>();
    final List<Copy> copies = new ArrayList<>();
    final List<String> runs = new ArrayList<>();
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();

    Stage(String image, String name) {
      this.image = image;
      this.name = name;
    }

    /**
     * {@code text} with {@code $NAME} and {@code ${NAME}} replaced from this stage's ARGs (their
     * defaults, or {@code buildArgs} as {@code --build-arg} would) and ENVs; an unknown one fails.
     */
    String expand(String text, Map<String, String> buildArgs) {
      Matcher m = VARIABLE.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String name = m.group(1) != null ? m.group(1) : m.group(2);
        String value =
            env.containsKey(name)
                ? env.get(name)
                : args.containsKey(name) ? buildArgs.getOrDefault(name, args.get(name)) : null;
        if (value == null) {
          throw new IllegalStateException("Containerfile: $" + name + " is not declared");
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }
  }

  final List<Stage> stages = new ArrayList<>();

  static Containerfile parse(Path file) throws IOException {
    Containerfile parsed = new Containerfile();
    for (String line : logicalLines(Files.readAllLines(file))) {
      Matcher m = INSTRUCTION.matcher(line);
      if (!m.matches()) {
        throw new IllegalStateException("Containerfile: cannot read " + line);
      }
      String instruction = m.group(1).toUpperCase();
      String rest = m.group(2).trim();
      if (instruction.equals("FROM")) {
        String[] words = rest.split("\\s+");
        String name = words.length == 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
        if (words.length != 1 && name == null) {
          throw new IllegalStateException("Containerfile: cannot read FROM " + rest);
        }
        parsed.stages.add(new Stage(words[0], name));
        continue;
      }
      if (parsed.stages.isEmpty()) {
        throw new IllegalStateException("Containerfile: " + instruction + " before FROM");
      }
      Stage stage = parsed.stages.get(parsed.stages.size() - 1);
      switch (instruction) {
        case "ARG" -> {
          String[] kv = rest.split("=", 2);
          stage.args.put(kv[0], kv.length == 2 ? kv[1] : "");
        }
        case "ENV" -> {
          for (String pair : rest.split("\\s+")) {
            String[] kv = pair.split("=", 2);
            if (kv.length != 2) {
              throw new IllegalStateException("Containerfile: ENV KEY=VALUE only: " + rest);
            }
            stage.env.put(kv[0], stage.expand(kv[1], Map.of()));
          }
        }
        case "COPY" -> stage.copies.add(copy(rest));
        case "RUN" -> stage.runs.add(rest);
        case "ENTRYPOINT" -> stage.entrypoint = execForm(rest);
        case "CMD" -> stage.cmd = execForm(rest);
        case "WORKDIR", "USER", "LABEL", "EXPOSE" -> {
          // no effect on a distribution started in place
        }
        default ->
            throw new IllegalStateException(
                "Containerfile: " + instruction + " is not run by InstallRecipeIT; teach it");
      }
    }
    return parsed;
  }

  Stage stage(String name) {
    return stages.stream()
        .filter(s -> name.equals(s.name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("Containerfile: no stage " + name));
  }

  /** The stage the image is made of: the last one. */
  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  private static Copy copy(String rest) {
    List<String> words = new ArrayList<>(Arrays.asList(rest.split("\\s+")));
    Map<String, String> flags = new LinkedHashMap<>();
    while (!words.isEmpty() && words.get(0).startsWith("--")) {
      String[] kv = words.remove(0).substring(2).split("=", 2);
      flags.put(kv[0], kv.length == 2 ? kv[1] : "");
    }
    if (words.size() < 2) {
      throw new IllegalStateException("Containerfile: COPY needs a source and a destination");
    }
    return new Copy(
        flags, List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1));
  }

  private static List<String> execForm(String rest) {
    try {
      return JSON.readValue(rest, new TypeReference<List<String>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("Containerfile: exec form (JSON array) only: " + rest, e);
    }
  }

  private static List<String> logicalLines(List<String> lines) {
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      if (current.length() > 0) {
        logical.add(current.toString().trim());
      }
      current.setLength(0);
    }
    if (current.length() > 0) {
      logical.add(current.toString().trim());
    }
    return logical;
  }
}
