package dev.servebench.tokenizer;

import dev.servebench.error.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a tokenizer is looked for on this machine: the environment that locates the Hugging Face
 * cache, the home and working directories, and an LLM-on-Ray checkout. A value, so that tests point
 * the search at a cache of their own instead of changing the process's environment.
 *
 * @param environment environment variables ({@code HF_HUB_CACHE}, {@code HF_HOME}, {@code HOME},
 *     ...)
 * @param homeDirectory the user's home, used when {@code HOME} is not in {@code environment}
 * @param workingDirectory what relative paths are resolved against, and where an LLM-on-Ray
 *     checkout is looked for when none is named
 * @param llmOnRayCheckout the checkout named by {@code --llm-on-ray}, or {@code null}
 */
public record TokenizerLocations(
    Map<String, String> environment,
    Path homeDirectory,
    Path workingDirectory,
    Path llmOnRayCheckout) {

  public TokenizerLocations {
    environment = Map.copyOf(environment);
    workingDirectory = workingDirectory.toAbsolutePath();
  }

  /** This process's environment, home and working directory, with no checkout named. */
  public static TokenizerLocations system() {
    return withEnvironment(System.getenv());
  }

  /** This process's home and working directory in {@code environment}, with no checkout named. */
  public static TokenizerLocations withEnvironment(Map<String, String> environment) {
    return new TokenizerLocations(
        environment,
        Path.of(System.getProperty("user.home")),
        Path.of(System.getProperty("user.dir")),
        null);
  }

  /**
   * The same places with {@code checkout} as the LLM-on-Ray checkout ({@code null}: none).
   *
   * @throws InvalidInputException when {@code checkout} holds no LLM-on-Ray model files: a named
   *     checkout that is wrong would otherwise be passed over without a word
   */
  public TokenizerLocations withLlmOnRayCheckout(Path checkout) {
    TokenizerLocations named =
        new TokenizerLocations(environment, homeDirectory, workingDirectory, checkout);
    if (checkout != null && named.llmOnRayModelDirectories().isEmpty()) {
      Path dir = path(checkout.toString());
      throw new InvalidInputException(
          "--llm-on-ray "
              + checkout
              + " holds no LLM-on-Ray model files (looked for *.yaml in "
              + dir.resolve(LlmOnRayModel.PACKAGE_MODELS)
              + ", "
              + dir.resolve(LlmOnRayModel.OLD_MODELS)
              + " and "
              + dir
              + "): pass the root of an LLM-on-Ray checkout, or its models directory");
    }
    return named;
  }

  /**
   * The Hugging Face hub cache and what chose it, in huggingface_hub's order: {@code $HF_HUB_CACHE}
   * (or its older name {@code $HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub}, else {@code
   * $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}.
   */
  HubCache hubCache() {
    for (String variable : List.of("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")) {
      String value = variable(variable);
      if (value != null) {
        return new HubCache(path(value), "$" + variable);
      }
    }
    String hfHome = variable("HF_HOME");
    if (hfHome != null) {
      return new HubCache(path(hfHome).resolve("hub"), "$HF_HOME/hub");
    }
    String xdg = variable("XDG_CACHE_HOME");
    if (xdg != null) {
      return new HubCache(
          path(xdg).resolve("huggingface").resolve("hub"), "$XDG_CACHE_HOME/huggingface/hub");
    }
    return new HubCache(
        home().resolve(".cache").resolve("huggingface").resolve("hub"),
        "the default; HF_HUB_CACHE and HF_HOME are not set");
  }

  /** The hub cache directory and the words that say where it came from. */
  record HubCache(Path directory, String chosenBy) {}

  /**
   * The checkout's model-file directories: the one named, else the first of the working directory
   * and its parents that is a checkout (so a run started anywhere inside one finds it). Empty when
   * there is none.
   */
  List<Path> llmOnRayModelDirectories() {
    if (llmOnRayCheckout != null) {
      return LlmOnRayModel.modelDirectories(path(llmOnRayCheckout.toString()));
    }
    for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
      List<Path> found = LlmOnRayModel.checkoutModelDirectories(dir);
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  /** {@code name} as a path: {@code ~/} expanded, a relative one against the working directory. */
  Path path(String name) {
    String text = name;
    if (text.equals("~") || text.startsWith("~/")) {
      return home().resolve(text.substring(Math.min(2, text.length())));
    }
    return workingDirectory.resolve(text);
  }

  /** {@code $HOME} as Python's {@code expanduser} reads it, else the JVM's home. */
  private Path home() {
    String home = variable("HOME");
    return home != null ? Path.of(home) : homeDirectory;
  }

  private String variable(String name) {
    String value = environment.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
