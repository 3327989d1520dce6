package dev.servebench.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * What a plain-text (not TLS) connection reads into: one buffer per I/O thread, reused by every
 * read of every connection on that thread, where Netty would take a pooled buffer from its
 * allocator and give it back for each read: with the JIT's quick compiler only (servebench on one
 * or two cores), that take and give-back are a sizeable share of the I/O thread's own time
 * (bench/README.md, Why the code is the way it is).
 *
 * <p>Safe because the plain pipeline has one handler, {@link ClientHandler}, which reads each
 * buffer to its end inside {@code channelRead} and keeps nothing of it; the next read on that
 * thread starts only after. A TLS connection's decrypting handler keeps undecrypted bytes between
 * reads, so TLS connections keep Netty's buffers.
 */
final class ReusedReceiveBuffer extends DefaultMaxMessagesRecvByteBufAllocator {

  /** Bytes one read may take; a read that fills it is followed by another. */
  static final int CAPACITY = 64 * 1024;

  /** Reads per readiness event before other connections get their turn (Netty's default). */
  private static final int MAX_READS_PER_EVENT = 16;

  private static final FastThreadLocal<ByteBuf> BUFFERS =
      new FastThreadLocal<>() {
        @Override
        protected ByteBuf initialValue() {
          return Unpooled.directBuffer(CAPACITY, CAPACITY);
        }

        @Override
        protected void onRemoval(ByteBuf buffer) {
          buffer.release();
        }
      };

  ReusedReceiveBuffer() {
    super(MAX_READS_PER_EVENT);
  }

  @Override
  public Handle newHandle() {
    return new ReusingHandle();
  }

  /** One per connection; a connection reads on one I/O thread only. */
  private final class ReusingHandle extends MaxMessageHandle {
    private ByteBuf buffer;

    @Override
    public ByteBuf allocate(ByteBufAllocator ignored) {
      ByteBuf reused = buffer;
      if (reused == null) {
        reused = buffer = BUFFERS.get();
      }
      // The thread holds one reference for good; the one added here is the one the reader (or
      // Netty, after an empty read) releases.
      return reused.clear().retain();
    }

    @Override
    public int guess() {
      return CAPACITY;
    }
  }
}
