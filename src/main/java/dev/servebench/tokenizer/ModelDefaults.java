package dev.servebench.tokenizer;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The built-in encoding of models whose tokenizer is one of tiktoken's encodings, so that a run
 * against them needs no {@code --tokenizer}. Other models (Llama, Qwen, Mistral, ...) have their
 * own vocabularies: guessing one would give silently wrong token counts, so they get none.
 */
final class ModelDefaults {

  /**
   * A model family: the name itself or the name followed by {@code -} and a variant, so that {@code
   * gpt-4} covers {@code gpt-4-turbo} but not {@code gpt-4o}.
   */
  private record Family(String name, String encoding) {
    boolean covers(String modelName) {
      return modelName.equals(name) || modelName.startsWith(name + "-");
    }
  }

  private static final List<Family> FAMILIES =
      List.of(
          new Family("gpt-j", "r50k_base"),
          new Family("gpt2", "r50k_base"),
          new Family("text-davinci-002", "p50k_base"),
          new Family("text-davinci-003", "p50k_base"),
          new Family("gpt-3.5", "cl100k_base"),
          new Family("gpt-35", "cl100k_base"),
          new Family("gpt-4", "cl100k_base"),
          new Family("gpt-4o", "o200k_base"),
          new Family("gpt-4.1", "o200k_base"),
          new Family("o1", "o200k_base"),
          new Family("o3", "o200k_base"),
          new Family("o4", "o200k_base"));

  private ModelDefaults() {}

  /**
   * The encoding for {@code modelName}, matched case-insensitively on its last path segment ({@code
   * EleutherAI/gpt-j-6b} is {@code gpt-j-6b}).
   */
  static Optional<String> encodingFor(String modelName) {
    String name = lastPathSegment(modelName).toLowerCase(Locale.ROOT);
    return FAMILIES.stream().filter(f -> f.covers(name)).map(Family::encoding).findFirst();
  }

  private static String lastPathSegment(String modelName) {
    String trimmed = modelName.strip().replaceAll("/+$", "");
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }
}
