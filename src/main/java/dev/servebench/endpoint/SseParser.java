package dev.servebench.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental Server-Sent Events parser, fed the body bytes of one response read by read.
 *
 * <p>It follows the event-stream grammar: lines end in {@code \n}, {@code \r\n} or {@code \r} (also
 * when the {@code \r} and {@code \n} arrive in different reads); a blank line dispatches the event;
 * the {@code data:} lines of one event are joined with {@code \n}; one space after the colon is
 * dropped; comment lines ({@code :...}) and unknown fields ({@code id}, {@code retry}, ...) are
 * ignored. Events may span reads and several may share one read. Because lines split only at ASCII
 * bytes, a multi-byte UTF-8 character can never be cut by the parser.
 *
 * <p>Not thread-safe: one parser per response, used on that response's I/O thread.
 */
public final class SseParser {

  /** Receives each complete event. */
  public interface Listener {
    /**
     * One dispatched event.
     *
     * @param eventType the {@code event:} field, or {@code null} when absent (the default
     *     "message")
     * @param data the joined {@code data:} lines, valid until this call returns
     * @param dataLength number of bytes of {@code data} in use
     */
    void onEvent(String eventType, byte[] data, int dataLength);
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

  private byte[] line = new byte[256];
  private int lineLength;
  private byte[] data = new byte[256];
  private int dataLength;
  private boolean hasData;
  private String eventType;

  /** The previous read ended in {@code \r}; a {@code \n} starting this read belongs to it. */
  private boolean skipLineFeed;

  /** Parses {@code length} bytes of {@code bytes} from {@code offset}, dispatching whole events. */
  public void feed(byte[] bytes, int offset, int length, Listener listener) {
    int end = offset + length;
    int position = offset;
    if (skipLineFeed && position < end) {
      skipLineFeed = false;
      if (bytes[position] == '\n') {
        position++;
      }
    }
    while (position < end) {
      int lineEnd = position;
      while (lineEnd < end && bytes[lineEnd] != '\n' && bytes[lineEnd] != '\r') {
        lineEnd++;
      }
      appendToLine(bytes, position, lineEnd - position);
      if (lineEnd == end) {
        return; // the line goes on in the next read
      }
      position = lineEnd + 1;
      if (bytes[lineEnd] == '\r') {
        if (position < end) {
          if (bytes[position] == '\n') {
            position++;
          }
        } else {
          skipLineFeed = true;
        }
      }
      processLine(listener);
    }
  }

  /**
   * The body ended. An event still open (its blank line never came) is dispatched rather than
   * dropped: servers that end with {@code data: [DONE]\n} and no blank line are common, and a lost
   * final usage event would lose token counts.
   */
  public void finish(Listener listener) {
    if (lineLength > 0) {
      processLine(listener);
    }
    dispatch(listener);
  }

  private void processLine(Listener listener) {
    int length = lineLength;
    lineLength = 0;
    if (length == 0) {
      dispatch(listener);
      return;
    }
    byte[] text = line;
    if (text[0] == ':') {
      return; // comment, often a keep-alive
    }
    int colon = 0;
    while (colon < length && text[colon] != ':') {
      colon++;
    }
    int valueStart = colon < length ? colon + 1 : length;
    if (valueStart < length && text[valueStart] == ' ') {
      valueStart++;
    }
    if (fieldIs(text, colon, DATA)) {
      if (hasData) {
        appendToData((byte) '\n');
      }
      hasData = true;
      appendToData(text, valueStart, length - valueStart);
    } else if (fieldIs(text, colon, EVENT)) {
      eventType = new String(text, valueStart, length - valueStart, StandardCharsets.UTF_8);
    }
  }

  private void dispatch(Listener listener) {
    if (hasData) {
      listener.onEvent(eventType, data, dataLength);
    }
    hasData = false;
    dataLength = 0;
    eventType = null;
  }

  private static boolean fieldIs(byte[] text, int nameLength, byte[] field) {
    return nameLength == field.length && Arrays.equals(text, 0, nameLength, field, 0, nameLength);
  }

  private void appendToLine(byte[] bytes, int offset, int length) {
    if (lineLength + length > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
    }
    System.arraycopy(bytes, offset, line, lineLength, length);
    lineLength += length;
  }

  private void appendToData(byte[] bytes, int offset, int length) {
    if (dataLength + length > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + length));
    }
    System.arraycopy(bytes, offset, data, dataLength, length);
    dataLength += length;
  }

  private void appendToData(byte value) {
    if (dataLength == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    data[dataLength++] = value;
  }
}
