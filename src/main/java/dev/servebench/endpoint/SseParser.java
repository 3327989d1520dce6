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
 * <p>A line that lies whole in one read is parsed where it lies, and an event's one data line is
 * handed to the listener in place too: most streamed events are one data line and a blank line
 * arriving in one read, so they are never copied. Anything that must outlive the read (a line or an
 * event cut by the read's end, an event of several data lines) is copied into the parser's own
 * buffers.
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
     * @param data holds the joined {@code data:} lines, valid until this call returns
     * @param offset where they start in {@code data}
     * @param length how many bytes they take
     */
    void onEvent(String eventType, byte[] data, int offset, int length);
  }

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

  private byte[] line = new byte[256];
  private int lineLength;
  private byte[] data = new byte[256];
  private int dataLength;
  private boolean hasData;
  private String eventType;

  /**
   * The current event's data when it is one data line read whole in the array being fed, not
   * copied; {@code null} when the data is in {@link #data}.
   */
  private byte[] dataInPlace;

  private int dataInPlaceOffset;
  private int dataInPlaceLength;

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
      if (lineEnd == end) {
        appendToLine(bytes, position, lineEnd - position);
        break; // the line goes on in the next read
      }
      int lineStart = position;
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
      if (lineLength == 0) {
        processLine(bytes, lineStart, lineEnd - lineStart, true, listener);
      } else {
        appendToLine(bytes, lineStart, lineEnd - lineStart);
        processLine(line, 0, lineLength, false, listener);
        lineLength = 0;
      }
    }
    copyDataInPlace(); // the caller reuses its array after this call
  }

  /**
   * The body ended. An event still open (its blank line never came) is dispatched rather than
   * dropped: servers that end with {@code data: [DONE]\n} and no blank line are common, and a lost
   * final usage event would lose token counts.
   */
  public void finish(Listener listener) {
    if (lineLength > 0) {
      processLine(line, 0, lineLength, false, listener);
      lineLength = 0;
    }
    dispatch(listener);
  }

  /**
   * One line, its end of line removed: {@code length} bytes of {@code text} from {@code start}.
   *
   * @param inPlace {@code text} is the caller's array, valid until {@link #feed} returns
   */
  private void processLine(byte[] text, int start, int length, boolean inPlace, Listener listener) {
    if (length == 0) {
      dispatch(listener);
      return;
    }
    if (text[start] == ':') {
      return; // comment, often a keep-alive
    }
    int end = start + length;
    int colon = start;
    while (colon < end && text[colon] != ':') {
      colon++;
    }
    int valueStart = colon < end ? colon + 1 : end;
    if (valueStart < end && text[valueStart] == ' ') {
      valueStart++;
    }
    if (fieldIs(text, start, colon, DATA)) {
      if (!hasData && inPlace) {
        dataInPlace = text;
        dataInPlaceOffset = valueStart;
        dataInPlaceLength = end - valueStart;
      } else {
        copyDataInPlace();
        if (hasData) {
          appendToData((byte) '\n');
        }
        appendToData(text, valueStart, end - valueStart);
      }
      hasData = true;
    } else if (fieldIs(text, start, colon, EVENT)) {
      eventType = new String(text, valueStart, end - valueStart, StandardCharsets.UTF_8);
    }
  }

  private void dispatch(Listener listener) {
    if (hasData) {
      if (dataInPlace != null) {
        listener.onEvent(eventType, dataInPlace, dataInPlaceOffset, dataInPlaceLength);
      } else {
        listener.onEvent(eventType, data, 0, dataLength);
      }
    }
    hasData = false;
    dataInPlace = null;
    dataLength = 0;
    eventType = null;
  }

  /** Moves the current event's data, if it is still in the caller's array, into {@link #data}. */
  private void copyDataInPlace() {
    if (dataInPlace != null) {
      dataLength = 0;
      appendToData(dataInPlace, dataInPlaceOffset, dataInPlaceLength);
      dataInPlace = null;
    }
  }

  private static boolean fieldIs(byte[] text, int start, int nameEnd, byte[] field) {
    return nameEnd - start == field.length
        && Arrays.equals(text, start, nameEnd, field, 0, field.length);
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
