package dev.servebench.endpoint;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fields servebench needs from one JSON object of a protocol (a streamed chunk or a whole
 * response: OpenAI's, or a native protocol's {@link Dialect}), read by a small hand-written parser
 * over the raw bytes. It runs on the I/O thread once per streamed event: Jackson's streaming parser
 * allocates a parser, contexts and buffers for every event, which made it the client's main source
 * of garbage (bench/README.md, Why the code is the way it is); this one allocates only the strings
 * it returns.
 *
 * <p>Read: {@code choices[0].delta|message .content / .reasoning_content / .reasoning}, {@code
 * choices[0].text} (completions), {@code usage.prompt_tokens / completion_tokens} and {@code error}
 * (an object with a {@code message}, or a string); the other dialects' fields are listed on {@link
 * Dialect}. Everything else is skipped, but still checked: the whole object must be strict JSON
 * (RFC 8259: no comments, no control characters or invalid UTF-8 in strings, no leading zeros), as
 * it was under Jackson, whose results the tests compare this reader with. Content after the
 * object's closing brace is not read. Reusable: {@link #read} resets the fields.
 */
final class OpenAiPayload {

  /**
   * Where a protocol keeps its output text and token counts. Every dialect reads {@code error} at
   * the root, as a string or an object with a {@code message}.
   */
  enum Dialect {
    /** {@code choices[0].delta|message.content}, reasoning, {@code text}; {@code usage}. */
    OPENAI,
    /**
     * Text Generation Inference: {@code token.text} (a streamed event), {@code generated_text} (the
     * whole text: a non-streamed answer, or a stream's last event), {@code
     * details.generated_tokens} and {@code details.input_length}.
     */
    TGI,
    /**
     * SGLang's native API: {@code text} and {@code meta_info.prompt_tokens/completion_tokens}. Each
     * streamed event's {@code text} is the whole output so far, so the content read is what it adds
     * to the text of the previous object this reader read (all of it for the first); empty when it
     * does not extend that text (the server rewrote its tail, trimming a stop string), which then
     * becomes the text the next one extends. Only the added part is decoded: decoding the whole
     * text of every event would make a long answer's garbage grow with the square of its length.
     */
    SGLANG,
    /** Triton's generate extension: {@code text_output}. */
    TRITON,
    /** OpenAI embeddings: whether {@code data[0].embedding} is an array; {@code usage}. */
    EMBEDDINGS
  }

  /** For writing request bodies; reading no longer goes through Jackson. */
  static final JsonFactory JSON = new JsonFactory();

  /** As Jackson's default limit: deeper nesting is refused, not recursed into. */
  private static final int MAX_DEPTH = 1000;

  /** Jackson's default limits on one field name (characters) and one number (its text). */
  private static final int MAX_NAME_CHARS = 50_000;

  private static final int MAX_NUMBER_CHARS = 1000;

  private static final byte[] CHOICES = ascii("choices");
  private static final byte[] USAGE = ascii("usage");
  private static final byte[] ERROR = ascii("error");
  private static final byte[] DELTA = ascii("delta");
  private static final byte[] MESSAGE = ascii("message");
  private static final byte[] TEXT = ascii("text");
  private static final byte[] CONTENT = ascii("content");
  private static final byte[] REASONING_CONTENT = ascii("reasoning_content");
  private static final byte[] REASONING = ascii("reasoning");
  private static final byte[] PROMPT_TOKENS = ascii("prompt_tokens");
  private static final byte[] COMPLETION_TOKENS = ascii("completion_tokens");
  private static final byte[] TOKEN = ascii("token");
  private static final byte[] GENERATED_TEXT = ascii("generated_text");
  private static final byte[] DETAILS = ascii("details");
  private static final byte[] GENERATED_TOKENS = ascii("generated_tokens");
  private static final byte[] INPUT_LENGTH = ascii("input_length");
  private static final byte[] META_INFO = ascii("meta_info");
  private static final byte[] TEXT_OUTPUT = ascii("text_output");
  private static final byte[] DATA = ascii("data");
  private static final byte[] EMBEDDING = ascii("embedding");

  private final Dialect dialect;

  String content;
  String reasoning;
  int promptTokens;
  int completionTokens;
  String errorMessage;

  /** TGI's {@code generated_text} when it is a string: the whole output, or null. */
  String wholeText;

  /** Embeddings: {@code data[0].embedding} is an array. */
  boolean embedding;

  /** SGLang: the raw bytes of the previous object's {@code text} string, escapes undecoded. */
  private byte[] textSoFar = new byte[0];

  private int textSoFarLength;

  /** A reader of OpenAI objects. */
  OpenAiPayload() {
    this(Dialect.OPENAI);
  }

  OpenAiPayload(Dialect dialect) {
    this.dialect = dialect;
  }

  /**
   * The last object read in full that held nothing but a content string (the shape of nearly every
   * streamed event): its bytes before the string's value and from its closing quote on. An object
   * with the same bytes before and after a value of plain ASCII is read without parsing: it differs
   * from that one only in a string that holds no quote, escape or control character, so a full read
   * would take the same path through it and find only the new content, so the common event skips
   * the parse. Anything else is read in full.
   */
  private byte[] shape = new byte[256];

  private int shapePrefix = -1;
  private int shapeSuffix;

  /** Content strings met by the read in progress, and the raw bounds of the last one. */
  private int contentStrings;

  private int contentStart;
  private int contentEnd;

  /** Longest content read by the shortcut; longer ones are rare and get the full read. */
  private static final int MAX_SHORTCUT_CONTENT = 4096;

  // The cursor over the object being read.
  private byte[] in;
  private int at;
  private int end;

  /** Where the object being read starts: offsets in error messages count from here. */
  private int base;

  private int depth;
  // The last string token: where its raw bytes lie, and whether it holds escapes.
  private int stringStart;
  private int stringEnd;
  private boolean stringEscaped;

  /**
   * Reads one JSON object.
   *
   * @throws IOException if the bytes are not a JSON object
   */
  void read(byte[] bytes, int offset, int length) throws IOException {
    content = null;
    reasoning = null;
    promptTokens = -1;
    completionTokens = -1;
    errorMessage = null;
    wholeText = null;
    embedding = false;
    if (readAsTheLastShape(bytes, offset, length)) {
      return;
    }
    in = bytes;
    at = offset;
    base = offset;
    end = offset + length;
    depth = 0;
    contentStrings = 0;
    try {
      if (skipWhitespace() != '{') {
        throw new IOException("expected a JSON object");
      }
      at++;
      readObject(Level.ROOT);
    } finally {
      in = null;
    }
    if (contentStrings == 1
        && reasoning == null
        && promptTokens < 0
        && completionTokens < 0
        && errorMessage == null
        && wholeText == null
        && !embedding) {
      rememberShape(bytes, offset, length);
    }
  }

  /** Sets {@link #content} if the bytes are the last remembered shape around plain ASCII. */
  private boolean readAsTheLastShape(byte[] bytes, int offset, int length) {
    int prefix = shapePrefix;
    int suffix = shapeSuffix;
    int valueLength = length - prefix - suffix;
    if (prefix < 0 || valueLength < 0 || valueLength > MAX_SHORTCUT_CONTENT) {
      return false;
    }
    int valueStart = offset + prefix;
    int valueEnd = valueStart + valueLength;
    if (!Arrays.equals(bytes, offset, valueStart, shape, 0, prefix)
        || !Arrays.equals(bytes, valueEnd, valueEnd + suffix, shape, prefix, prefix + suffix)) {
      return false;
    }
    for (int i = valueStart; i < valueEnd; i++) {
      byte b = bytes[i];
      // Negative: a byte of a multi-byte character, whose UTF-8 the full read checks.
      if (b < 0x20 || b == '"' || b == '\\') {
        return false;
      }
    }
    content = new String(bytes, valueStart, valueLength, StandardCharsets.ISO_8859_1);
    return true;
  }

  private void rememberShape(byte[] bytes, int offset, int length) {
    int prefix = contentStart - offset;
    int suffix = offset + length - contentEnd;
    if (prefix + suffix > shape.length) {
      shape = new byte[prefix + suffix];
    }
    System.arraycopy(bytes, offset, shape, 0, prefix);
    System.arraycopy(bytes, contentEnd, shape, prefix, suffix);
    shapePrefix = prefix;
    shapeSuffix = suffix;
  }

  /** Reads a content string, noting where its raw bytes lie. */
  private String readContent() throws IOException {
    String value = readString();
    contentStrings++;
    contentStart = stringStart;
    contentEnd = stringEnd;
    return value;
  }

  /** Which object is being read, so field names mean what they mean there. */
  private enum Level {
    ROOT,
    CHOICE,
    MESSAGE,
    USAGE,
    ERROR,
    TGI_TOKEN,
    TGI_DETAILS,
    EMBEDDING_ITEM,
    OTHER
  }

  /** Reads the members of an object whose {@code {} has been consumed, through its {@code }}. */
  private void readObject(Level level) throws IOException {
    enter();
    int c = skipWhitespace();
    if (c == '}') {
      at++;
      depth--;
      return;
    }
    while (true) {
      if (c != '"') {
        throw unexpected("a field name");
      }
      at++;
      scanString();
      int nameStart = stringStart;
      int nameEnd = stringEnd;
      boolean nameEscaped = stringEscaped;
      if (nameEnd - nameStart > MAX_NAME_CHARS && stringValue().length() > MAX_NAME_CHARS) {
        throw new IOException("field name longer than " + MAX_NAME_CHARS + " characters");
      }
      if (skipWhitespace() != ':') {
        throw unexpected("':'");
      }
      at++;
      readMember(level, nameStart, nameEnd, nameEscaped);
      c = skipWhitespace();
      at++;
      if (c == '}') {
        depth--;
        return;
      }
      if (c != ',') {
        at--;
        throw unexpected("',' or '}'");
      }
      c = skipWhitespace();
    }
  }

  private void readMember(Level level, int nameStart, int nameEnd, boolean nameEscaped)
      throws IOException {
    int c = skipWhitespace();
    switch (level) {
      case ROOT -> {
        if (named(ERROR, nameStart, nameEnd, nameEscaped)) {
          readError(c);
          return;
        }
        if (readRootMember(c, nameStart, nameEnd, nameEscaped)) {
          return;
        }
      }
      case CHOICE -> {
        if ((named(DELTA, nameStart, nameEnd, nameEscaped)
                || named(MESSAGE, nameStart, nameEnd, nameEscaped))
            && c == '{') {
          at++;
          readObject(Level.MESSAGE);
          return;
        }
        if (named(TEXT, nameStart, nameEnd, nameEscaped) && c == '"') {
          content = readContent();
          return;
        }
      }
      case MESSAGE -> {
        if (c == '"') {
          if (named(CONTENT, nameStart, nameEnd, nameEscaped)) {
            content = readContent();
            return;
          }
          if (named(REASONING_CONTENT, nameStart, nameEnd, nameEscaped)
              || named(REASONING, nameStart, nameEnd, nameEscaped)) {
            reasoning = readString();
            return;
          }
        }
      }
      case USAGE -> {
        if (readCount(c, PROMPT_TOKENS, COMPLETION_TOKENS, nameStart, nameEnd, nameEscaped)) {
          return;
        }
      }
      case TGI_DETAILS -> {
        if (readCount(c, INPUT_LENGTH, GENERATED_TOKENS, nameStart, nameEnd, nameEscaped)) {
          return;
        }
      }
      case TGI_TOKEN -> {
        if (named(TEXT, nameStart, nameEnd, nameEscaped) && c == '"') {
          content = readContent();
          return;
        }
      }
      case EMBEDDING_ITEM -> {
        if (named(EMBEDDING, nameStart, nameEnd, nameEscaped) && c == '[') {
          embedding = true;
        }
      }
      case ERROR -> {
        if (named(MESSAGE, nameStart, nameEnd, nameEscaped) && c == '"') {
          errorMessage = readString();
          return;
        }
      }
      case OTHER -> {}
    }
    skipValue(c);
  }

  /**
   * Reads a root member that holds what the dialect needs; false when the member is not one (it is
   * then skipped).
   */
  private boolean readRootMember(int c, int nameStart, int nameEnd, boolean nameEscaped)
      throws IOException {
    switch (dialect) {
      case OPENAI -> {
        if (named(CHOICES, nameStart, nameEnd, nameEscaped) && c == '[') {
          at++;
          readArray(Level.CHOICE);
          return true;
        }
        return readObjectNamed(USAGE, Level.USAGE, c, nameStart, nameEnd, nameEscaped);
      }
      case TGI -> {
        if (named(GENERATED_TEXT, nameStart, nameEnd, nameEscaped) && c == '"') {
          wholeText = readString();
          return true;
        }
        return readObjectNamed(TOKEN, Level.TGI_TOKEN, c, nameStart, nameEnd, nameEscaped)
            || readObjectNamed(DETAILS, Level.TGI_DETAILS, c, nameStart, nameEnd, nameEscaped);
      }
      case SGLANG -> {
        if (named(TEXT, nameStart, nameEnd, nameEscaped) && c == '"') {
          at++;
          scanString();
          content = addedToTextSoFar();
          return true;
        }
        return readObjectNamed(META_INFO, Level.USAGE, c, nameStart, nameEnd, nameEscaped);
      }
      case TRITON -> {
        if (named(TEXT_OUTPUT, nameStart, nameEnd, nameEscaped) && c == '"') {
          content = readContent();
          return true;
        }
        return false;
      }
      case EMBEDDINGS -> {
        if (named(DATA, nameStart, nameEnd, nameEscaped) && c == '[') {
          at++;
          readArray(Level.EMBEDDING_ITEM);
          return true;
        }
        return readObjectNamed(USAGE, Level.USAGE, c, nameStart, nameEnd, nameEscaped);
      }
    }
    return false;
  }

  /**
   * Reads a number member, keeping it as the prompt or completion count when it is an integer of
   * that name; false when the member is not a number.
   */
  private boolean readCount(
      int c, byte[] promptName, byte[] completionName, int nameStart, int nameEnd, boolean escaped)
      throws IOException {
    if (c != '-' && (c < '0' || c > '9')) {
      return false;
    }
    int numberStart = at;
    if (scanNumber()) {
      if (named(promptName, nameStart, nameEnd, escaped)) {
        promptTokens = intValue(numberStart);
      } else if (named(completionName, nameStart, nameEnd, escaped)) {
        completionTokens = intValue(numberStart);
      }
    }
    return true;
  }

  /**
   * What the string just scanned adds to {@link #textSoFar}, decoded, and that string becomes the
   * text so far. The raw text so far is a whole JSON string, so where it ends in the new one no
   * escape is cut.
   */
  private String addedToTextSoFar() {
    int length = stringEnd - stringStart;
    int known = textSoFarLength;
    boolean extendsIt =
        length >= known && Arrays.equals(in, stringStart, stringStart + known, textSoFar, 0, known);
    if (length > textSoFar.length) {
      textSoFar = Arrays.copyOf(textSoFar, Math.max(length, textSoFar.length * 2));
    }
    int from = extendsIt ? known : 0;
    System.arraycopy(in, stringStart + from, textSoFar, from, length - from);
    textSoFarLength = length;
    if (!extendsIt) {
      return "";
    }
    int wholeStart = stringStart;
    stringStart += known;
    String added = stringValue();
    stringStart = wholeStart;
    return added;
  }

  /** Reads the member as an object at {@code level} if it is one named {@code name}. */
  private boolean readObjectNamed(
      byte[] name, Level level, int c, int nameStart, int nameEnd, boolean nameEscaped)
      throws IOException {
    if (c == '{' && named(name, nameStart, nameEnd, nameEscaped)) {
      at++;
      readObject(level);
      return true;
    }
    return false;
  }

  /**
   * Reads the elements of an array whose {@code [} has been consumed, through its {@code ]}: the
   * first element, if it is an object, at {@code firstLevel} ({@code null}: skipped); every other
   * element is skipped, its syntax checked.
   */
  private void readArray(Level firstLevel) throws IOException {
    enter();
    int c = skipWhitespace();
    if (c == ']') {
      at++;
      depth--;
      return;
    }
    boolean first = true;
    while (true) {
      if (first && firstLevel != null && c == '{') {
        at++;
        readObject(firstLevel);
      } else {
        skipValue(c);
      }
      first = false;
      c = skipWhitespace();
      at++;
      if (c == ']') {
        depth--;
        return;
      }
      if (c != ',') {
        at--;
        throw unexpected("',' or ']'");
      }
      c = skipWhitespace();
    }
  }

  private void readError(int c) throws IOException {
    switch (c) {
      case '"' -> errorMessage = readString();
      case '{' -> {
        at++;
        errorMessage = "error object without a message";
        readObject(Level.ERROR);
      }
      case 'n' -> skipValue(c);
      default -> {
        int valueStart = at;
        skipValue(c);
        // As Jackson's text of the first token: the number or literal, or the bracket.
        String text =
            c == '[' ? "[" : new String(in, valueStart, at - valueStart, StandardCharsets.US_ASCII);
        errorMessage = "error: " + text;
      }
    }
  }

  /** Skips any value starting at {@code c} (the byte at the cursor), checking its syntax. */
  private void skipValue(int c) throws IOException {
    switch (c) {
      case '{' -> {
        at++;
        readObject(Level.OTHER);
      }
      case '[' -> {
        at++;
        readArray(null);
      }
      case '"' -> {
        at++;
        scanString();
      }
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          scanNumber();
        } else {
          throw unexpected("a value");
        }
      }
    }
  }

  private void enter() throws IOException {
    if (++depth > MAX_DEPTH) {
      throw new IOException("JSON nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  /** The next byte that is not JSON whitespace, left under the cursor; -1 at the end. */
  private int skipWhitespace() {
    while (at < end) {
      int c = in[at];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c & 0xFF;
      }
      at++;
    }
    return -1;
  }

  private void literal(String word) throws IOException {
    int length = word.length();
    if (end - at < length) {
      throw truncated();
    }
    for (int i = 0; i < length; i++) {
      if (in[at + i] != word.charAt(i)) {
        throw unexpected("'" + word + "'");
      }
    }
    at += length;
    if (at < end && isWordByte(in[at])) {
      throw unexpected("a delimiter after '" + word + "'");
    }
  }

  private static boolean isWordByte(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b < 0;
  }

  /**
   * Checks a number's syntax from the cursor and moves past it.
   *
   * @return whether it is an integer (no fraction, no exponent)
   */
  private boolean scanNumber() throws IOException {
    int numberStart = at;
    boolean integral = scanNumberSyntax();
    if (at - numberStart > MAX_NUMBER_CHARS) {
      throw malformed("number longer than " + MAX_NUMBER_CHARS + " characters", numberStart);
    }
    return integral;
  }

  private boolean scanNumberSyntax() throws IOException {
    if (in[at] == '-') {
      at++;
    }
    if (at >= end) {
      throw truncated();
    }
    if (in[at] == '0') {
      at++;
      if (at < end && in[at] >= '0' && in[at] <= '9') {
        throw malformed("number with a leading zero", at);
      }
    } else if (in[at] >= '1' && in[at] <= '9') {
      skipDigits();
    } else {
      throw unexpected("a digit");
    }
    boolean integral = true;
    if (at < end && in[at] == '.') {
      at++;
      requireDigit();
      skipDigits();
      integral = false;
    }
    if (at < end && (in[at] == 'e' || in[at] == 'E')) {
      at++;
      if (at < end && (in[at] == '+' || in[at] == '-')) {
        at++;
      }
      requireDigit();
      skipDigits();
      integral = false;
    }
    if (at < end && isWordByte(in[at])) {
      throw unexpected("a delimiter after a number");
    }
    return integral;
  }

  private void requireDigit() throws IOException {
    if (at >= end) {
      throw truncated();
    }
    if (in[at] < '0' || in[at] > '9') {
      throw unexpected("a digit");
    }
  }

  private void skipDigits() {
    while (at < end && in[at] >= '0' && in[at] <= '9') {
      at++;
    }
  }

  /** The integer that ends at the cursor and starts at {@code from}; out of int range fails. */
  private int intValue(int from) throws IOException {
    boolean negative = in[from] == '-';
    long value = 0;
    for (int i = negative ? from + 1 : from; i < at; i++) {
      value = value * 10 + (in[i] - '0');
      if (value > Integer.MAX_VALUE + 1L) {
        throw malformed("token count out of the int range", from);
      }
    }
    value = negative ? -value : value;
    if (value > Integer.MAX_VALUE) {
      throw malformed("token count out of the int range", from);
    }
    return (int) value;
  }

  private String readString() throws IOException {
    at++;
    scanString();
    return stringValue();
  }

  /**
   * With the cursor past an opening quote: finds the closing one, checking escapes, control
   * characters and UTF-8 on the way; leaves the raw bytes' bounds in {@code stringStart/End}.
   */
  private void scanString() throws IOException {
    stringStart = at;
    stringEscaped = false;
    while (at < end) {
      int b = in[at];
      if (b == '"') {
        stringEnd = at++;
        return;
      }
      if (b == '\\') {
        stringEscaped = true;
        at++;
        if (at >= end) {
          throw truncated();
        }
        switch (in[at]) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> at++;
          case 'u' -> {
            if (end - at < 5) {
              throw truncated();
            }
            for (int i = 1; i <= 4; i++) {
              if (Character.digit(in[at + i], 16) < 0) {
                throw malformed("bad \\u escape in a string", at);
              }
            }
            at += 5;
          }
          default -> throw malformed("bad escape in a string", at);
        }
      } else if (b >= 0 && b < 0x20) {
        throw malformed("control character in a string", at);
      } else if (b < 0) {
        at = endOfUtf8Sequence(at);
      } else {
        at++;
      }
    }
    throw truncated();
  }

  /** Checks the UTF-8 sequence starting at {@code start} (a byte >= 0x80); returns its end. */
  private int endOfUtf8Sequence(int start) throws IOException {
    int lead = in[start] & 0xFF;
    int length;
    int low = 0x80;
    int high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) {
        low = 0xA0;
      } else if (lead == 0xED) {
        high = 0x9F;
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) {
        low = 0x90;
      } else if (lead == 0xF4) {
        high = 0x8F;
      }
    } else {
      throw malformed("invalid UTF-8 in a string", start);
    }
    if (end - start < length) {
      throw malformed("invalid UTF-8 in a string", start);
    }
    int second = in[start + 1] & 0xFF;
    if (second < low || second > high) {
      throw malformed("invalid UTF-8 in a string", start);
    }
    for (int i = 2; i < length; i++) {
      int next = in[start + i] & 0xFF;
      if (next < 0x80 || next > 0xBF) {
        throw malformed("invalid UTF-8 in a string", start);
      }
    }
    return start + length;
  }

  /** The last scanned string, decoded. */
  private String stringValue() {
    if (!stringEscaped) {
      return new String(in, stringStart, stringEnd - stringStart, StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder(stringEnd - stringStart);
    int i = stringStart;
    while (i < stringEnd) {
      int runStart = i;
      while (i < stringEnd && in[i] != '\\') {
        i++;
      }
      if (i > runStart) {
        out.append(new String(in, runStart, i - runStart, StandardCharsets.UTF_8));
      }
      if (i >= stringEnd) {
        break;
      }
      byte escaped = in[i + 1];
      i += 2;
      switch (escaped) {
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          out.append((char) Integer.parseInt(new String(in, i, 4, StandardCharsets.US_ASCII), 16));
          i += 4;
        }
        default -> out.append((char) escaped);
      }
    }
    return out.toString();
  }

  /** Whether the field name just scanned is {@code name}. */
  private boolean named(byte[] name, int start, int stop, boolean escaped) {
    if (escaped) {
      int savedStart = stringStart;
      int savedEnd = stringEnd;
      boolean savedEscaped = stringEscaped;
      stringStart = start;
      stringEnd = stop;
      stringEscaped = true;
      String decoded = stringValue();
      stringStart = savedStart;
      stringEnd = savedEnd;
      stringEscaped = savedEscaped;
      return decoded.equals(new String(name, StandardCharsets.US_ASCII));
    }
    if (stop - start != name.length) {
      return false;
    }
    for (int i = 0; i < name.length; i++) {
      if (in[start + i] != name[i]) {
        return false;
      }
    }
    return true;
  }

  private IOException unexpected(String expected) {
    if (at >= end) {
      return truncated();
    }
    int c = in[at] & 0xFF;
    String seen = c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("byte 0x%02X", c);
    return malformed("expected " + expected + " but found " + seen, at);
  }

  private IOException truncated() {
    return new IOException("truncated JSON object");
  }

  /** {@code what} went wrong at {@code position} of the array, counted from the object's start. */
  private IOException malformed(String what, int position) {
    return new IOException(what + " at offset " + (position - base));
  }

  private static byte[] ascii(String name) {
    return name.getBytes(StandardCharsets.US_ASCII);
  }

  /** The reader's message, for failure messages. */
  static String describe(IOException malformed) {
    return malformed.getMessage();
  }
}
