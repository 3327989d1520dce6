package dev.servebench.engine;

import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.FailureReason;
import dev.servebench.endpoint.ResponseParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;

/**
 * Drives one connection's current request: stamps the response's arrival, feeds body reads to the
 * endpoint's parser and ends the request exactly once, on success, error, close or timeout. Runs on
 * the connection's event loop only; the work per body read is one copy and the parser's.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

  /** How much of an error response's body is kept for the failure message. */
  private static final int ERROR_BODY_BYTES = 2048;

  /**
   * Sits first in the pipeline and stamps each raw read before decoding, so every HTTP object
   * decoded from that read carries the time its bytes arrived.
   */
  static final class ReadStamp extends ChannelInboundHandlerAdapter {
    long nanos;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      nanos = System.nanoTime();
      ctx.fireChannelRead(msg);
    }
  }

  private final HttpTransport transport;
  private final EndpointAdapter adapter;
  private final boolean streamRequested;
  private final ReadStamp readStamp;
  private byte[] scratch = new byte[8192];

  private ChannelHandlerContext context;
  private InFlightRequest current;
  private ResponseParser parser;
  private ScheduledFuture<?> timeout;
  private boolean keepAlive;
  private StringBuilder errorBody;

  ClientHandler(
      HttpTransport transport, EndpointAdapter adapter, boolean streamRequested, ReadStamp readStamp) {
    this.transport = transport;
    this.adapter = adapter;
    this.streamRequested = streamRequested;
    this.readStamp = readStamp;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  /** Makes {@code request} this connection's current request (called on the event loop). */
  void begin(InFlightRequest request, ScheduledFuture<?> requestTimeout) {
    current = request;
    timeout = requestTimeout;
    parser = null;
    errorBody = null;
    keepAlive = false;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (current == null) {
        return; // bytes after a finished or failed request: nothing to attribute them to
      }
      if (msg instanceof HttpObject http && http.decoderResult().isFailure()) {
        DecoderResult result = http.decoderResult();
        fail(ctx, FailureReason.PARSE, "malformed HTTP response: " + result.cause().getMessage());
        return;
      }
      if (msg instanceof HttpResponse response) {
        onHeaders(response);
      }
      if (msg instanceof HttpContent content) {
        onContent(content.content());
        if (msg instanceof LastHttpContent && current != null) {
          complete(ctx);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHeaders(HttpResponse response) {
    current.headersNanos = readStamp.nanos;
    current.httpStatus = response.status().code();
    keepAlive = HttpUtil.isKeepAlive(response);
    if (response.status().codeClass() != io.netty.handler.codec.http.HttpStatusClass.SUCCESS) {
      errorBody = new StringBuilder();
      return;
    }
    String contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    parser = adapter.responseParser(streamRequested, contentType);
    current.streamed = streamRequested && !EndpointAdapter.isJson(contentType);
  }

  private void onContent(ByteBuf content) {
    int length = content.readableBytes();
    if (length == 0) {
      return;
    }
    if (errorBody != null) {
      if (errorBody.length() < ERROR_BODY_BYTES) {
        int keep = Math.min(length, ERROR_BODY_BYTES - errorBody.length());
        errorBody.append(content.toString(content.readerIndex(), keep, StandardCharsets.UTF_8));
      }
      return;
    }
    byte[] bytes;
    int offset;
    if (content.hasArray()) {
      bytes = content.array();
      offset = content.arrayOffset() + content.readerIndex();
    } else {
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
      }
      content.getBytes(content.readerIndex(), scratch, 0, length);
      bytes = scratch;
      offset = 0;
    }
    parser.onBody(bytes, offset, length, readStamp.nanos, current);
  }

  private void complete(ChannelHandlerContext ctx) {
    InFlightRequest request = current;
    if (errorBody != null) {
      request.onFailure(
          FailureReason.HTTP_STATUS,
          "HTTP " + request.httpStatus + (errorBody.isEmpty() ? "" : ": " + errorBody.toString().strip()));
    } else {
      parser.onEnd(request);
    }
    detach();
    if (keepAlive && ctx.channel().isActive()) {
      transport.release(ctx.channel());
    } else {
      ctx.close();
    }
    transport.finished(request, readStamp.nanos);
  }

  /**
   * Ends {@code request} with {@code reason} if it is still this connection's current request, and
   * closes the connection so nothing more is read for it (a timeout, a failed write).
   */
  void failIfCurrent(InFlightRequest request, FailureReason reason, String message) {
    if (current == request) {
      fail(context, reason, message);
    }
  }

  void fail(ChannelHandlerContext ctx, FailureReason reason, String message) {
    InFlightRequest request = current;
    if (request == null) {
      return;
    }
    request.onFailure(reason, message);
    detach();
    ctx.close();
    transport.finished(request, System.nanoTime());
  }

  private void detach() {
    if (timeout != null) {
      timeout.cancel(false);
    }
    current = null;
    parser = null;
    errorBody = null;
    timeout = null;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (current != null) {
      fail(
          ctx,
          FailureReason.STREAM_CUT,
          current.headersNanos == -1
              ? "connection closed by the server before the response headers"
              : "connection closed by the server before the response was complete");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (current == null) {
      ctx.close();
      return;
    }
    FailureReason reason =
        cause instanceof SocketException || (cause instanceof IOException && isReset(cause))
            ? FailureReason.STREAM_CUT
            : FailureReason.IO;
    fail(ctx, reason, cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private static boolean isReset(Throwable cause) {
    String message = cause.getMessage();
    return message != null && (message.contains("reset") || message.contains("Broken pipe"));
  }
}
