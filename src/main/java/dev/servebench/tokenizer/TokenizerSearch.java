package dev.servebench.tokenizer;

import dev.servebench.error.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One search for a tokenizer by name, on this machine only, in a fixed order: a built-in encoding
 * of that name; the name as a path (a {@code tokenizer.json}, or a model directory holding one);
 * the Hugging Face cache, for a repository id; LLM-on-Ray's model files, for a model name; last,
 * the built-in encoding of a known model family (GPT-2, GPT-J, GPT-4, ...). Each place that did not
 * have it is remembered, so that the one message for a failed search lists them all.
 */
final class TokenizerSearch {

  /**
   * A Hugging Face repository id, {@code NAME} or {@code ORG/NAME}: letters, digits, {@code -},
   * {@code _} and {@code .}, each part starting with a letter or digit. A path such as {@code
   * /models/x}, {@code ./x} or {@code ~/x} is none.
   */
  private static final Pattern REPO_ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

  /**
   * A name to look for and what it is, for the messages.
   *
   * @param name the name or path
   * @param described how the message names it, such as {@code --tokenizer 'x'} or {@code model 'x'}
   * @param explicit given as {@code --tokenizer}: a path that is not there is then a mistake, not a
   *     reason to fall back on a model family's encoding
   * @param viaLlmOnRay also look the name up among LLM-on-Ray's model files (a model name; not a
   *     tokenizer those files name themselves)
   */
  record Wanted(String name, String described, boolean explicit, boolean viaLlmOnRay) {}

  private final TokenizerLocations locations;
  private final Set<String> looked = new LinkedHashSet<>();
  private final List<String> repositoriesLookedFor = new ArrayList<>();
  private List<LlmOnRayModel> llmOnRayModels;

  /** Lines of the not-found message; a tokenizer a model file names is looked for one deeper. */
  private String indent = "  ";

  TokenizerSearch(TokenizerLocations locations) {
    this.locations = locations;
  }

  /** The first of {@code wanted} that is found, or the one message that lists where it looked. */
  Tokenizers.Resolved findFirst(List<Wanted> wanted) {
    for (Wanted each : wanted) {
      Optional<Tokenizers.Resolved> found = find(each);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw notFound(wanted);
  }

  private Optional<Tokenizers.Resolved> find(Wanted wanted) {
    String name = wanted.name().strip();
    if (Tokenizers.isBuiltInName(name)) {
      return Optional.of(new Tokenizers.Resolved(Tokenizers.builtIn(name), null));
    }
    looked(
        "the built-in encodings (" + Tokenizers.BUILT_IN_NAMES + "): none is named '" + name + "'");
    boolean repoId = isRepoId(name);
    Optional<Tokenizers.Resolved> found = findPath(name, wanted.explicit(), repoId);
    if (found.isEmpty() && repoId) {
      found = findInHubCache(name);
    }
    if (found.isEmpty() && wanted.viaLlmOnRay()) {
      found = findInLlmOnRay(name);
    }
    if (found.isEmpty() && (repoId || !wanted.explicit())) {
      found =
          ModelDefaults.encodingFor(name)
              .map(
                  encoding ->
                      new Tokenizers.Resolved(
                          Tokenizers.builtIn(encoding),
                          "the built-in encoding of the model family of '"
                              + name
                              + "' (no tokenizer.json of it was found)"));
    }
    return found;
  }

  /**
   * The name as a file or a directory. A name that can only be a path ends the search with that
   * path's own error when it is a directory without a tokenizer.json or a file that is no
   * tokenizer; a name that may also be a repository id goes on to the cache, and as a model name
   * counts only as a model directory (a stray file of that name in the working directory is not the
   * model's).
   */
  private Optional<Tokenizers.Resolved> findPath(String name, boolean explicit, boolean repoId) {
    Path path;
    try {
      path = locations.path(name);
    } catch (InvalidPathException notAPath) {
      return Optional.empty();
    }
    boolean file = Files.isRegularFile(path) && (explicit || !repoId);
    boolean modelDirectory =
        Files.isDirectory(path) && Files.isRegularFile(path.resolve("tokenizer.json"));
    if (file || modelDirectory || (Files.exists(path) && !repoId)) {
      Tokenizer tokenizer = Tokenizers.fromFile(path);
      return Optional.of(
          new Tokenizers.Resolved(
              tokenizer, explicit ? null : "the local model directory or file " + path));
    }
    looked(
        "the local path "
            + path
            + (Files.isDirectory(path)
                ? ": a directory without tokenizer.json"
                : Files.exists(path) ? ": a file, not a model directory" : ": not there"));
    return Optional.empty();
  }

  private Optional<Tokenizers.Resolved> findInHubCache(String repoId) {
    repositoriesLookedFor.add(repoId);
    TokenizerLocations.HubCache hub = locations.hubCache();
    HuggingFaceCache.Lookup lookup = HuggingFaceCache.find(hub.directory(), repoId);
    if (lookup.tokenizerFile() != null) {
      return Optional.of(
          new Tokenizers.Resolved(
              Tokenizers.fromFile(lookup.tokenizerFile()),
              "the Hugging Face cache: " + lookup.tokenizerFile()));
    }
    looked(
        "the Hugging Face cache "
            + hub.directory()
            + " ("
            + hub.chosenBy()
            + "): "
            + lookup.notFound());
    return Optional.empty();
  }

  /**
   * The tokenizer that the model files answering for {@code modelName} name, best match first
   * ({@link LlmOnRayModel#match}); the first that is found on this machine.
   */
  private Optional<Tokenizers.Resolved> findInLlmOnRay(String modelName) {
    List<Path> directories = locations.llmOnRayModelDirectories();
    if (directories.isEmpty()) {
      looked(
          "LLM-on-Ray model files: no checkout named with --llm-on-ray DIR, and neither "
              + locations.workingDirectory()
              + " nor a directory above it is one");
      return Optional.empty();
    }
    if (llmOnRayModels == null) {
      llmOnRayModels = LlmOnRayModel.readAll(directories);
    }
    List<LlmOnRayModel> matches =
        llmOnRayModels.stream()
            .filter(model -> model.match(modelName) >= 0)
            .sorted(Comparator.comparingInt(model -> model.match(modelName)))
            .toList();
    if (matches.isEmpty()) {
      looked(
          "LLM-on-Ray model files in "
              + String.join(", ", directories.stream().map(Path::toString).toList())
              + ": none whose name, route_prefix or model_id_or_path is '"
              + modelName
              + "'");
      return Optional.empty();
    }
    for (LlmOnRayModel model : matches) {
      String reference = model.tokenizerReference();
      if (reference == null) {
        looked(model.file() + ": names no tokenizer_name_or_path or model_id_or_path");
        continue;
      }
      looked(model.file() + " names the tokenizer '" + reference + "', looked for in:");
      String outer = indent;
      indent = outer + "  ";
      Optional<Tokenizers.Resolved> found;
      try {
        found = find(new Wanted(reference, "'" + reference + "'", false, false));
      } finally {
        indent = outer;
      }
      if (found.isPresent()) {
        Tokenizers.Resolved resolved = found.get();
        return Optional.of(
            new Tokenizers.Resolved(
                resolved.tokenizer(),
                (resolved.foundAt() == null ? reference : resolved.foundAt())
                    + ", named by "
                    + model.file()));
      }
    }
    return Optional.empty();
  }

  private void looked(String place) {
    looked.add(indent + "- " + place);
  }

  /** Says what was wanted, every place looked, and the ways to a tokenizer. */
  private InvalidInputException notFound(List<Wanted> wanted) {
    StringBuilder message = new StringBuilder("no tokenizer found for ");
    message.append(String.join(" or ", wanted.stream().map(Wanted::described).toList()));
    message.append(" (servebench looks on this machine only and never downloads one). Looked at:");
    for (String line : looked) {
      message.append('\n').append(line);
    }
    message
        .append("\nTo fix it, do one of:")
        .append("\n  - pass --tokenizer PATH: the model's tokenizer.json, or the directory with it")
        .append("\n  - set HF_HUB_CACHE (or HF_HOME) to a Hugging Face cache that holds the model")
        .append("\n  - on a machine with network, run: huggingface-cli download ")
        .append(repositoryToDownload())
        .append(" tokenizer.json tokenizer_config.json")
        .append("\n    and copy its cache (~/.cache/huggingface/hub) to this machine")
        .append("\n  - pass --tokenizer with a built-in encoding (")
        .append(Tokenizers.BUILT_IN_NAMES)
        .append(") if the model uses one");
    return new InvalidInputException(message.toString());
  }

  /**
   * The repository the download hint names: the first looked for in the cache with its organisation
   * (a model file's tokenizer_name_or_path is one), else the first looked for.
   */
  private String repositoryToDownload() {
    return repositoriesLookedFor.stream()
        .filter(id -> id.contains("/"))
        .findFirst()
        .orElse(repositoriesLookedFor.isEmpty() ? "ORG/NAME" : repositoriesLookedFor.get(0));
  }

  static boolean isRepoId(String name) {
    return REPO_ID.matcher(name).matches() && !name.contains("--") && !name.contains("..");
  }

  /** Wanted names, in order, without repeats (a model file may name the model itself). */
  static List<Wanted> distinct(List<Wanted> wanted) {
    List<Wanted> result = new ArrayList<>();
    for (Wanted each : wanted) {
      if (result.stream().noneMatch(w -> w.name().strip().equalsIgnoreCase(each.name().strip()))) {
        result.add(each);
      }
    }
    return result;
  }
}
