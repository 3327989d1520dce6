package dev.servebench.tokenizer;

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

  /** A short name for reports: an encoding name such as {@code r50k_base} or a file name. */
  String name();

  /**
   * Identifies the vocabulary and rules exactly: two tokenizers with the same fingerprint tokenize
   * alike, so prompts counted with one can be reused with the other (the prompt cache's key).
   */
  String fingerprint();

  /** Token ids of {@code text}, without special tokens. */
  int[] encode(String text);

  /** Number of tokens of {@code text}; the same as {@code encode(text).length}, often cheaper. */
  default int countTokens(String text) {
    return encode(text).length;
  }

  /** The text of the given ids; ids of special tokens are skipped. */
  String decode(int[] tokenIds);

  /**
   * Ids of every ordinary (non-special) token of the vocabulary, in ascending order. Synthetic
   * prompts draw from these uniformly.
   */
  int[] ordinaryTokenIds();
}
