package dev.servebench.engine;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.RequestHeaders;
import dev.servebench.config.TlsOptions;
import dev.servebench.endpoint.EndpointAdapter;
import dev.servebench.record.FailureReason;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;

/**
 * HTTP/1.1 over Netty: native epoll where available, NIO elsewhere. Connections are kept alive and
 * reused; one carries one request at a time, so the pool grows to the number of requests in flight.
 * Chosen for its low CPU per streamed chunk and tight timing under thousands of streams.
 */
final class HttpTransport implements AutoCloseable {

  static final String REQUEST_ID_HEADER = "X-Servebench-Request-Id";

  /** The field {@code --request-id-prefix} names each request by, as vLLM's benchmark does. */
  static final String USER_REQUEST_ID_HEADER = "x-request-id";

  private static final String CANCELLED_MESSAGE =
      "the run was interrupted before the request finished";

  /**
   * Headers, options and limits every request of the run shares; a limit of 0 is off.
   *
   * @param timeoutNanos the whole request, from send to the end of the response
   * @param firstTokenTimeoutNanos from send to the first token
   * @param idleTimeoutNanos between reads once the headers have arrived
   * @param headers the user's fields ({@code --header}); one servebench also sends replaces its
   * @param requestIdPrefix sent as {@code x-request-id: <prefix><index>}, or {@code null} for none
   */
  record RequestSpec(
      String path,
      String authorizationHeader,
      RequestHeaders headers,
      String requestIdPrefix,
      String userAgent,
      boolean stream,
      long timeoutNanos,
      long firstTokenTimeoutNanos,
      long idleTimeoutNanos,
      long maxResponseBytes) {}

  /** Hears of each attempt's end (once per attempt), on an I/O thread; it must only hand it on. */
  interface Listener {
    void onFinished(InFlightRequest request);
  }

  /** How often a wait for connections opened ahead looks at the stop flag. */
  private static final long STOP_POLL_MILLIS = 50;

  private final HttpTarget target;
  private final RequestSpec spec;
  private final byte[] requestHead;

  /** What follows the request's index when it also goes out as {@code x-request-id}, or null. */
  private final String requestIdField;

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
  private final Listener listener;

  /** Set when an interrupted run has drained: attempts not yet on a connection end at once. */
  private volatile boolean cancelling;

  HttpTransport(
      HttpTarget target,
      EndpointAdapter adapter,
      RequestSpec spec,
      int ioThreads,
      SslContext ssl,
      Listener listener) {
    this.target = target;
    this.spec = spec;
    this.requestHead = requestHead(target, spec);
    this.requestIdField =
        spec.requestIdPrefix() == null
            ? null
            : "\r\n"
                + USER_REQUEST_ID_HEADER
                + ": "
                + checked("request id", spec.requestIdPrefix());
    this.listener = listener;
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, io);
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            // Pooled buffers hand out their NIO view without allocating (ByteBufCopy); those of
            // Netty 4.2's default adaptive allocator slice a new one per call when Unsafe is not
            // available (JDK 24+), garbage on every read.
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            // Connecting counts in TTFT and E2E, so it is bounded by the same --timeout.
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int)
                    Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(spec.timeoutNanos())))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    ClientHandler.ReadStamp tlsStamp = null;
                    if (ssl != null) {
                      tlsStamp = new ClientHandler.ReadStamp();
                      channel.pipeline().addLast(tlsStamp);
                      channel
                          .pipeline()
                          .addLast(ssl.newHandler(channel.alloc(), target.host(), target.port()));
                    }
                    channel
                        .pipeline()
                        .addLast(new ClientHandler(HttpTransport.this, adapter, spec, tlsStamp));
                  }
                });
    if (ssl == null) {
      bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, new ReusedReceiveBuffer());
    }
  }

  /**
   * Sends on an idle kept-alive connection, or on a new one. Callable from any thread.
   *
   * @param freshConnection never reuse a kept-alive connection (a transparent retry after one
   *     closed under the request)
   */
  void send(InFlightRequest request, boolean freshConnection) {
    if (cancelling) {
      cancel(request);
      return;
    }
    Channel channel;
    while (!freshConnection && (channel = idle.pollFirst()) != null) {
      if (channel.isActive()) {
        Channel reused = channel;
        reused.eventLoop().execute(() -> start(reused, request, true));
        return;
      }
    }
    connect(request);
  }

  /**
   * Opens up to {@code count} connections (TLS handshake included) and keeps them idle for the
   * run's first requests, waiting at most {@code timeoutNanos} for them, or until {@code stop} says
   * so; returns how many opened. Their set-up then happens before the plan starts instead of inside
   * the first requests' TTFT. A connection that fails to open is left out quietly: the request that
   * would have used it opens its own and reports what fails.
   */
  int preconnect(int count, long timeoutNanos, BooleanSupplier stop) throws InterruptedException {
    if (count <= 0) {
      return 0;
    }
    CountDownLatch settled = new CountDownLatch(count);
    AtomicInteger opened = new AtomicInteger();
    for (int i = 0; i < count; i++) {
      bootstrap
          .connect(target.host(), target.port())
          .addListener(
              (ChannelFuture connected) -> {
                if (!connected.isSuccess()) {
                  settled.countDown();
                  return;
                }
                Channel channel = connected.channel();
                SslHandler tls = channel.pipeline().get(SslHandler.class);
                if (tls == null) {
                  opened.incrementAndGet();
                  idle.offerFirst(channel);
                  settled.countDown();
                  return;
                }
                tls.handshakeFuture()
                    .addListener(
                        handshake -> {
                          if (handshake.isSuccess()) {
                            opened.incrementAndGet();
                            idle.offerFirst(channel);
                          } else {
                            channel.close();
                          }
                          settled.countDown();
                        });
              });
    }
    long deadlineNanos = System.nanoTime() + timeoutNanos;
    while (!settled.await(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS)
        && !stop.getAsBoolean()
        && System.nanoTime() - deadlineNanos < 0) {
      // A server that stopped accepting leaves connects waiting: a stop must not wait for them.
    }
    return opened.get();
  }

  private void connect(InFlightRequest request) {
    ChannelFuture connecting = bootstrap.connect(target.host(), target.port());
    // Known before the connection is made, so that a cancel can close it while it waits.
    request.channel = connecting.channel();
    connecting.addListener(
        (ChannelFuture connected) -> {
          if (connected.isSuccess()) {
            start(connected.channel(), request, false);
          } else if (cancelling) {
            cancel(request);
          } else {
            request.onFailure(
                FailureReason.CONNECT,
                "cannot connect to " + target.url() + ": " + describe(connected.cause()));
            finished(request, System.nanoTime());
          }
        });
  }

  private void start(Channel channel, InFlightRequest request, boolean reused) {
    if (cancelling) {
      channel.close();
      cancel(request);
      return;
    }
    if (reused && !channel.isActive()) {
      // The server closed the idle connection after we took it: nothing was sent, so a fresh
      // connection is simply used instead.
      connect(request);
      return;
    }
    if (reused) {
      // On a kept-alive connection `sent` is when the bytes go to it, on its event loop: the wait
      // for this thread is the client's own lateness (schedule lag), not the server's TTFT. A new
      // connection keeps the stamp taken before connecting: its set-up counts in TTFT, as a user's
      // first request feels it (docs/metrics.md).
      long nowNanos = System.nanoTime();
      if (request.firstSentNanos == request.sentNanos) {
        request.firstSentNanos = nowNanos;
      }
      request.sentNanos = nowNanos;
    }
    ClientHandler handler = channel.pipeline().get(ClientHandler.class);
    request.channel = channel;
    handler.begin(request);
    channel
        .writeAndFlush(httpRequest(channel.alloc(), request))
        .addListener(
            written -> {
              if (!written.isSuccess()) {
                FailureReason reason = ClientHandler.classify(written.cause());
                handler.failIfCurrent(
                    request,
                    reason == FailureReason.IO ? FailureReason.STREAM_CUT : reason,
                    "cannot send the request: " + ClientHandler.describe(written.cause()));
              }
            });
  }

  /**
   * The request's bytes: the run's fixed head, the request's own fields, the body. Written as bytes
   * rather than through an HTTP encoder: every field but the request's ids and length is the same
   * for the whole run.
   */
  private ByteBuf httpRequest(ByteBufAllocator alloc, InFlightRequest request) {
    String own =
        requestIdField == null
            ? request.index
                + "\r\n"
                + HttpHeaderNames.CONTENT_LENGTH
                + ": "
                + request.body.length
                + "\r\n\r\n"
            : request.index
                + requestIdField
                + request.index
                + "\r\n"
                + HttpHeaderNames.CONTENT_LENGTH
                + ": "
                + request.body.length
                + "\r\n\r\n";
    ByteBuf bytes = alloc.ioBuffer(requestHead.length + own.length() + request.body.length);
    bytes.writeBytes(requestHead);
    ByteBufUtil.writeAscii(bytes, own);
    bytes.writeBytes(request.body);
    return bytes;
  }

  /**
   * Every request's start line and the header fields they share, up to the request id's value.
   * HTTP/1.1 keeps connections alive unless told otherwise, so no Connection field is sent. A field
   * of servebench's that the user's headers also name is left to theirs, so none goes twice.
   */
  private static byte[] requestHead(HttpTarget target, RequestSpec spec) {
    RequestHeaders user = spec.headers();
    StringBuilder head = new StringBuilder();
    head.append("POST ").append(checked("path", spec.path())).append(" HTTP/1.1\r\n");
    field(head, HttpHeaderNames.HOST, target.hostHeader());
    if (!user.has(HttpHeaderNames.CONTENT_TYPE.toString())) {
      field(head, HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    if (!user.has(HttpHeaderNames.ACCEPT.toString())) {
      field(
          head,
          HttpHeaderNames.ACCEPT,
          spec.stream() ? "text/event-stream, text/plain, application/json" : "application/json");
    }
    if (!user.has(HttpHeaderNames.USER_AGENT.toString())) {
      field(head, HttpHeaderNames.USER_AGENT, spec.userAgent());
    }
    if (spec.authorizationHeader() != null && !user.has(HttpHeaderNames.AUTHORIZATION.toString())) {
      field(head, HttpHeaderNames.AUTHORIZATION, spec.authorizationHeader());
    }
    for (RequestHeaders.Field extra : user.fields()) {
      field(head, extra.name(), extra.value());
    }
    // Lets a server that logs its own timings (the mock does) match them to this request.
    head.append(REQUEST_ID_HEADER).append(": ");
    return head.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder head, CharSequence name, CharSequence value) {
    head.append(name).append(": ").append(checked(name, value)).append("\r\n");
  }

  /** A control character would end the field early and start a field of its own. */
  private static CharSequence checked(CharSequence name, CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(
            "the request's " + name + " contains a control character (code " + (int) c + ")");
      }
    }
    return value;
  }

  /**
   * Runs {@code task} on an I/O thread after {@code delayNanos}: a retry's back-off, an open-loop
   * request's send.
   */
  void later(Runnable task, long delayNanos) {
    group.next().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The I/O threads' run-queue wait so far, summed ({@link ThreadCpuWait}): each thread reads its
   * own, between its other tasks. {@link ThreadCpuWait#UNKNOWN} where the kernel does not say, or
   * when a thread does not answer: a side figure never fails the run it describes.
   */
  long ioThreadsCpuWaitNanos() {
    long totalNanos = 0;
    try {
      for (EventExecutor loop : group) {
        long waitNanos = loop.submit(ThreadCpuWait::currentThreadNanos).get(1, TimeUnit.SECONDS);
        if (waitNanos == ThreadCpuWait.UNKNOWN) {
          return ThreadCpuWait.UNKNOWN;
        }
        totalNanos += waitNanos;
      }
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt(); // left for the caller's own waits to act on
      return ThreadCpuWait.UNKNOWN;
    } catch (ExecutionException | TimeoutException | RejectedExecutionException notNow) {
      return ThreadCpuWait.UNKNOWN;
    }
    return totalNanos;
  }

  /** A connection whose response completed with keep-alive goes back to the pool. */
  void release(Channel channel) {
    idle.offerFirst(channel);
  }

  void finished(InFlightRequest request, long endNanos) {
    if (request.finish(endNanos)) {
      listener.onFinished(request);
    }
  }

  /**
   * Stops an interrupted run: attempts not yet on a connection end as cancelled from now on, and
   * each request on a connection is failed on its own event loop.
   */
  void cancelAll(Iterable<InFlightRequest> inFlight) {
    cancelling = true;
    for (InFlightRequest request : inFlight) {
      Channel channel = request.channel;
      if (channel != null) {
        channel
            .eventLoop()
            .execute(
                () -> {
                  ClientHandler handler = channel.pipeline().get(ClientHandler.class);
                  if (handler != null) { // gone once the connection closed and the request ended
                    handler.failIfCurrent(request, FailureReason.CANCELLED, CANCELLED_MESSAGE);
                  }
                  if (!channel.isActive()) {
                    // Still connecting (a server that stopped accepting leaves a connect waiting
                    // for minutes): closing fails the connect, which ends the request cancelled.
                    channel.close();
                  }
                });
      }
    }
  }

  private void cancel(InFlightRequest request) {
    request.onFailure(FailureReason.CANCELLED, CANCELLED_MESSAGE);
    finished(request, System.nanoTime());
  }

  /** The SSL context for an https endpoint, or {@code null} for http. */
  static SslContext sslContext(HttpTarget target, TlsOptions tls) throws SSLException {
    if (!target.https()) {
      return null;
    }
    SslContextBuilder builder = SslContextBuilder.forClient();
    if (tls.insecure()) {
      builder
          .trustManager(InsecureTrustManagerFactory.INSTANCE)
          .endpointIdentificationAlgorithm(null);
    } else {
      if (tls.caBundle() != null) {
        builder.trustManager(tls.caBundle().toFile());
      }
      builder.endpointIdentificationAlgorithm("HTTPS");
    }
    return builder.build();
  }

  static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown error";
    }
    // Netty reports a socket() that failed for lack of file descriptors as "Unable to create
    // Channel"; the reason is further down the chain.
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().contains("Too many open files")) {
        return "too many open files: every request in flight holds a connection, and the"
            + " process may open no more (ulimit -n); lower --request-rate, set --max-concurrency"
            + " or raise the limit";
      }
    }
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
