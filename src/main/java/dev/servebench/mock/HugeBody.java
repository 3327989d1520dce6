package dev.servebench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;

/**
 * Writes a streamed body of many MiB piece by piece, each piece once the previous one has left, so
 * the server holds one piece per slow client instead of the whole body.
 */
final class HugeBody implements ChannelFutureListener {

  private static final int PIECE_BYTES = 64 << 10;

  /** {@code " the"} over and over: one token each in the GPT tokenizers, shared by every write. */
  private static final byte[] PIECE = MockJson.utf8(" the".repeat(PIECE_BYTES / 4));

  private final ChannelHandlerContext ctx;
  private final ByteBuf tail;
  private final Runnable onDone;
  private long remainingBytes;

  /**
   * @param tail what follows the text (closing its event, end marker); released if never written
   */
  HugeBody(ChannelHandlerContext ctx, long textBytes, ByteBuf tail, Runnable onDone) {
    this.ctx = ctx;
    this.remainingBytes = textBytes;
    this.tail = tail;
    this.onDone = onDone;
  }

  void start(ByteBuf head) {
    ctx.writeAndFlush(new DefaultHttpContent(head)).addListener(this);
  }

  @Override
  public void operationComplete(ChannelFuture written) {
    if (!written.isSuccess()) {
      // The client went away; its connection's close cleans up the rest.
      tail.release();
      return;
    }
    if (remainingBytes == 0) {
      ctx.writeAndFlush(new DefaultLastHttpContent(tail), ctx.voidPromise());
      onDone.run();
      return;
    }
    int pieceBytes = (int) Math.min(PIECE_BYTES, remainingBytes);
    remainingBytes -= pieceBytes;
    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(PIECE, 0, pieceBytes)))
        .addListener(this);
  }
}
