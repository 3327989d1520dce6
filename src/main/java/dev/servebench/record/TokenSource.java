package dev.servebench.record;

import java.util.Locale;

/** Where a token count came from. */
public enum TokenSource {
  /**
   * The server reported it ({@code usage}, {@code generate_length}, {@code num_generated_tokens}).
   */
  SERVER,
  /** The local tokenizer counted the text (no special tokens). */
  LOCAL;

  /** Built once: records and the aggregator ask for it several times per request. */
  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }

  public static TokenSource fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
