package dev.servebench.mock;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in a connection's pipeline: stamps when the first bytes of each request are read, before
 * TLS and HTTP decoding, so the write log's "received" is when the request reached the server and
 * not when the mock had finished decoding it (which, on code the JIT has not compiled yet, took a
 * few hundred microseconds and showed as the client's send delay).
 */
final class ArrivalStamp extends ChannelInboundHandlerAdapter {

  private static final long NONE = Long.MIN_VALUE;

  private long firstReadNanos = NONE;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (firstReadNanos == NONE) {
      firstReadNanos = System.nanoTime();
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Drops the stamp of what was read so far: the reads of a TLS handshake, which come before the
   * connection's first request (on a connection opened ahead of its first request, long before).
   */
  void forget() {
    firstReadNanos = NONE;
  }

  /**
   * When the request just decoded began to arrive; the next read starts the next request's stamp. A
   * request that came in the same read as the end of the one before has no stamp of its own and
   * gets the time of this call.
   */
  long take() {
    long stamp = firstReadNanos;
    firstReadNanos = NONE;
    return stamp == NONE ? System.nanoTime() : stamp;
  }
}
