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

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TokenSource fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
