package dev.servebench.endpoint;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A non-streamed response: the body is collected and parsed once, when complete. */
abstract class WholeBodyParser implements ResponseParser {

  private byte[] bytes = new byte[1024];
  private int length;

  @Override
  public final void onBody(
      byte[] source, int offset, int count, long arrivalNanos, ResponseEvents events) {
    if (length + count > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
    }
    System.arraycopy(source, offset, bytes, length, count);
    length += count;
  }

  @Override
  public final void onEnd(ResponseEvents events) {
    onWholeBody(bytes, length, events);
  }

  /** Parses the complete body, {@code body[0..length)}. */
  abstract void onWholeBody(byte[] body, int length, ResponseEvents events);

  /** The start of the body, for failure messages. */
  final String snippet() {
    return new String(bytes, 0, Math.min(length, 200), StandardCharsets.UTF_8);
  }
}
