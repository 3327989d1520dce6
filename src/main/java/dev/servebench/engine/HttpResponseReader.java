package dev.servebench.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads one connection's HTTP/1.1 responses (RFC 9112) from its raw reads: the status line, the
 * header fields servebench uses, and a body framed by the chunked transfer coding, by
 * Content-Length or by the connection's close. Body bytes are handed on in place, in the array they
 * were read into.
 *
 * <p>It reads a byte array, not Netty's buffer: on one or two cores servebench runs with the JIT's
 * quick compiler only (C1), which compiles each {@code ByteBuf.getByte} into a chain of calls and
 * bounds checks; one bulk copy of a read into an array, then plain array reads, cost less (see
 * {@link ClientHandler#channelRead}).
 *
 * <p>Why not Netty's HTTP codec: every streamed chunk passes through here, and the codec allocates
 * two message objects per chunk and sends each through the pipeline (bench/README.md, Why the code
 * is the way it is); this reader allocates nothing per chunk. HttpResponseReaderOracleTest checks
 * it against the codec, response by response, and lists where the two differ on purpose.
 *
 * <p>Not thread-safe: one per connection, used on its event loop.
 */
final class HttpResponseReader {

  /** Most bytes of a response's status line and header fields together, and of its trailers. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /** Longest chunk-size line (hex size and chunk extensions). */
  static final int MAX_CHUNK_LINE_BYTES = 4096;

  /** The header fields servebench reads (see {@link #header}); any other is skipped. */
  private static final String[] USED_HEADERS = {
    "content-type", "transfer-encoding", "content-length", "connection", "retry-after"
  };

  /** The name kept for a header servebench does not read, so its folded lines are skipped too. */
  private static final String OTHER_HEADER = "";

  /** What a response delivers, in this order: head once, body parts, then the end. */
  interface Events {
    /** The final (non-1xx) response's status line and header fields have been read. */
    void onHead();

    /**
     * Body bytes, transfer coding removed: {@code length} bytes of {@code bytes} from {@code
     * offset}, valid only during this call (the array is reused for the next read).
     */
    void onBody(byte[] bytes, int offset, int length);

    /**
     * The response is complete.
     *
     * @param keepAlive the connection may carry another request
     */
    void onEnd(boolean keepAlive);
  }

  /** The server sent something that is not an HTTP/1.x response. */
  static final class MalformedResponseException extends RuntimeException {
    MalformedResponseException(String message) {
      super(message, null, false, false);
    }
  }

  private enum State {
    STATUS_LINE,
    HEADERS,
    FIXED_BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    TRAILERS,
    UNTIL_CLOSE,
    /** The response ended, or its reader was stopped: later bytes are not read. */
    IDLE
  }

  private State state = State.IDLE;
  private boolean stopped;
  private byte[] line = new byte[256];
  private int lineLength;
  private int headBytes;

  private int status;
  private boolean http10;
  private boolean connectionClose;
  private boolean connectionKeepAlive;
  private long contentLength;
  private String contentLengthField;
  private boolean chunked;
  private boolean transferEncoding;
  private String contentType;
  private String retryAfter;
  private String lastHeaderName;
  private long remaining;

  /** Expects a new response: call before each request is written. */
  void begin() {
    state = State.STATUS_LINE;
    stopped = false;
    lineLength = 0;
    headBytes = 0;
    startHead();
  }

  /** Reads no further bytes of this response (the request ended some other way). */
  void stop() {
    state = State.IDLE;
    stopped = true;
  }

  int status() {
    return status;
  }

  /** The Content-Type field's value, or {@code null}. */
  String contentType() {
    return contentType;
  }

  /** The Retry-After field's value, or {@code null}. */
  String retryAfter() {
    return retryAfter;
  }

  /** Whether bytes read now would be read: a response is expected and has not ended. */
  boolean reading() {
    return state != State.IDLE;
  }

  /**
   * Reads {@code count} bytes of {@code in} from {@code offset}, the next bytes of the connection,
   * and calls {@code events} for what they complete. Stops early when {@link #stop} is called from
   * a callback.
   *
   * @throws MalformedResponseException when the bytes break the protocol
   */
  void read(byte[] in, int offset, int count, Events events) {
    int index = offset;
    int end = offset + count;
    while (index < end && state != State.IDLE) {
      switch (state) {
        case STATUS_LINE -> {
          index = readLine(in, index, end, MAX_HEAD_BYTES);
          if (index >= 0) {
            statusLine();
          } else {
            return;
          }
        }
        case HEADERS -> {
          index = readLine(in, index, end, MAX_HEAD_BYTES);
          if (index < 0) {
            return;
          }
          if (lineLength == 0) {
            endOfHead(events);
          } else {
            headerLine();
          }
        }
        case FIXED_BODY, CHUNK_DATA -> {
          int length = (int) Math.min(remaining, end - index);
          remaining -= length;
          int at = index;
          index += length;
          boolean endsResponse = remaining == 0 && state == State.FIXED_BODY;
          if (remaining == 0) {
            state = endsResponse ? State.IDLE : State.CHUNK_DATA_END;
          }
          events.onBody(in, at, length);
          if (endsResponse && !stopped) {
            events.onEnd(keepAlive());
          }
        }
        case CHUNK_DATA_END -> {
          // The CRLF after a chunk's data, read in place when it is whole in this read.
          if (lineLength == 0 && end - index >= 2 && in[index] == '\r' && in[index + 1] == '\n') {
            index += 2;
            state = State.CHUNK_SIZE;
            continue;
          }
          index = readLine(in, index, end, MAX_CHUNK_LINE_BYTES);
          if (index < 0) {
            return;
          }
          if (lineLength != 0) {
            throw new MalformedResponseException("a chunk is longer than its chunk-size line said");
          }
          state = State.CHUNK_SIZE;
        }
        case CHUNK_SIZE -> {
          int after = lineLength == 0 ? plainChunkSizeLine(in, index, end) : -1;
          if (after >= 0) {
            index = after;
          } else {
            index = readLine(in, index, end, MAX_CHUNK_LINE_BYTES);
            if (index < 0) {
              return;
            }
            remaining = chunkSize();
          }
          if (remaining == 0) {
            headBytes = 0;
            state = State.TRAILERS;
          } else {
            state = State.CHUNK_DATA;
          }
        }
        case TRAILERS -> {
          index = readLine(in, index, end, MAX_HEAD_BYTES);
          if (index < 0) {
            return;
          }
          if (lineLength == 0) {
            state = State.IDLE;
            events.onEnd(keepAlive());
          }
          consumeLine();
        }
        case UNTIL_CLOSE -> {
          events.onBody(in, index, end - index);
          index = end;
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
  }

  /**
   * The server closed the connection: a body framed by the close ends here.
   *
   * @return whether the response ended ({@link Events#onEnd} was called)
   */
  boolean closed(Events events) {
    if (state != State.UNTIL_CLOSE) {
      return false;
    }
    state = State.IDLE;
    events.onEnd(false);
    return true;
  }

  private boolean keepAlive() {
    // A body framed by both Transfer-Encoding and Content-Length is a smuggling risk: close after.
    // So is Transfer-Encoding in HTTP/1.0, which RFC 9112 (6.1) says to read as faulty framing and
    // then close, whatever its Connection field says.
    if (connectionClose || (transferEncoding && (contentLength >= 0 || http10))) {
      return false;
    }
    return http10 ? connectionKeepAlive : true;
  }

  /**
   * Appends bytes up to and including the next LF to the line buffer.
   *
   * @return the index after the LF, or -1 when the read ended before it
   */
  private int readLine(byte[] in, int index, int end, int limit) {
    int lf = index;
    while (lf < end && in[lf] != '\n') {
      lf++;
    }
    int stop = lf;
    if (lf == end) {
      lf = -1;
    }
    int length = stop - index;
    boolean head = state == State.STATUS_LINE || state == State.HEADERS || state == State.TRAILERS;
    if (head) {
      headBytes += length + (lf < 0 ? 0 : 1);
    }
    if (lineLength + length > limit || headBytes > MAX_HEAD_BYTES) {
      throw new MalformedResponseException(
          (head
                  ? "the response's header section is longer than "
                  : "a chunk-size line is longer than ")
              + limit
              + " bytes");
    }
    if (lineLength + length > line.length) {
      line = Arrays.copyOf(line, Math.max(lineLength + length, line.length * 2));
    }
    System.arraycopy(in, index, line, lineLength, length);
    lineLength += length;
    if (lf < 0) {
      return -1;
    }
    // CRLF ends a line; a bare LF is accepted too, as RFC 9112 allows a recipient to.
    if (lineLength > 0 && line[lineLength - 1] == '\r') {
      lineLength--;
    }
    return lf + 1;
  }

  private String lineText() {
    return new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
  }

  private void consumeLine() {
    lineLength = 0;
  }

  private void startHead() {
    status = 0;
    http10 = false;
    connectionClose = false;
    connectionKeepAlive = false;
    contentLength = -1;
    contentLengthField = null;
    chunked = false;
    transferEncoding = false;
    contentType = null;
    retryAfter = null;
    lastHeaderName = null;
  }

  /** {@code HTTP/1.x SP 3DIGIT [SP reason]}; empty lines before it are skipped. */
  private void statusLine() {
    if (lineLength == 0) {
      return;
    }
    String text = lineText();
    consumeLine();
    boolean valid =
        text.length() >= 12
            && text.startsWith("HTTP/1.")
            && isDigit(text.charAt(7))
            && text.charAt(8) == ' '
            && isDigit(text.charAt(9))
            && isDigit(text.charAt(10))
            && isDigit(text.charAt(11))
            && (text.length() == 12 || text.charAt(12) == ' ');
    if (!valid) {
      throw new MalformedResponseException("not an HTTP/1.x status line: " + printable(text));
    }
    http10 = text.charAt(7) == '0';
    status = Integer.parseInt(text, 9, 12, 10);
    if (status < 100) {
      throw new MalformedResponseException("status " + status + " in " + printable(text));
    }
    state = State.HEADERS;
  }

  private void headerLine() {
    if (line[0] == ' ' || line[0] == '\t') {
      // Obsolete line folding: the value goes on after one space (RFC 9112, section 5.2).
      if (lastHeaderName == null) {
        throw new MalformedResponseException("a folded header line with no header before it");
      }
      String more = lineText().strip();
      consumeLine();
      header(lastHeaderName, more, true);
      return;
    }
    int colon = 0;
    while (colon < lineLength && line[colon] != ':') {
      colon++;
    }
    if (colon == 0 || colon == lineLength) {
      String text = lineText();
      consumeLine();
      throw new MalformedResponseException("a header line without a name: " + printable(text));
    }
    String name = usedHeaderName(colon);
    lastHeaderName = name;
    if (name.isEmpty()) {
      // Skipped without building strings: most of a response's head (date, server, caching).
      consumeLine();
      return;
    }
    String text = lineText();
    consumeLine();
    header(name, text.substring(colon + 1).strip(), false);
  }

  /**
   * The lower-case name of the header whose name ends before {@code colon}, if servebench uses it;
   * {@link #OTHER_HEADER} for any other. Names are compared ignoring ASCII case, after trimming
   * whitespace as {@link String#strip()} would.
   */
  private String usedHeaderName(int colon) {
    int from = 0;
    int to = colon;
    while (from < to && Character.isWhitespace(line[from] & 0xFF)) {
      from++;
    }
    while (to > from && Character.isWhitespace(line[to - 1] & 0xFF)) {
      to--;
    }
    for (String name : USED_HEADERS) {
      if (name.length() == to - from && namedAs(from, name)) {
        return name;
      }
    }
    return OTHER_HEADER;
  }

  private boolean namedAs(int from, String lowerCaseName) {
    for (int i = 0; i < lowerCaseName.length(); i++) {
      int c = line[from + i] & 0xFF;
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerCaseName.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private void header(String name, String value, boolean continued) {
    switch (name) {
      case "content-type" -> contentType = join(contentType, value, continued);
      case "retry-after" -> retryAfter = join(retryAfter, value, continued);
      case "content-length" -> contentLengthField = join(contentLengthField, value, continued);
      case "transfer-encoding" -> {
        transferEncoding = true;
        // Only the last coding decides the framing: "gzip, chunked" is chunked.
        String[] codings = value.split(",");
        String last = codings[codings.length - 1].strip();
        chunked = last.equalsIgnoreCase("chunked");
      }
      case "connection" -> {
        for (String option : value.split(",")) {
          String token = option.strip();
          connectionClose |= token.equalsIgnoreCase("close");
          connectionKeepAlive |= token.equalsIgnoreCase("keep-alive");
        }
      }
      default -> {
        // Not used by servebench.
      }
    }
  }

  private static String join(String earlier, String value, boolean continued) {
    if (earlier == null) {
      return value;
    }
    return earlier + (continued ? " " : ", ") + value;
  }

  /**
   * Content-Length may repeat (as a field or a list) only with one value (RFC 9110, 8.6). Read once
   * the head is whole, as one value: a folded line goes on after a space (RFC 9112, 5.2), so {@code
   * 1} folded onto {@code 1} is the invalid {@code 1 1}, not a repeat, and {@code 2,} folded onto
   * {@code 2} is the list {@code 2, 2}.
   */
  private void contentLength(String value) {
    for (String part : value.split(",", -1)) {
      String digits = part.strip();
      long length = -1;
      if (!digits.isEmpty() && digits.length() <= 18 && digits.chars().allMatch(c -> isDigit(c))) {
        length = Long.parseLong(digits);
      }
      if (length < 0 || (contentLength >= 0 && contentLength != length)) {
        throw new MalformedResponseException("invalid Content-Length: " + printable(value));
      }
      contentLength = length;
    }
  }

  private void endOfHead(Events events) {
    if (contentLengthField != null) {
      contentLength(contentLengthField);
    }
    if (status < 200) {
      if (status == 101) {
        throw new MalformedResponseException("the server switched protocols (status 101)");
      }
      // An interim response (100 Continue, 103 Early Hints): the final one follows.
      startHead();
      state = State.STATUS_LINE;
      return;
    }
    boolean bodyless = status == 204 || status == 304;
    if (bodyless) {
      state = State.IDLE;
    } else if (transferEncoding) {
      state = chunked ? State.CHUNK_SIZE : State.UNTIL_CLOSE;
    } else if (contentLength >= 0) {
      remaining = contentLength;
      bodyless = contentLength == 0;
      state = bodyless ? State.IDLE : State.FIXED_BODY;
    } else {
      state = State.UNTIL_CLOSE;
    }
    events.onHead();
    if (bodyless && !stopped) {
      events.onEnd(keepAlive());
    }
  }

  /**
   * A chunk-size line that is only hex digits and CRLF (or LF), whole in this read, as nearly every
   * server writes it: read in place, without copying it to the line buffer first (two such lines
   * per streamed event). Sets {@link #remaining}.
   *
   * @return the index after the line, or -1 for anything else (split across reads, extensions,
   *     whitespace, too many digits, not a chunk-size line), which the general path then reads
   */
  private int plainChunkSizeLine(byte[] in, int index, int end) {
    long size = 0;
    int i = index;
    for (; i < end && i - index <= 15; i++) {
      int value = hexValue(in[i]);
      if (value < 0) {
        break;
      }
      size = size * 16 + value;
    }
    int digits = i - index;
    if (digits == 0 || digits > 15 || i >= end) {
      return -1;
    }
    byte next = in[i];
    if (next == '\r' && i + 1 < end && in[i + 1] == '\n') {
      i += 2;
    } else if (next == '\n') {
      i += 1;
    } else {
      return -1;
    }
    remaining = size;
    return i;
  }

  private static int hexValue(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  /** The chunk-size line in the line buffer: {@code 1*HEXDIG [BWS ";" extensions]}. */
  private long chunkSize() {
    long size = 0;
    int digits = 0;
    int i = 0;
    for (; i < lineLength; i++) {
      int value = Character.digit(line[i], 16);
      if (value < 0) {
        break;
      }
      if (++digits > 15) {
        throw new MalformedResponseException("a chunk size too large: " + printable(lineText()));
      }
      size = size * 16 + value;
    }
    while (i < lineLength && (line[i] == ' ' || line[i] == '\t')) {
      i++;
    }
    if (digits == 0 || (i < lineLength && line[i] != ';')) {
      throw new MalformedResponseException("invalid chunk-size line: " + printable(lineText()));
    }
    consumeLine();
    return size;
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  /** At most 80 characters, control characters escaped: safe for a one-line message. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (; i < text.length() && out.length() < 80; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return "'" + out + (i < text.length() ? "...'" : "'");
  }
}
