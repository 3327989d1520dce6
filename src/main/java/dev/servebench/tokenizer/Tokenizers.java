package dev.servebench.tokenizer;

import com.knuddels.jtokkit.api.EncodingType;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the tokenizer a run asks for, on this machine (see {@link #find}). Tokenizers are cached
 * per encoding or per file for the life of the process: a large {@code tokenizer.json} takes most
 * of a second to load, and the built-in encodings compute their vocabulary list once.
 */
public final class Tokenizers {

  static final String BUILT_IN_NAMES = "r50k_base, p50k_base, cl100k_base, o200k_base";

  private static final ConcurrentMap<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

  private Tokenizers() {}

  /**
   * A built-in BPE encoding by name: {@code r50k_base} (alias {@code gpt2}), {@code p50k_base},
   * {@code cl100k_base}, {@code o200k_base}.
   */
  public static Tokenizer builtIn(String name) {
    EncodingType type =
        builtInType(name)
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "unknown built-in tokenizer '"
                            + name
                            + "': use "
                            + BUILT_IN_NAMES
                            + ", or the path of a tokenizer.json"));
    return CACHE.computeIfAbsent(
        "built-in:" + type.getName(), key -> new BpeEncodingTokenizer(type));
  }

  /**
   * A Hugging Face {@code tokenizer.json}: the file itself, or a directory that contains one.
   *
   * @throws InvalidInputException naming the path when it is missing, unreadable or not a tokenizer
   */
  public static Tokenizer fromFile(Path path) {
    Path file = HuggingFaceFileTokenizer.tokenizerFile(path);
    String key;
    try {
      key = "file:" + file.toRealPath();
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read tokenizer file " + file + " (" + e.getMessage() + "): check the path", e);
    }
    return CACHE.computeIfAbsent(key, k -> HuggingFaceFileTokenizer.load(file));
  }

  /**
   * A tokenizer and, when a search found it (not named as an encoding or a path), where: a run says
   * so, since the user did not name that file.
   *
   * @param foundAt the file and the place it was found in, or {@code null}
   */
  public record Resolved(Tokenizer tokenizer, String foundAt) {}

  /**
   * The tokenizer of {@code tokenizerSpec}, else of {@code modelName}, looked for on this machine
   * as {@link #find} does, with this process's environment.
   */
  public static Tokenizer resolve(String tokenizerSpec, String modelName) {
    return find(tokenizerSpec, modelName, null, TokenizerLocations.system()).tokenizer();
  }

  /**
   * The tokenizer of a run, found on this machine only: nothing is ever downloaded.
   *
   * <p>{@code --tokenizer} wins when given. Otherwise the tokenizer the model file names is looked
   * for, then the model's own. Each name is tried in this order: a built-in encoding ({@value
   * #BUILT_IN_NAMES}); a path, a {@code tokenizer.json} or a model directory that holds one; a
   * Hugging Face repository id in the local hub cache; for a model name, the LLM-on-Ray model file
   * that serves it, whose tokenizer is then tried the same way; last, the built-in encoding of a
   * model family that uses one (GPT-2 and GPT-J: r50k_base; GPT-4: cl100k_base; ...).
   *
   * @param tokenizerSpec {@code --tokenizer}, or {@code null}
   * @param modelName the served model, or {@code null}
   * @param modelFile the LLM-on-Ray model file of {@code --model-config}, or {@code null}
   * @param locations where the cache and the LLM-on-Ray checkout are
   * @throws InvalidInputException when nothing is found, listing every place looked and the ways to
   *     fix it; or naming a file that was found but is no tokenizer
   */
  public static Resolved find(
      String tokenizerSpec,
      String modelName,
      LlmOnRayModel modelFile,
      TokenizerLocations locations) {
    List<TokenizerSearch.Wanted> wanted = new ArrayList<>();
    if (tokenizerSpec != null) {
      if (tokenizerSpec.isBlank()) {
        throw new InvalidInputException(
            "--tokenizer is empty: pass a built-in encoding ("
                + BUILT_IN_NAMES
                + "), the path of the model's tokenizer.json, or its Hugging Face repository id");
      }
      wanted.add(
          new TokenizerSearch.Wanted(
              tokenizerSpec, "--tokenizer '" + tokenizerSpec.strip() + "'", true, true));
    } else {
      if (modelFile != null && modelFile.tokenizerReference() != null) {
        String reference = modelFile.tokenizerReference();
        wanted.add(
            new TokenizerSearch.Wanted(
                reference,
                "'" + reference + "', the tokenizer " + modelFile.file() + " names",
                false,
                false));
      }
      if (modelName != null && !modelName.isBlank()) {
        wanted.add(
            new TokenizerSearch.Wanted(
                modelName, "model '" + modelName.strip() + "'", false, true));
      }
    }
    if (wanted.isEmpty()) {
      throw new InvalidInputException(
          (modelFile == null
                  ? "no tokenizer given and no model name to pick one by"
                  : "no tokenizer given, "
                      + modelFile.file()
                      + " names no tokenizer_name_or_path or model_id_or_path, and no model name"
                      + " is known")
              + ": pass --tokenizer with a built-in encoding ("
              + BUILT_IN_NAMES
              + "), the path of the model's tokenizer.json, or its Hugging Face repository id");
    }
    return new TokenizerSearch(locations).findFirst(TokenizerSearch.distinct(wanted));
  }

  static boolean isBuiltInName(String name) {
    return builtInType(name).isPresent();
  }

  private static Optional<EncodingType> builtInType(String name) {
    return Optional.ofNullable(
        switch (name.strip().toLowerCase(Locale.ROOT)) {
          case "r50k_base", "r50k", "gpt2" -> EncodingType.R50K_BASE;
          case "p50k_base", "p50k" -> EncodingType.P50K_BASE;
          case "cl100k_base", "cl100k" -> EncodingType.CL100K_BASE;
          case "o200k_base", "o200k" -> EncodingType.O200K_BASE;
          default -> null;
        });
  }
}
