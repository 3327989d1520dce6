package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * vLLM's random dataset ({@code --dataset-name random}), with its flags and length rules: per
 * request, the prompt length is drawn uniformly from the integers in {@code [floor(L * (1 - R)),
 * ceil(L * (1 + R))]} for {@code --random-input-len L} and {@code --random-range-ratio R}, and the
 * output length likewise from {@code --random-output-len} (at least 1). R = 0 gives fixed lengths.
 * With {@code --random-prefix-len P}, every prompt starts with the same text of P tokens (one
 * prefix for the whole run, to exercise prefix caching) and is P tokens longer.
 *
 * <p>Unlike vLLM, whose text is a run of consecutive vocabulary ids, the text here is drawn as in
 * {@link SyntheticText}, and every prompt has exactly its drawn length in the run's tokenizer (no
 * special tokens counted, so nothing is subtracted for a BOS token).
 */
final class RandomDataset {

  private record Plan(int promptTokens, int outputTokens, long seed) {}

  /** The integers a length is drawn from, both ends included. */
  record Range(int low, int high) {

    /** vLLM's bounds: floor below, ceil above. */
    static Range around(int mean, double ratio, int atLeast) {
      int low = (int) Math.floor(mean * (1 - ratio));
      int high = (int) Math.ceil(mean * (1 + ratio));
      return new Range(Math.max(atLeast, low), Math.max(atLeast, high));
    }

    int draw(Random random) {
      return low + random.nextInt(high - low + 1);
    }
  }

  private RandomDataset() {}

  static List<Prompt> generate(DatasetOptions options, Tokenizer tokenizer) {
    check(options);
    Range input = inputRange(options);
    Range output = outputRange(options);
    SyntheticText text = SyntheticText.of(tokenizer);
    Random random = new Random(options.seed());
    int prefixTokens = options.randomPrefixLen();
    long prefixSeed = random.nextLong();
    String prefix = prefixTokens == 0 ? "" : text.ofLength(prefixTokens, new Random(prefixSeed));
    List<Plan> plans = new ArrayList<>(options.numPrompts());
    for (int i = 0; i < options.numPrompts(); i++) {
      plans.add(new Plan(input.draw(random), output.draw(random), random.nextLong()));
    }
    return plans.parallelStream()
        .map(
            plan ->
                new Prompt(
                    prefix + text.after(prefix, prefixTokens, plan.promptTokens(), plan.seed()),
                    prefixTokens + plan.promptTokens(),
                    plan.outputTokens()))
        .toList();
  }

  static Range inputRange(DatasetOptions options) {
    return Range.around(options.randomInputLen(), options.randomRangeRatio(), 0);
  }

  static Range outputRange(DatasetOptions options) {
    return Range.around(options.randomOutputLen(), options.randomRangeRatio(), 1);
  }

  /** The flags' bounds, and that the prompts fit in the heap. */
  static void check(DatasetOptions options) {
    double ratio = options.randomRangeRatio();
    if (!(ratio >= 0 && ratio < 1)) {
      throw new InvalidInputException(
          "--random-range-ratio must be at least 0 and below 1 (lengths are drawn from"
              + " [len * (1 - ratio), len * (1 + ratio)]), got "
              + ratio);
    }
    requireLength("--random-input-len", options.randomInputLen(), 1);
    requireLength("--random-output-len", options.randomOutputLen(), 1);
    requireLength("--random-prefix-len", options.randomPrefixLen(), 0);
    if (options.randomPrefixLen() + inputRange(options).low() < 1) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "--random-input-len %d with --random-range-ratio %s can draw prompts of 0 tokens:"
                  + " raise --random-input-len, lower --random-range-ratio, or add"
                  + " --random-prefix-len",
              options.randomInputLen(),
              ratio));
    }
    SyntheticText.checkFitsInHeap(
        "--num-prompts " + options.numPrompts() + " random prompts",
        options.numPrompts(),
        options.randomPrefixLen() + (double) inputRange(options).high(),
        "--num-prompts, --random-input-len or --random-prefix-len",
        Runtime.getRuntime().maxMemory());
  }

  private static void requireLength(String flag, int tokens, int atLeast) {
    if (tokens < atLeast || tokens > SyntheticDataset.MAX_LENGTH_TOKENS) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "%s must be %d to %.0f tokens, got %d",
              flag,
              atLeast,
              SyntheticDataset.MAX_LENGTH_TOKENS,
              tokens));
    }
  }
}
