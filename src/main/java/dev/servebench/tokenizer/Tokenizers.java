package dev.servebench.tokenizer;

import com.knuddels.jtokkit.api.EncodingType;
import dev.servebench.config.InvalidInputException;
import java.util.Locale;

/** Finds the tokenizer a run asks for. */
public final class Tokenizers {

  private Tokenizers() {}

  /** A built-in BPE encoding by name: {@code r50k_base} (alias {@code gpt2}), {@code p50k_base}, {@code cl100k_base}, {@code o200k_base}. */
  public static Tokenizer builtIn(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    EncodingType type =
        switch (key) {
          case "r50k_base", "r50k", "gpt2" -> EncodingType.R50K_BASE;
          case "p50k_base", "p50k" -> EncodingType.P50K_BASE;
          case "cl100k_base", "cl100k" -> EncodingType.CL100K_BASE;
          case "o200k_base", "o200k" -> EncodingType.O200K_BASE;
          default ->
              throw new InvalidInputException(
                  "unknown built-in tokenizer '"
                      + name
                      + "': use r50k_base, p50k_base, cl100k_base or o200k_base, or the path of a tokenizer.json");
        };
    return new BpeEncodingTokenizer(type);
  }
}
