package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * "Random samples from the model vocabulary", done so the prompt really has the drawn length.
 *
 * <p>Per request, a prompt length and an output length are drawn from normal distributions, rounded
 * and raised to at least 1. The prompt is text of exactly that many tokens from {@link
 * SyntheticText}.
 *
 * <p>Lengths and per-prompt seeds are drawn in order from one {@link Random} seeded with the run's
 * seed, so prompts are reproducible although they are built in parallel.
 */
final class SyntheticDataset {

  /**
   * Longest prompt or output length the distributions may reach (mean plus four standard
   * deviations), in tokens: past any model's context window, and it keeps a typo such as {@code
   * 1e9} from allocating gigabytes per prompt.
   */
  static final double MAX_LENGTH_TOKENS = 1 << 22;

  private record Plan(int promptTokens, int outputTokens, long seed) {}

  private SyntheticDataset() {}

  static List<Prompt> generate(DatasetOptions options, Tokenizer tokenizer) {
    check(options);
    SyntheticText text = SyntheticText.of(tokenizer);
    Random random = new Random(options.seed());
    List<Plan> plans = new ArrayList<>(options.numPrompts());
    for (int i = 0; i < options.numPrompts(); i++) {
      plans.add(
          new Plan(
              drawLength(random, options.inputLenMean(), options.inputLenStddev()),
              drawLength(random, options.outputLenMean(), options.outputLenStddev()),
              random.nextLong()));
    }
    return plans.parallelStream()
        .map(
            plan ->
                new Prompt(
                    text.ofLength(plan.promptTokens(), new Random(plan.seed())),
                    plan.promptTokens(),
                    plan.outputTokens()))
        .toList();
  }

  /** The distributions' bounds, and that the prompts fit in the heap. */
  static void check(DatasetOptions options) {
    checkDistribution("--input-len", options.inputLenMean(), options.inputLenStddev());
    checkDistribution("--output-len", options.outputLenMean(), options.outputLenStddev());
    checkFitsInHeap(options, Runtime.getRuntime().maxMemory());
  }

  /** A length drawn from Normal(mean, stddev), rounded, at least 1. */
  static int drawLength(Random random, double mean, double stddev) {
    double drawn = Math.rint(mean + stddev * random.nextGaussian());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, drawn));
  }

  private static void checkDistribution(String flagPrefix, double mean, double stddev) {
    if (!(mean > 0) || Double.isInfinite(mean)) {
      throw new InvalidInputException(flagPrefix + "-mean must be above 0, got " + mean);
    }
    if (!(stddev >= 0) || Double.isInfinite(stddev)) {
      throw new InvalidInputException(flagPrefix + "-stddev must be 0 or more, got " + stddev);
    }
    if (mean + 4 * stddev > MAX_LENGTH_TOKENS) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "%s-mean %.0f with %s-stddev %.0f reaches past %.0f tokens (mean + 4 standard"
                  + " deviations), longer than any model's context: lower them",
              flagPrefix,
              mean,
              flagPrefix,
              stddev,
              MAX_LENGTH_TOKENS));
    }
  }

  /** The prompts are built in memory: see {@link SyntheticText#checkFitsInHeap}. */
  static void checkFitsInHeap(DatasetOptions options, long heapBytes) {
    SyntheticText.checkFitsInHeap(
        "--num-prompts " + options.numPrompts() + " synthetic prompts",
        options.numPrompts(),
        options.inputLenMean() + 3 * options.inputLenStddev(),
        "--num-prompts or --input-len-mean",
        heapBytes);
  }
}
