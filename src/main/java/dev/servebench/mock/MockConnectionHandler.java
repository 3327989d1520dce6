package dev.servebench.mock;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One connection's requests, answered one after another. A client may pipeline requests on a
 * keep-alive connection; HTTP/1.1 requires the answers in order, so later replies wait here until
 * the current one has been written in full. All state is touched only on the connection's event
 * loop.
 */
final class MockConnectionHandler extends ChannelInboundHandlerAdapter {

  private final MockRouter router;
  private final OutputVocabulary vocabulary;
  private final LatencyModel latencies;
  private final MockCounters counters;
  private final Queue<Reply> waiting = new ArrayDeque<>();
  private GenerationResponder current;

  MockConnectionHandler(
      MockRouter router,
      OutputVocabulary vocabulary,
      LatencyModel latencies,
      MockCounters counters) {
    this.router = router;
    this.vocabulary = vocabulary;
    this.latencies = latencies;
    this.counters = counters;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      waiting.add(
          request.decoderResult().isSuccess()
              ? router.route(request)
              : new Reply.Fixed(
                  HttpResponseStatus.BAD_REQUEST,
                  MockJson.error("malformed HTTP request", "invalid_request_error"),
                  true));
    } finally {
      request.release();
    }
    if (current == null) {
      answerWaiting(ctx);
    }
  }

  /** Answers fixed replies at once and starts the next generation, if any. */
  private void answerWaiting(ChannelHandlerContext ctx) {
    current = null;
    Reply reply;
    while ((reply = waiting.poll()) != null) {
      switch (reply) {
        case Reply.Fixed fixed -> ctx.writeAndFlush(response(fixed), ctx.voidPromise());
        case Generation generation -> {
          current =
              new GenerationResponder(
                  ctx, generation, vocabulary, latencies, counters, () -> answerWaiting(ctx));
          current.start();
          return;
        }
      }
    }
  }

  private static FullHttpResponse response(Reply.Fixed fixed) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, fixed.status(), Unpooled.wrappedBuffer(fixed.jsonBody()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(response, fixed.jsonBody().length);
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
