package dev.servebench.engine;

import io.netty.buffer.ByteBuf;

/**
 * Copies bytes out of a received buffer without allocating. {@link ByteBuf#getBytes(int, byte[],
 * int, int)} on a direct buffer duplicates its NIO buffer for every call, an object the optimizing
 * compiler can remove but the quick one, which servebench runs with on one or two cores, cannot,
 * and those duplicates were the largest share of the client's garbage (bench/README.md, Why the
 * code is the way it is). Each read is copied once, by {@link ClientHandler}.
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
