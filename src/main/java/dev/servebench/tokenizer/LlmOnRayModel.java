package dev.servebench.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One of LLM-on-Ray's model files ({@code llm_on_ray/inference/models/*.yaml}, {@code
 * inference/models/*.yaml} in older checkouts): the model LLM-on-Ray serves under {@code name} (its
 * OpenAI model id), at {@code route_prefix} (its simple endpoint), and the tokenizer it loads. Only
 * these keys are read; the rest of the file (devices, precisions, an access token) is not.
 *
 * @param file the file it was read from
 * @param name {@code name}: the model id LLM-on-Ray's OpenAI server lists, or {@code null}
 * @param routePrefix {@code route_prefix}: the simple endpoint's path, or {@code null}
 * @param modelIdOrPath {@code model_description.model_id_or_path}, or {@code null}
 * @param tokenizerNameOrPath {@code model_description.tokenizer_name_or_path}, or {@code null}
 */
public record LlmOnRayModel(
    Path file, String name, String routePrefix, String modelIdOrPath, String tokenizerNameOrPath) {

  /** Where a checkout keeps its model files, relative to its root. */
  static final Path PACKAGE_MODELS = Path.of("llm_on_ray", "inference", "models");

  /** The same before the code moved into the {@code llm_on_ray} package. */
  static final Path OLD_MODELS = Path.of("inference", "models");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Subdirectories of the models directory (hpu/, vllm/, ...) hold more models; none go deeper. */
  private static final int MODEL_FILE_DEPTH = 2;

  /**
   * Reads a model file.
   *
   * @throws InvalidInputException naming the file when it cannot be read or is not one
   */
  public static LlmOnRayModel read(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read LLM-on-Ray model file "
              + file
              + " ("
              + firstLine(e.getMessage())
              + "): pass one of the checkout's inference/models/*.yaml files",
          e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(
          file
              + " is not an LLM-on-Ray model file (it is not a YAML mapping): pass one of the"
              + " checkout's inference/models/*.yaml files");
    }
    JsonNode description = root.path("model_description");
    return new LlmOnRayModel(
        file,
        text(root.path("name")),
        text(root.path("route_prefix")),
        text(description.path("model_id_or_path")),
        text(description.path("tokenizer_name_or_path")));
  }

  /**
   * What LLM-on-Ray loads the tokenizer from: {@code tokenizer_name_or_path}, else the model's own
   * {@code model_id_or_path} (a model repository holds its tokenizer); {@code null} when neither.
   */
  public String tokenizerReference() {
    return tokenizerNameOrPath != null ? tokenizerNameOrPath : modelIdOrPath;
  }

  /** The simple endpoint's route with its leading slash, or {@code null} when none is set. */
  public String route() {
    if (routePrefix == null) {
      return null;
    }
    return routePrefix.startsWith("/") ? routePrefix : "/" + routePrefix;
  }

  /**
   * How well this file answers for {@code modelName}, best first: 0 when it is the file's {@code
   * name} (the key the seed benchmark script looks models up by), 1 its route without slashes, 2
   * its {@code model_id_or_path}; -1 when none. Case is ignored.
   */
  int match(String modelName) {
    String wanted = modelName.strip();
    if (name != null && name.equalsIgnoreCase(wanted)) {
      return 0;
    }
    if (routePrefix != null
        && !routePrefix.isBlank()
        && routePrefix.replaceAll("^/+|/+$", "").equalsIgnoreCase(wanted)) {
      return 1;
    }
    if (modelIdOrPath != null && modelIdOrPath.equalsIgnoreCase(wanted)) {
      return 2;
    }
    return -1;
  }

  /**
   * The model files of the directories given, top level first, each directory's files by name.
   * Files that cannot be read as model files are left out: one broken file in a checkout does not
   * stop a run that needs another.
   */
  static List<LlmOnRayModel> readAll(List<Path> modelDirectories) {
    List<LlmOnRayModel> models = new ArrayList<>();
    for (Path dir : modelDirectories) {
      for (Path file : modelFiles(dir)) {
        try {
          models.add(read(file));
        } catch (InvalidInputException unreadable) {
          // Left out, as said above.
        }
      }
    }
    return models;
  }

  private static List<Path> modelFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir, MODEL_FILE_DEPTH)) {
      return files
          .filter(LlmOnRayModel::isYaml)
          .sorted(
              Comparator.comparingInt((Path file) -> dir.relativize(file).getNameCount())
                  .thenComparing(Path::toString))
          .toList();
    } catch (IOException | UncheckedIOException unreadable) {
      return List.of();
    }
  }

  /**
   * The model directories of {@code dir}, named on the command line: a checkout's root (either
   * layout), or a directory of model files itself.
   */
  static List<Path> modelDirectories(Path dir) {
    List<Path> checkout = checkoutModelDirectories(dir);
    if (!checkout.isEmpty()) {
      return checkout;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(LlmOnRayModel::isYaml) ? List.of(dir) : List.of();
    } catch (IOException | UncheckedIOException unreadable) {
      return List.of();
    }
  }

  /**
   * The model directories of {@code dir} if it is a checkout's root. The older layout's {@code
   * inference/models} is a common name, so it counts only beside LLM-on-Ray's {@code
   * inference_config.py}.
   */
  static List<Path> checkoutModelDirectories(Path dir) {
    Path current = dir.resolve(PACKAGE_MODELS);
    if (Files.isDirectory(current)) {
      return List.of(current);
    }
    Path old = dir.resolve(OLD_MODELS);
    if (Files.isDirectory(old) && Files.isRegularFile(old.resolveSibling("inference_config.py"))) {
      return List.of(old);
    }
    return List.of();
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(file);
  }

  private static String text(JsonNode node) {
    if (node == null || !node.isValueNode() || node.isNull()) {
      return null;
    }
    String value = node.asText().strip();
    return value.isEmpty() ? null : value;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
