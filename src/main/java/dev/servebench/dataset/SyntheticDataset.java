package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * "Random samples from the model vocabulary", done so the prompt really has the drawn length.
 *
 * <p>Per request, a prompt length and an output length are drawn from normal distributions, rounded
 * and raised to at least 1. The prompt is that many token ids drawn uniformly from the tokenizer's
 * ordinary tokens, decoded to text. Decoding and encoding again rarely give back the same count:
 * neighbouring pieces merge ("Ġthe" + "re" becomes "Ġthere") or split. So the text is adjusted
 * until {@code encode(text).length} equals the drawn length exactly:
 *
 * <ol>
 *   <li>too many tokens: keep the first {@code length} ids of the re-encoding, and decode those;
 *   <li>too few: keep the re-encoding and append freshly drawn ids for the missing count;
 *   <li>repeat (a few rounds suffice in practice; after {@value #MAX_ROUNDS} rounds start over with
 *       a fresh draw).
 * </ol>
 *
 * <p>Tokens that decode, on their own, to part of a UTF-8 character (byte-level BPE has hundreds of
 * them) are never drawn: their text would be U+FFFD replacement characters, which a server would
 * receive as literal "�". For the same reason a prefix cut in the middle of a character is
 * shortened to the character boundary before the next round.
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

  /** Heap bytes a prompt token's text takes, with room to spare (UTF-16 text, its re-encoding). */
  private static final long HEAP_BYTES_PER_TOKEN = 32;

  private static final int MAX_ROUNDS = 64;
  private static final int MAX_FRESH_DRAWS = 8;
  private static final char REPLACEMENT = '\uFFFD';

  private record Plan(int promptTokens, int outputTokens, long seed) {}

  private SyntheticDataset() {}

  static List<Prompt> generate(DatasetOptions options, Tokenizer tokenizer) {
    check(options);
    int[] drawableIds = drawableTokenIds(tokenizer);
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
                    textOfLength(
                        tokenizer, drawableIds, plan.promptTokens(), new Random(plan.seed())),
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

  /** Ordinary ids whose text on its own is whole characters, ascending. */
  static int[] drawableTokenIds(Tokenizer tokenizer) {
    int[] ordinary = tokenizer.ordinaryTokenIds();
    String[] texts = tokenizer.decodeEach(ordinary);
    int[] ids =
        IntStream.range(0, ordinary.length)
            .filter(i -> isWholeText(texts[i]))
            .map(i -> ordinary[i])
            .toArray();
    if (ids.length == 0) {
      throw new InvalidInputException(
          "tokenizer "
              + tokenizer.name()
              + " has no ordinary tokens to draw synthetic prompts from:"
              + " use another --tokenizer or --dataset-format");
    }
    return ids;
  }

  /** A text of exactly {@code length} tokens; see the class comment for the method. */
  static String textOfLength(Tokenizer tokenizer, int[] drawableIds, int length, Random random) {
    for (int draw = 0; draw < MAX_FRESH_DRAWS; draw++) {
      int[] ids = drawIds(drawableIds, length, random);
      for (int round = 0; round < MAX_ROUNDS; round++) {
        String text = tokenizer.decode(ids);
        int[] actual = tokenizer.encode(text);
        if (actual.length == length) {
          return text;
        }
        ids =
            actual.length > length
                ? wholeCharacterPrefix(tokenizer, Arrays.copyOf(actual, length))
                : concat(actual, drawIds(drawableIds, length - actual.length, random));
      }
    }
    throw new IllegalStateException(
        "no text of exactly " + length + " tokens found for tokenizer " + tokenizer.name());
  }

  /** {@code ids}, shortened until their text does not end in a cut character. */
  private static int[] wholeCharacterPrefix(Tokenizer tokenizer, int[] ids) {
    int end = ids.length;
    while (end > 0 && !isWholeText(tokenizer.decode(Arrays.copyOf(ids, end)))) {
      end--;
    }
    return Arrays.copyOf(ids, end);
  }

  private static boolean isWholeText(String text) {
    return !text.isEmpty() && text.indexOf(REPLACEMENT) < 0;
  }

  private static int[] drawIds(int[] drawableIds, int count, Random random) {
    int[] ids = new int[count];
    for (int i = 0; i < count; i++) {
      ids[i] = drawableIds[random.nextInt(drawableIds.length)];
    }
    return ids;
  }

  private static int[] concat(int[] first, int[] second) {
    int[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
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

  /**
   * The prompts are built in memory: a run whose prompts would not fit in the heap is refused up
   * front, with the figures, instead of failing with an out-of-memory error halfway.
   */
  static void checkFitsInHeap(DatasetOptions options, long heapBytes) {
    double tokensPerPrompt = options.inputLenMean() + 3 * options.inputLenStddev();
    double neededBytes = options.numPrompts() * tokensPerPrompt * HEAP_BYTES_PER_TOKEN;
    if (neededBytes > heapBytes) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "--num-prompts %d synthetic prompts of up to about %.0f tokens need about %.1f GB"
                  + " of memory, more than the %.1f GB this JVM may use: lower --num-prompts or"
                  + " --input-len-mean (a run cycles through its prompts when it sends more"
                  + " requests, with --duration), or raise the heap with"
                  + " SERVEBENCH_JAVA_OPTS=-Xmx...",
              options.numPrompts(),
              tokensPerPrompt,
              neededBytes / 1e9,
              heapBytes / 1e9));
    }
  }
}
