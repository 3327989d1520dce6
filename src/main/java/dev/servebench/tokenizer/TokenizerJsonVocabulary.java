package dev.servebench.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.servebench.error.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Reads a {@code tokenizer.json}'s vocabulary: which ids are ordinary, and which of those decode on
 * their own to whole characters.
 *
 * <p>Ordinary ids are every id of {@code model.vocab} that is not an added token marked {@code
 * "special": true}. Added tokens outside {@code model.vocab} (chat markers such as Qwen's {@code
 * <tool_call>}) are not ordinary either: they are not text a model was trained to produce from
 * plain input.
 *
 * <p>With a byte-level decoder (GPT-2, Llama 3, Qwen), a token's text is its bytes, each written as
 * one character of GPT-2's byte-to-character table, decoded as UTF-8: whether it is whole is
 * decided here, from the vocabulary's own strings, with no call into the native library. Ids this
 * cannot decide (another decoder, an added token, a character outside the table) are left {@link
 * Vocabulary#undecided() undecided}, for the caller to decode.
 *
 * <p>DJL does not expose the vocabulary, so the file is read again, as a stream: the files hold
 * hundreds of thousands of merges that a tree would keep in memory for nothing.
 */
final class TokenizerJsonVocabulary {

  // Field names are the vocabulary's 100,000 and more token strings, each seen once: interning or
  // canonicalizing them costs time and keeps them for nothing.
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
          .build();

  /** GPT-2's byte-to-character table, inverted: the byte a character stands for, or -1. */
  private static final int[] BYTE_OF_CHAR = byteLevelTable();

  /**
   * What the file says about its ids.
   *
   * @param ordinary the ordinary ids, ascending
   * @param wholeText the ordinary ids known to decode on their own to whole characters (non-empty
   *     text without U+FFFD)
   * @param undecided the ordinary ids whose text was not decided here, ascending
   */
  record Vocabulary(int[] ordinary, BitSet wholeText, int[] undecided) {}

  private TokenizerJsonVocabulary() {}

  static int[] ordinaryTokenIds(Path file) {
    return read(file).ordinary();
  }

  static Vocabulary read(Path file) {
    BitSet vocabularyIds = new BitSet();
    BitSet addedIds = new BitSet();
    BitSet specialIds = new BitSet();
    List<String> tokenOfId = new ArrayList<>();
    boolean byteLevelDecoder = false;
    try (JsonParser parser = JSON.createParser(file.toFile())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw notATokenizer(file, "the top level is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "added_tokens" -> readAddedIds(parser, addedIds, specialIds);
          case "model" -> readModelVocabulary(parser, vocabularyIds, tokenOfId);
          case "decoder" -> byteLevelDecoder = isByteLevel(parser);
          default -> parser.skipChildren();
        }
      }
    } catch (JsonProcessingException e) {
      throw notATokenizer(file, e.getOriginalMessage() + " at " + location(e));
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read tokenizer file " + file + " (" + e.getMessage() + "): check the path", e);
    }
    if (vocabularyIds.isEmpty()) {
      throw notATokenizer(file, "it has no model.vocab");
    }
    vocabularyIds.andNot(specialIds);
    int[] ordinary = vocabularyIds.stream().toArray();
    BitSet wholeText = new BitSet();
    int[] undecided = new int[ordinary.length];
    int undecidedCount = 0;
    for (int id : ordinary) {
      String token = id < tokenOfId.size() ? tokenOfId.get(id) : null;
      Boolean whole =
          byteLevelDecoder && token != null && !addedIds.get(id) ? byteLevelWhole(token) : null;
      if (whole == null) {
        undecided[undecidedCount++] = id;
      } else if (whole) {
        wholeText.set(id);
      }
    }
    return new Vocabulary(ordinary, wholeText, Arrays.copyOf(undecided, undecidedCount));
  }

  /**
   * Whether a byte-level token's text is whole characters, as {@code String::from_utf8_lossy} would
   * show it: non-empty and without U+FFFD. Null when a character is outside the table.
   */
  static Boolean byteLevelWhole(String token) {
    byte[] bytes = new byte[token.length()];
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      int b = c < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[c] : -1;
      if (b < 0) {
        return null;
      }
      bytes[i] = (byte) b;
    }
    // Java replaces a malformed sequence with U+FFFD as Rust's lossy decoding does (their counts
    // of replacements differ, which does not matter here).
    String text = new String(bytes, StandardCharsets.UTF_8);
    return !text.isEmpty() && text.indexOf('\uFFFD') < 0;
  }

  /**
   * GPT-2's {@code bytes_to_unicode}: the printable bytes !..~, ¡..¬ and ®..ÿ stand for themselves;
   * the other 68 bytes, in order, for U+0100 onwards.
   */
  private static int[] byteLevelTable() {
    int[] byteOfChar = new int[256 + 68];
    Arrays.fill(byteOfChar, -1);
    int shifted = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      byteOfChar[printable ? b : 256 + shifted++] = b;
    }
    return byteOfChar;
  }

  private static boolean isByteLevel(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return false;
    }
    boolean byteLevel = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (field.equals("type") && value == JsonToken.VALUE_STRING) {
        byteLevel = parser.getText().equals("ByteLevel");
      } else {
        parser.skipChildren();
      }
    }
    return byteLevel;
  }

  /** {@code model.vocab} is an object of token to id (BPE, WordPiece) or a list (Unigram). */
  private static void readModelVocabulary(JsonParser parser, BitSet ids, List<String> tokenOfId)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (!field.equals("vocab")) {
        parser.skipChildren();
      } else if (value == JsonToken.START_OBJECT) {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String token = parser.currentName();
          parser.nextToken();
          int id = parser.getIntValue();
          ids.set(id);
          if (id < (1 << 24)) {
            while (tokenOfId.size() <= id) {
              tokenOfId.add(null);
            }
            tokenOfId.set(id, token);
          }
        }
      } else if (value == JsonToken.START_ARRAY) {
        // Unigram: [[piece, score], ...], the id is the position.
        for (int id = 0; parser.nextToken() != JsonToken.END_ARRAY; id++) {
          parser.skipChildren();
          ids.set(id);
        }
      }
    }
  }

  private static void readAddedIds(JsonParser parser, BitSet added, BitSet special)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return;
    }
    for (JsonToken element = parser.nextToken();
        element != JsonToken.END_ARRAY;
        element = parser.nextToken()) {
      if (element != JsonToken.START_OBJECT) {
        parser.skipChildren();
        continue;
      }
      int id = -1;
      boolean isSpecial = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("id") && value == JsonToken.VALUE_NUMBER_INT) {
          id = parser.getIntValue();
        } else if (field.equals("special")) {
          isSpecial = value == JsonToken.VALUE_TRUE;
        } else {
          parser.skipChildren();
        }
      }
      if (id >= 0) {
        added.set(id);
        if (isSpecial) {
          special.set(id);
        }
      }
    }
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? "an unknown position"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  private static InvalidInputException notATokenizer(Path file, String why) {
    return new InvalidInputException(
        file + " is not a Hugging Face tokenizer.json (" + why + "): pass the served model's one");
  }
}
