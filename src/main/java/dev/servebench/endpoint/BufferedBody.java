package dev.servebench.endpoint;

import java.util.Arrays;

/** Collects a non-streamed body; such bodies are parsed once, when complete. */
final class BufferedBody {

  private byte[] bytes = new byte[1024];
  private int length;

  void append(byte[] source, int offset, int count) {
    if (length + count > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
    }
    System.arraycopy(source, offset, bytes, length, count);
    length += count;
  }

  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }
}
