package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The text a stream has sent so far, for formats that repeat it: SGLang's events each hold the
 * whole text, TGI's last event holds it as {@code generated_text}. A format marks where a chunk's
 * text starts in its buffer and keeps the bytes written there when it closes the chunk.
 */
final class StreamedText {

  private byte[] bytes = new byte[256];
  private int length;
  private ByteBuf chunk;
  private int chunkTextStart;

  /** The chunk's text starts at {@code out}'s writer index. */
  void markStart(ByteBuf out) {
    chunk = out;
    chunkTextStart = out.writerIndex();
  }

  /**
   * Keeps what was written into {@code out} since {@link #markStart}; nothing when the chunk closes
   * in another buffer than it opened (a fault's broken chunk), whose text is not the answer's.
   */
  void keep(ByteBuf out) {
    if (out != chunk) {
      return;
    }
    int count = out.writerIndex() - chunkTextStart;
    if (length + count > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
    }
    out.getBytes(chunkTextStart, bytes, length, count);
    length += count;
    chunk = null;
  }

  /** Writes the text so far. */
  void writeTo(ByteBuf out) {
    out.writeBytes(bytes, 0, length);
  }
}
