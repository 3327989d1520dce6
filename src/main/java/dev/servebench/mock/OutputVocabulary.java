package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;
import dev.servebench.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The tokens the mock server generates: whole lowercase words with a leading space, such as {@code
 * " house"}, that are one token each in the server's tokenizer.
 *
 * <p>Why only these: BPE tokenizers first split text at word boundaries (a space starts a new
 * piece) and only then merge bytes within a piece. A concatenation of such tokens therefore splits
 * back into exactly the pieces it was made of, and each piece encodes to its single token, so a
 * client that counts the generated text with the same tokenizer gets exactly the server's count.
 * Letters only also means the text needs no JSON escaping and is valid UTF-8 in any split.
 */
final class OutputVocabulary {

  private static final Pattern SPACE_AND_WORD = Pattern.compile(" [a-z]{2,}");

  private final String[] texts;
  private final byte[][] utf8Texts;

  private OutputVocabulary(List<String> words) {
    this.texts = words.toArray(String[]::new);
    this.utf8Texts = new byte[texts.length][];
    for (int i = 0; i < texts.length; i++) {
      utf8Texts[i] = texts[i].getBytes(StandardCharsets.US_ASCII);
    }
  }

  /**
   * Words enough for varied text; the scan stops there, which keeps a server's start short
   * (checking every word of a vocabulary is slow on a fresh JVM). BPE ranks frequent merges first,
   * so these are the vocabulary's common words.
   */
  static final int MAX_WORDS = 2_048;

  /** Scans the tokenizer's vocabulary once, up to {@link #MAX_WORDS} words. */
  static OutputVocabulary of(Tokenizer tokenizer) {
    List<String> words = new ArrayList<>();
    int[] one = new int[1];
    for (int id : tokenizer.ordinaryTokenIds()) {
      if (words.size() == MAX_WORDS) {
        break;
      }
      one[0] = id;
      String text = tokenizer.decode(one);
      if (SPACE_AND_WORD.matcher(text).matches() && encodesToItself(tokenizer, text, id)) {
        words.add(text);
      }
    }
    if (words.isEmpty()) {
      throw new InvalidInputException(
          "the mock server cannot generate text with tokenizer "
              + tokenizer.name()
              + ": none of its tokens decodes to a space and a lowercase word; use r50k_base or"
              + " cl100k_base");
    }
    return new OutputVocabulary(words);
  }

  /** Guards against tokens that only appear inside longer merges and re-encode differently. */
  private static boolean encodesToItself(Tokenizer tokenizer, String text, int id) {
    int[] ids = tokenizer.encode(text);
    return ids.length == 1 && ids[0] == id;
  }

  int size() {
    return texts.length;
  }

  /** The index of a token drawn uniformly. */
  int draw(RandomGenerator random) {
    return random.nextInt(texts.length);
  }

  String text(int index) {
    return texts[index];
  }

  byte[] utf8(int index) {
    return utf8Texts[index];
  }
}
