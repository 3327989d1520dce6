package dev.servebench.dataset;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Text of an exact token length drawn from a tokenizer's vocabulary: the generator behind every
 * format that makes its prompts up (Synthesis, Random, SharedPrefix, the traces).
 *
 * <p>A draw is that many token ids picked uniformly from the tokenizer's ordinary tokens, decoded
 * to text. Decoding and encoding again rarely give back the same count: neighbouring pieces merge
 * ("Ġthe" + "re" becomes "Ġthere") or split. So the text is adjusted until it has the length
 * exactly:
 *
 * <ol>
 *   <li>too many tokens: keep the re-encoding less the excess, and decode that;
 *   <li>too few: keep the re-encoding and append freshly drawn ids for the missing count;
 *   <li>repeat (a few rounds suffice in practice; after {@value #MAX_ROUNDS} rounds start over with
 *       a fresh draw).
 * </ol>
 *
 * <p>Text that follows a fixed context (a shared system prompt, the shared blocks of a trace row)
 * is measured in place, {@code countTokens(context + text) - countTokens(context)}, because the
 * join itself may merge or split tokens: the whole prompt then has exactly the length asked for,
 * and the context stays the same text in every prompt that shares it.
 *
 * <p>Tokens that decode, on their own, to part of a UTF-8 character (byte-level BPE has hundreds of
 * them) are never drawn: their text would be U+FFFD replacement characters, which a server would
 * receive as literal "�". For the same reason a prefix cut in the middle of a character is
 * shortened to the character boundary before the next round.
 *
 * <p>Safe to call from several threads; each call's randomness comes from its own seed or {@link
 * Random}, so prompts are reproducible although they are built in parallel.
 */
final class SyntheticText {

  /** Heap bytes a prompt token's text takes, with room to spare (UTF-16 text, its re-encoding). */
  static final long HEAP_BYTES_PER_TOKEN = 32;

  /**
   * How much of a long context the search measures against (the last characters of it): token
   * merges reach only a few characters across the join, and measuring a 100k-token context in every
   * round would cost more than the search itself. The result is checked against the whole context
   * once.
   */
  private static final int CONTEXT_WINDOW_CHARS = 4096;

  private static final int MAX_ROUNDS = 64;
  private static final int MAX_FRESH_DRAWS = 8;

  private final Tokenizer tokenizer;
  private final int[] drawableIds;

  private SyntheticText(Tokenizer tokenizer, int[] drawableIds) {
    this.tokenizer = tokenizer;
    this.drawableIds = drawableIds;
  }

  /**
   * A generator for {@code tokenizer}.
   *
   * @throws InvalidInputException when the tokenizer has no ordinary tokens to draw from
   */
  static SyntheticText of(Tokenizer tokenizer) {
    return new SyntheticText(tokenizer, drawableTokenIds(tokenizer));
  }

  Tokenizer tokenizer() {
    return tokenizer;
  }

  /** A text of exactly {@code length} tokens. */
  String ofLength(int length, Random random) {
    return search("", 0, length, random);
  }

  /**
   * A text of exactly {@code length} tokens where it stands: {@code countTokens(context + text)} is
   * {@code contextTokens + length}. The same arguments always give the same text.
   *
   * @param contextTokens {@code countTokens(context)}, which the caller knows already
   */
  String after(String context, int contextTokens, int length, long seed) {
    if (context.length() > CONTEXT_WINDOW_CHARS) {
      int start = context.length() - CONTEXT_WINDOW_CHARS;
      if (Character.isLowSurrogate(context.charAt(start))) {
        start++;
      }
      String window = context.substring(start);
      String text = search(window, tokenizer.countTokens(window), length, new Random(seed));
      if (tokenizer.countTokens(context + text) == contextTokens + length) {
        return text;
      }
    }
    return search(context, contextTokens, length, new Random(seed));
  }

  /**
   * A seed for item {@code key} of a run seeded with {@code seed}: the same pair, the same seed.
   */
  static long seedFor(long seed, long key) {
    return new SplittableRandom(seed ^ (key * 0x9E3779B97F4A7C15L)).nextLong();
  }

  private String search(String context, int contextTokens, int length, Random random) {
    if (length == 0) {
      return "";
    }
    for (int draw = 0; draw < MAX_FRESH_DRAWS; draw++) {
      int[] ids = drawIds(length, random);
      for (int round = 0; round < MAX_ROUNDS; round++) {
        String text = tokenizer.decode(ids);
        int[] own = tokenizer.encode(text);
        int actual =
            context.isEmpty() ? own.length : tokenizer.countTokens(context + text) - contextTokens;
        if (actual == length) {
          return text;
        }
        int excess = actual - length;
        ids =
            excess > 0
                ? wholeCharacterPrefix(Arrays.copyOf(own, Math.max(0, own.length - excess)))
                : concat(own, drawIds(-excess, random));
      }
    }
    throw new IllegalStateException(
        "no text of exactly " + length + " tokens found for tokenizer " + tokenizer.name());
  }

  /** Ordinary ids whose text on its own is whole characters, ascending. */
  static int[] drawableTokenIds(Tokenizer tokenizer) {
    int[] ids = tokenizer.wholeTextTokenIds();
    if (ids.length == 0) {
      throw new InvalidInputException(
          "tokenizer "
              + tokenizer.name()
              + " has no ordinary tokens to draw synthetic prompts from:"
              + " use another --tokenizer or --dataset-format");
    }
    return ids;
  }

  /**
   * Generated prompts are held in memory: a run whose prompts would not fit in the heap is refused
   * up front, with the figures, instead of failing with an out-of-memory error halfway.
   *
   * @param what the prompts, for the message, such as "--num-prompts 1000 synthetic prompts"
   * @param tokensPerPrompt a prompt's length in tokens, with room for the longer ones
   * @param lower the flags that make the prompts fewer or shorter, for the message
   */
  static void checkFitsInHeap(
      String what, double promptCount, double tokensPerPrompt, String lower, long heapBytes) {
    double neededBytes = promptCount * tokensPerPrompt * HEAP_BYTES_PER_TOKEN;
    if (neededBytes > heapBytes) {
      throw new InvalidInputException(
          String.format(
              Locale.ROOT,
              "%s of about %.0f tokens each need about %.1f GB of memory, more than the %.1f GB"
                  + " this JVM may use: lower %s (a run cycles through its prompts when it sends"
                  + " more requests, with --duration), or raise the heap with"
                  + " SERVEBENCH_JAVA_OPTS=-Xmx...",
              what,
              tokensPerPrompt,
              neededBytes / 1e9,
              heapBytes / 1e9,
              lower));
    }
  }

  /** {@code ids}, shortened until their text does not end in a cut character. */
  private int[] wholeCharacterPrefix(int[] ids) {
    int end = ids.length;
    while (end > 0 && !Tokenizer.isWholeText(tokenizer.decode(Arrays.copyOf(ids, end)))) {
      end--;
    }
    return Arrays.copyOf(ids, end);
  }

  private int[] drawIds(int count, Random random) {
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
}
