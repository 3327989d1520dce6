package dev.servebench.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Counts, encodes and decodes text the way a model's tokenizer does. Implementations wrap real
 * tokenizer libraries (never an approximation) and are safe to call from several threads.
 *
 * <p>Every method works on "ordinary" text: no BOS/EOS or other special tokens are added. That is
 * what the metric definitions ask for when a server does not report its own token counts.
 * Special-token strings that happen to occur in the text (such as {@code <|endoftext|>}) are plain
 * text to the built-in encodings; a {@code tokenizer.json} matches them as its special tokens, as
 * the Hugging Face tokenizer inside a serving engine does.
 */
public interface Tokenizer {

  /**
   * A short name for reports: an encoding name such as {@code r50k_base}, the repository id of a
   * file in the Hugging Face cache, or a file name with its directory.
   */
  String name();

  /**
   * Identifies the vocabulary and rules exactly: two tokenizers with the same fingerprint tokenize
   * alike, so prompts counted with one can be reused with the other (the prompt cache's key).
   */
  String fingerprint();

  /**
   * The {@code tokenizer.json} this tokenizer was read from, beside which a model keeps its chat
   * template ({@link ChatTemplate#of}); empty for a built-in encoding.
   */
  default Optional<Path> sourceFile() {
    return Optional.empty();
  }

  /** Token ids of {@code text}, without special tokens. */
  int[] encode(String text);

  /**
   * The text of each token on its own: {@code decodeEach(ids)[i]} is {@code decode(new int[]
   * {ids[i]})}. One call for a whole vocabulary, which an implementation may do at once.
   */
  default String[] decodeEach(int[] tokenIds) {
    String[] texts = new String[tokenIds.length];
    for (int i = 0; i < tokenIds.length; i++) {
      texts[i] = decode(new int[] {tokenIds[i]});
    }
    return texts;
  }

  /** Number of tokens of {@code text}; the same as {@code encode(text).length}, often cheaper. */
  default int countTokens(String text) {
    return encode(text).length;
  }

  /**
   * How many tokens of the pieces' concatenation end in each piece: the whole text is tokenized
   * once and each token is counted in the piece that holds its last character (or byte), so the
   * counts add up to {@code countTokens} of the whole, however the text was cut. Counting each
   * piece on its own does not: a piece cut inside a word, or inside a character, counts more tokens
   * than the whole has.
   */
  default int[] tokensEndingIn(List<String> pieces) {
    int[] counts = new int[pieces.size()];
    int[] pieceEnds = new int[pieces.size()];
    StringBuilder whole = new StringBuilder();
    for (int i = 0; i < pieces.size(); i++) {
      whole.append(pieces.get(i));
      pieceEnds[i] = whole.length();
    }
    int piece = 0;
    for (int tokenEnd : tokenEndOffsets(whole.toString())) {
      while (piece < pieceEnds.length - 1 && tokenEnd > pieceEnds[piece]) {
        piece++;
      }
      if (piece < counts.length) {
        counts[piece]++;
      }
    }
    return counts;
  }

  /**
   * Where each token of {@code text} ends, as a char index into it (exclusive), ascending: the
   * basis of {@link #tokensEndingIn}. A token that ends inside a character (byte-level encodings
   * split one) ends at that character's end.
   */
  int[] tokenEndOffsets(String text);

  /** The text of the given ids; ids of special tokens are skipped. */
  String decode(int[] tokenIds);

  /**
   * Ids of every ordinary (non-special) token of the vocabulary, in ascending order. Synthetic
   * prompts draw from these uniformly.
   */
  int[] ordinaryTokenIds();

  /**
   * The {@link #ordinaryTokenIds() ordinary ids} whose text on its own is whole characters
   * (non-empty, without U+FFFD), ascending. Byte-level BPE has hundreds of tokens that are part of
   * a UTF-8 character; a text drawn from them would reach a server as literal replacement
   * characters.
   */
  default int[] wholeTextTokenIds() {
    int[] ordinary = ordinaryTokenIds();
    String[] texts = decodeEach(ordinary);
    return IntStream.range(0, ordinary.length)
        .filter(i -> isWholeText(texts[i]))
        .map(i -> ordinary[i])
        .toArray();
  }

  /** Whether a token's text is whole characters: non-empty and without U+FFFD. */
  static boolean isWholeText(String text) {
    return !text.isEmpty() && text.indexOf('\uFFFD') < 0;
  }
}
