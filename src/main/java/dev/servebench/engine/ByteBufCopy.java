package dev.servebench.engine;

import io.netty.buffer.ByteBuf;

/**
 * Copies bytes out of a received buffer without allocating. {@link ByteBuf#getBytes(int, byte[],
 * int, int)} on a direct buffer duplicates its NIO buffer for every call, an object the optimizing
 * compiler can remove but the quick one, which servebench runs with on one or two cores, cannot:
 * measured at 1,000 streams/s with C1 only, those duplicates were 43 % of everything the client
 * allocated (two per streamed chunk then; now each read is copied once, by {@link ClientHandler}).
 */
final class ByteBufCopy {

  private ByteBufCopy() {}

  /** Copies {@code length} bytes at {@code index} of {@code source} into {@code target}. */
  static void copy(ByteBuf source, int index, byte[] target, int targetIndex, int length) {
    if (source.hasArray()) {
      System.arraycopy(source.array(), source.arrayOffset() + index, target, targetIndex, length);
    } else if (source.nioBufferCount() == 1) {
      // The buffer's own reusable view: positioned at index, limited to length, read once here.
      source.internalNioBuffer(index, length).get(target, targetIndex, length);
    } else {
      source.getBytes(index, target, targetIndex, length);
    }
  }
}
