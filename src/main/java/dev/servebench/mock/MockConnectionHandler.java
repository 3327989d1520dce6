package dev.servebench.mock;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * One connection's requests, answered one after another. A client may pipeline requests on a
 * keep-alive connection; HTTP/1.1 requires the answers in order, so later replies wait here until
 * the current one has been written in full. All state is touched only on the connection's event
 * loop.
 */
final class MockConnectionHandler extends ChannelInboundHandlerAdapter
    implements GenerationResponder.Connection {

  private final MockRuntime runtime;
  private final Queue<Reply> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;

  /** The HTTP codec's context, where streamed chunks framed by the responder are written. */
  private ChannelHandlerContext framedCtx;

  /** Whether a reply is being written, or waiting out a server-wide stall. */
  private boolean busy;

  private GenerationResponder current;

  /** When each request's first bytes were read, ahead of decoding. */
  private final ArrivalStamp arrival;

  MockConnectionHandler(MockRuntime runtime, ArrivalStamp arrival) {
    this.runtime = runtime;
    this.arrival = arrival;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof SslHandshakeCompletionEvent) {
      arrival.forget();
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.framedCtx = ctx.pipeline().context(HttpServerCodec.class);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    long receivedNanos = arrival.take();
    try {
      waiting.add(
          request.decoderResult().isSuccess()
              ? runtime.router().route(request, receivedNanos)
              : new Reply.Fixed(
                  HttpResponseStatus.BAD_REQUEST,
                  MockJson.error("malformed HTTP request", "invalid_request_error"),
                  true));
    } finally {
      request.release();
    }
    if (!busy) {
      answerWaiting();
    }
  }

  /** Answers fixed replies at once and starts the next generation, if any. */
  private void answerWaiting() {
    busy = false;
    current = null;
    long nowNanos = System.nanoTime();
    long writableNanos = runtime.stallGate().writableAtNanos(nowNanos);
    if (writableNanos != nowNanos && !waiting.isEmpty()) {
      busy = true;
      ctx.executor().schedule(this::answerWaiting, writableNanos - nowNanos, TimeUnit.NANOSECONDS);
      return;
    }
    Reply reply;
    while ((reply = waiting.poll()) != null) {
      switch (reply) {
        case Reply.Fixed fixed -> ctx.writeAndFlush(response(fixed), ctx.voidPromise());
        case Generation generation -> {
          busy = true;
          current = new GenerationResponder(ctx, framedCtx, generation, runtime, this);
          current.start();
          return;
        }
      }
    }
  }

  @Override
  public void responseDone() {
    answerWaiting();
  }

  @Override
  public void closeWhenIdle(long delayMillis) {
    ctx.executor()
        .schedule(
            () -> {
              if (!busy && waiting.isEmpty()) {
                ctx.close();
              }
            },
            delayMillis,
            TimeUnit.MILLISECONDS);
  }

  private static FullHttpResponse response(Reply.Fixed fixed) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, fixed.status(), Unpooled.wrappedBuffer(fixed.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, fixed.contentType());
    HttpUtil.setContentLength(response, fixed.body().length);
    if (fixed.closeConnection()) {
      HttpUtil.setKeepAlive(response, false);
    }
    return response;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (current != null) {
      current.cancel();
      current = null;
    }
    waiting.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset by the client or a failed write: the connection is done, the server carries on.
    ctx.close();
  }
}
