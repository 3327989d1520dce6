package dev.servebench.mock;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in a connection's pipeline: stamps when the first bytes of each request are read, before
 * TLS and HTTP decoding, so the write log's "received" is when the request reached the server and
 * not when the mock had finished decoding it. The rest of the pipeline runs for each read as a task
 * after the event loop's current batch of reads: when many requests arrive at once, every one is
 * stamped as it is read, not after the decoding and routing of those read before it, which would
 * otherwise count as the client's send delay (bench/README.md, Cold start). Events keep their
 * order: each goes through the same loop's task queue.
 */
final class ArrivalStamp extends ChannelInboundHandlerAdapter {

  private static final long NONE = Long.MIN_VALUE;

  private long firstReadNanos = NONE;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (firstReadNanos == NONE) {
      firstReadNanos = System.nanoTime();
    }
    ctx.executor().execute(() -> ctx.fireChannelRead(msg));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.executor().execute(ctx::fireChannelReadComplete);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ctx.executor().execute(ctx::fireChannelInactive);
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
