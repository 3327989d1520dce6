package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;

/**
 * The ShareGPT length filters of the original benchmark, in the order it applied them; a pair that
 * fails several is counted under the first.
 */
enum LengthBound {
  MIN_INPUT("--min-input-tokens-len", "with a prompt shorter than"),
  MIN_OUTPUT("--min-output-tokens-len", "with a completion shorter than"),
  MAX_INPUT("--max-input-tokens-len", "with a prompt longer than"),
  MAX_OUTPUT("--max-output-tokens-len", "with a completion longer than"),
  MAX_LENGTH("--max-length", "with prompt and completion together longer than");

  private final String flag;
  private final String description;

  LengthBound(String flag, String description) {
    this.flag = flag;
    this.description = description;
  }

  String flag() {
    return flag;
  }

  /** For example "with a prompt longer than --max-input-tokens-len 1024". */
  String describe(DatasetOptions options) {
    return description + " " + flag + " " + limit(options);
  }

  /** The bound's value in {@code options}; null when the bound is off. */
  Integer limit(DatasetOptions options) {
    return switch (this) {
      case MIN_INPUT -> options.minInputTokens();
      case MIN_OUTPUT -> options.minOutputTokens();
      case MAX_INPUT -> options.maxInputTokens();
      case MAX_OUTPUT -> options.maxOutputTokens();
      case MAX_LENGTH -> options.maxLength();
    };
  }

  boolean rejects(int promptTokens, int outputTokens, DatasetOptions options) {
    Integer limit = limit(options);
    if (limit == null) {
      return false;
    }
    return switch (this) {
      case MIN_INPUT -> promptTokens < limit;
      case MIN_OUTPUT -> outputTokens < limit;
      case MAX_INPUT -> promptTokens > limit;
      case MAX_OUTPUT -> outputTokens > limit;
      case MAX_LENGTH -> promptTokens + outputTokens > limit;
    };
  }

  /** The first bound that rejects the pair, or null when every bound lets it through. */
  static LengthBound firstRejecting(int promptTokens, int outputTokens, DatasetOptions options) {
    for (LengthBound bound : values()) {
      if (bound.rejects(promptTokens, outputTokens, options)) {
        return bound;
      }
    }
    return null;
  }

  /** Rejects a minimum above its maximum: no prompt could pass, whatever the dataset. */
  static void checkConsistent(DatasetOptions options) {
    checkOrder(MIN_INPUT, MAX_INPUT, options);
    checkOrder(MIN_OUTPUT, MAX_OUTPUT, options);
  }

  private static void checkOrder(LengthBound min, LengthBound max, DatasetOptions options) {
    Integer low = min.limit(options);
    Integer high = max.limit(options);
    if (low != null && high != null && low > high) {
      throw new InvalidInputException(
          min.flag
              + " "
              + low
              + " is above "
              + max.flag
              + " "
              + high
              + ": no prompt could pass;"
              + " lower the first or raise the second");
    }
  }
}
