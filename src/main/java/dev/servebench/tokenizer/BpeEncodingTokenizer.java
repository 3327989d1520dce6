package dev.servebench.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.util.Arrays;

/**
 * The built-in tiktoken BPE encodings (r50k_base = GPT-2 and GPT-J-6B, p50k_base, cl100k_base,
 * o200k_base), through jtokkit. jtokkit's {@link Encoding} is immutable and thread-safe.
 */
final class BpeEncodingTokenizer implements Tokenizer {

  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

  /** Ranks past the last ordinary token; scanning stops after this many misses in a row. */
  private static final int VOCABULARY_SCAN_GAP = 4096;

  private final EncodingType type;
  private final Encoding encoding;
  private volatile int[] ordinaryTokenIds;

  BpeEncodingTokenizer(EncodingType type) {
    this.type = type;
    this.encoding = REGISTRY.getEncoding(type);
  }

  @Override
  public String name() {
    return type.getName();
  }

  @Override
  public String fingerprint() {
    return "jtokkit:" + type.getName();
  }

  @Override
  public int[] encode(String text) {
    return encoding.encodeOrdinary(text).toArray();
  }

  @Override
  public int countTokens(String text) {
    return encoding.countTokensOrdinary(text);
  }

  @Override
  public int[] tokenEndOffsets(String text) {
    IntArrayList ids = encoding.encodeOrdinary(text);
    int[] ends = new int[ids.size()];
    IntArrayList one = new IntArrayList(1);
    one.add(0);
    long tokenEndByte = 0;
    int charIndex = 0;
    long charEndByte = 0; // UTF-8 bytes of text[0, charIndex)
    for (int i = 0; i < ends.length; i++) {
      one.set(0, ids.get(i));
      tokenEndByte += encoding.decodeBytes(one).length;
      while (charEndByte < tokenEndByte && charIndex < text.length()) {
        int codePoint = text.codePointAt(charIndex);
        charIndex += Character.charCount(codePoint);
        charEndByte += utf8Length(codePoint);
      }
      ends[i] = charIndex;
    }
    return ends;
  }

  private static int utf8Length(int codePoint) {
    return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }

  @Override
  public String decode(int[] tokenIds) {
    IntArrayList ids = new IntArrayList(tokenIds.length);
    for (int id : tokenIds) {
      ids.add(id);
    }
    return encoding.decode(ids);
  }

  @Override
  public int[] ordinaryTokenIds() {
    int[] ids = ordinaryTokenIds;
    if (ids == null) {
      ids = scanOrdinaryTokenIds();
      ordinaryTokenIds = ids;
    }
    return ids;
  }

  /**
   * jtokkit does not expose its vocabulary, so probe ranks upward: an ordinary rank decodes, an
   * unknown one throws. Special tokens sit above the ordinary ranks (after a gap in cl100k), so a
   * long run of misses means the ordinary vocabulary has ended. The special-token ranks that follow
   * decode too, so they are removed by checking that the token's text is not one of them.
   */
  private int[] scanOrdinaryTokenIds() {
    int[] found = new int[1 << 18];
    int count = 0;
    int misses = 0;
    IntArrayList one = new IntArrayList(1);
    one.add(0);
    for (int rank = 0; misses < VOCABULARY_SCAN_GAP; rank++) {
      one.set(0, rank);
      byte[] bytes;
      try {
        bytes = encoding.decodeBytes(one);
      } catch (IllegalArgumentException | IndexOutOfBoundsException | NullPointerException e) {
        // An unknown rank; jtokkit 1.1 reports it as a NullPointerException.
        misses++;
        continue;
      }
      if (isSpecialTokenText(bytes)) {
        continue;
      }
      misses = 0;
      if (count == found.length) {
        found = Arrays.copyOf(found, count * 2);
      }
      found[count++] = rank;
    }
    return Arrays.copyOf(found, count);
  }

  /** Special tokens of the tiktoken encodings all look like {@code <|...|>}. */
  private static boolean isSpecialTokenText(byte[] bytes) {
    int n = bytes.length;
    return n > 4
        && bytes[0] == '<'
        && bytes[1] == '|'
        && bytes[n - 2] == '|'
        && bytes[n - 1] == '>';
  }
}
