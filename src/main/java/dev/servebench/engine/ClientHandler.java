package dev.servebench.engine;

import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.endpoint.ResponseParser;
import dev.servebench.record.FailureReason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Drives one connection's current request: stamps the response's arrival, feeds body reads to the
 * endpoint's parser, enforces the request's time and size limits, and ends the request exactly
 * once, on success, error, close, timeout or cancellation. Runs on the connection's event loop
 * only; the work per read is one copy into an array and the parsers'.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter
    implements HttpResponseReader.Events {

  /** How much of an error response's body is kept for the failure message. */
  private static final int ERROR_BODY_BYTES = 2048;

  /**
   * Sits first in the pipeline of a TLS connection and stamps each raw read before decryption, so
   * every piece of plain text decrypted from that read carries the time its bytes arrived.
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
  private final HttpTransport.RequestSpec spec;

  /** The TLS connection's stamp of raw reads; {@code null} where this handler reads the socket. */
  private final ReadStamp tlsStamp;

  /** Most bytes of a read copied into {@link #scratch} at once; a longer read goes in pieces. */
  static final int MAX_SCRATCH_BYTES = 8192;

  private final HttpResponseReader reader = new HttpResponseReader();

  /**
   * The bytes of a direct (off-heap) read, copied for the reader. Grows to the reads this
   * connection sees, at most {@link #MAX_SCRATCH_BYTES}: a streamed chunk is a few hundred bytes,
   * and thousands of connections may be open.
   */
  private byte[] scratch = new byte[512];

  /** When the bytes being read arrived. */
  private long readNanos;

  /** Whether a request has completed on this connection before (it is a kept-alive one). */
  private boolean used;

  private ChannelHandlerContext context;
  private InFlightRequest current;
  private ResponseParser parser;
  private ScheduledFuture<?> totalTimer;
  private ScheduledFuture<?> firstTokenTimer;
  private ScheduledFuture<?> idleTimer;
  private long lastReadNanos;
  private boolean keepAlive;
  private StringBuilder errorBody;

  ClientHandler(
      HttpTransport transport,
      EndpointAdapter adapter,
      HttpTransport.RequestSpec spec,
      ReadStamp tlsStamp) {
    this.transport = transport;
    this.adapter = adapter;
    this.spec = spec;
    this.tlsStamp = tlsStamp;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  /** Makes {@code request} this connection's current request and arms its timers. */
  void begin(InFlightRequest request) {
    current = request;
    request.reusedConnection = used;
    parser = null;
    errorBody = null;
    keepAlive = false;
    reader.begin();
    totalTimer =
        schedule(
            request,
            FailureReason.TIMEOUT,
            "no complete response within --timeout " + seconds(spec.timeoutNanos()) + " s",
            spec.timeoutNanos());
    if (spec.firstTokenTimeoutNanos() > 0) {
      firstTokenTimer =
          context
              .executor()
              .schedule(
                  () -> {
                    if (current == request && !request.hasOutput()) {
                      fail(
                          FailureReason.TTFT_TIMEOUT,
                          "no token within --ttft-timeout "
                              + seconds(spec.firstTokenTimeoutNanos())
                              + " s");
                    }
                  },
                  spec.firstTokenTimeoutNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  private ScheduledFuture<?> schedule(
      InFlightRequest request, FailureReason reason, String message, long delayNanos) {
    return context
        .executor()
        .schedule(() -> failIfCurrent(request, reason, message), delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Idle time counts from the headers on: before them, only the TTFT and total limits apply. */
  private void armIdleTimer(InFlightRequest request, long delayNanos) {
    idleTimer =
        context
            .executor()
            .schedule(
                () -> {
                  if (current != request) {
                    return;
                  }
                  long idleNanos = System.nanoTime() - lastReadNanos;
                  if (idleNanos >= spec.idleTimeoutNanos()) {
                    fail(
                        FailureReason.IDLE_TIMEOUT,
                        "nothing arrived for --idle-timeout "
                            + seconds(spec.idleTimeoutNanos())
                            + " s");
                  } else {
                    armIdleTimer(request, spec.idleTimeoutNanos() - idleNanos);
                  }
                },
                delayNanos,
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // Stamped before anything else is done with the read.
    readNanos = tlsStamp == null ? System.nanoTime() : tlsStamp.nanos;
    try {
      if (current == null || !(msg instanceof ByteBuf in)) {
        return; // bytes after a finished or failed request: nothing to attribute them to
      }
      lastReadNanos = readNanos;
      read(in);
    } catch (HttpResponseReader.MalformedResponseException malformed) {
      fail(FailureReason.PARSE, "malformed HTTP response: " + malformed.getMessage());
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Hands the read to the reader as an array: the buffer's own where it has one, else copied in one
   * piece (up to {@link #MAX_SCRATCH_BYTES} at a time): under the quick compiler, one bulk copy and
   * then plain array reads cost the I/O thread less than framing chunks with {@code
   * ByteBuf.getByte} and copying each body piece.
   */
  private void read(ByteBuf in) {
    int index = in.readerIndex();
    int end = in.writerIndex();
    if (in.hasArray()) {
      reader.read(in.array(), in.arrayOffset() + index, end - index, this);
      return;
    }
    while (index < end && reader.reading()) {
      int length = Math.min(end - index, MAX_SCRATCH_BYTES);
      if (scratch.length < length) {
        scratch = new byte[Math.min(MAX_SCRATCH_BYTES, Math.max(length, scratch.length * 2))];
      }
      ByteBufCopy.copy(in, index, scratch, 0, length);
      reader.read(scratch, 0, length, this);
      index += length;
    }
  }

  @Override
  public void onHead() {
    InFlightRequest request = current;
    request.headersNanos = readNanos;
    request.httpStatus = reader.status();
    if (spec.idleTimeoutNanos() > 0) {
      armIdleTimer(request, spec.idleTimeoutNanos());
    }
    if (request.httpStatus / 100 != 2) {
      errorBody = new StringBuilder();
      request.retryAfterHeader = reader.retryAfter();
      return;
    }
    String contentType = reader.contentType();
    parser = adapter.responseParser(spec.stream(), contentType);
    request.streamed = spec.stream() && !EndpointAdapter.isJson(contentType);
  }

  @Override
  public void onEnd(boolean keepAlive) {
    this.keepAlive = keepAlive;
    complete();
  }

  @Override
  public void onBody(byte[] bytes, int offset, int length) {
    if (length == 0) {
      return;
    }
    InFlightRequest request = current;
    request.responseBytes += length;
    if (request.responseBytes > spec.maxResponseBytes()) {
      fail(
          FailureReason.RESPONSE_TOO_LARGE,
          "response passed --max-response-bytes " + spec.maxResponseBytes());
      return;
    }
    if (errorBody != null) {
      if (errorBody.length() < ERROR_BODY_BYTES) {
        int keep = Math.min(length, ERROR_BODY_BYTES - errorBody.length());
        errorBody.append(new String(bytes, offset, keep, StandardCharsets.UTF_8));
      }
      return;
    }
    parser.onBody(bytes, offset, length, readNanos, request);
    if (request.failureReason != null) {
      fail(request.failureReason, request.error); // the parser gave up: stop reading this body
    }
  }

  private void complete() {
    InFlightRequest request = current;
    if (errorBody != null) {
      String body = errorBody.toString().strip();
      request.onFailure(
          FailureReason.HTTP_STATUS,
          "HTTP "
              + request.httpStatus
              + (request.retryAfterHeader == null
                  ? ""
                  : " (Retry-After: " + request.retryAfterHeader + ")")
              + (body.isEmpty() ? "" : ": " + body));
    } else {
      parser.onEnd(request);
    }
    detach();
    used = true;
    if (keepAlive && context.channel().isActive()) {
      transport.release(context.channel());
    } else {
      context.close();
    }
    transport.finished(request, readNanos);
  }

  /**
   * Ends {@code request} with {@code reason} if it is still this connection's current request, and
   * closes the connection so nothing more is read for it (a timeout, a failed write, a cancel).
   */
  void failIfCurrent(InFlightRequest request, FailureReason reason, String message) {
    if (current == request) {
      fail(reason, message);
    }
  }

  private void fail(FailureReason reason, String message) {
    InFlightRequest request = current;
    if (request == null) {
      return;
    }
    request.onFailure(reason, message);
    detach();
    context.close();
    transport.finished(request, System.nanoTime());
  }

  private void detach() {
    for (ScheduledFuture<?> timer :
        new ScheduledFuture<?>[] {totalTimer, firstTokenTimer, idleTimer}) {
      if (timer != null) {
        timer.cancel(false);
      }
    }
    totalTimer = null;
    firstTokenTimer = null;
    idleTimer = null;
    current = null;
    parser = null;
    errorBody = null;
    reader.stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // A body framed by the connection's close ends with it.
    readNanos = System.nanoTime();
    if (current != null && !reader.closed(this)) {
      fail(
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
    fail(classify(cause), describe(cause));
  }

  /** The failure reason for an exception on the connection. */
  static FailureReason classify(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return FailureReason.TLS;
      }
    }
    String message = cause.getMessage();
    boolean reset =
        message != null && (message.contains("reset") || message.contains("Broken pipe"));
    return cause instanceof SocketException || (cause instanceof IOException && reset)
        ? FailureReason.STREAM_CUT
        : FailureReason.IO;
  }

  /** The innermost cause's type and message: what a user can act on. */
  static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private static String seconds(long nanos) {
    return Double.toString(nanos / 1e9);
  }
}
