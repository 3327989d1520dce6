package dev.servebench.tokenizer;

import com.knuddels.jtokkit.api.EncodingType;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the tokenizer a run asks for. Tokenizers are cached per encoding or per file for the life
 * of the process: a large {@code tokenizer.json} takes most of a second to load, and the built-in
 * encodings compute their vocabulary list once.
 */
public final class Tokenizers {

  private static final String BUILT_IN_NAMES = "r50k_base, p50k_base, cl100k_base, o200k_base";

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
   * The tokenizer of a run.
   *
   * @param tokenizerSpec the user's {@code --tokenizer}: a built-in encoding name or the path of a
   *     {@code tokenizer.json} (or of its directory); {@code null} to pick the model's default
   * @param modelName the served model, used only when {@code tokenizerSpec} is null; models whose
   *     tokenizer is a tiktoken encoding (GPT-J, GPT-2, GPT-3.5, GPT-4, GPT-4o, o1, ...) have one
   * @throws InvalidInputException when the spec names nothing usable or the model has no default
   */
  public static Tokenizer resolve(String tokenizerSpec, String modelName) {
    if (tokenizerSpec == null) {
      return builtIn(defaultEncoding(modelName));
    }
    if (tokenizerSpec.isBlank()) {
      throw new InvalidInputException(
          "--tokenizer is empty: pass a built-in encoding ("
              + BUILT_IN_NAMES
              + ") or the path of the model's tokenizer.json");
    }
    if (builtInType(tokenizerSpec).isPresent()) {
      return builtIn(tokenizerSpec);
    }
    Path path;
    try {
      path = Path.of(tokenizerSpec);
    } catch (InvalidPathException e) {
      throw notBuiltInNorFile(tokenizerSpec);
    }
    if (!Files.exists(path)) {
      throw notBuiltInNorFile(tokenizerSpec);
    }
    return fromFile(path);
  }

  private static String defaultEncoding(String modelName) {
    if (modelName == null || modelName.isBlank()) {
      throw new InvalidInputException(
          "no tokenizer given and no model name to pick one by: pass --tokenizer with a built-in"
              + " encoding ("
              + BUILT_IN_NAMES
              + ") or the path of the model's tokenizer.json");
    }
    return ModelDefaults.encodingFor(modelName)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "no default tokenizer is known for model '"
                        + modelName
                        + "': pass --tokenizer with a built-in encoding ("
                        + BUILT_IN_NAMES
                        + ") or the path of the model's tokenizer.json"));
  }

  private static InvalidInputException notBuiltInNorFile(String tokenizerSpec) {
    return new InvalidInputException(
        "--tokenizer '"
            + tokenizerSpec
            + "' is neither a built-in encoding ("
            + BUILT_IN_NAMES
            + ") nor an existing file: fix the name or the path of the tokenizer.json");
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
