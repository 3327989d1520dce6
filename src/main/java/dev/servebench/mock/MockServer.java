package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fake LLM server speaking the OpenAI chat and completions protocols, the model listing, and
 * LLM-on-Ray's simple protocol on every other POST route, with seeded latencies and output whose
 * token count is exact in the configured tokenizer. Tests, demos and dry runs point servebench at
 * it; it holds thousands of concurrent streams on one thread because every token is a timer task on
 * a non-blocking event loop. With a {@link CapacitySpec} it saturates as a serving engine does: at
 * most so many requests run, sharing a decode budget, the rest wait; {@code GET /metrics} reports
 * its counts under vLLM's names ({@link #METRICS_PATH}).
 *
 * <pre>{@code
 * try (MockServer server = MockServer.start(MockServerConfig.builder().ttftMillis(50).build())) {
 *   URI chat = URI.create(server.baseUrl() + "/v1/chat/completions");
 *   ...
 * }
 * }</pre>
 */
public final class MockServer implements AutoCloseable {

  /**
   * {@code GET}: the server's own counts in Prometheus's text format under vLLM's names (running
   * and waiting requests, token counters, TTFT histogram), as a client scraping vLLM would find
   * them.
   */
  public static final String METRICS_PATH = "/metrics";

  /** Hands out, and forgets, the write log of every finished request: {@link WriteLogJson}. */
  public static final String WRITES_PATH = "/servebench/writes";

  /**
   * {@code POST}: collects the server's heap, answering when done. A check calls it between phases,
   * when nothing is in flight: the collector's threads otherwise start whenever the heap fills, and
   * on a server given one core they take it from the event loop in the middle of a measured phase.
   * The event loop waits for the collection, so never under load.
   */
  public static final String COLLECT_PATH = "/servebench/collect";

  /** Room for long prompts; a larger body is refused with 413. */
  private static final int MAX_REQUEST_BYTES = 64 << 20;

  private static final int ACCEPT_BACKLOG = 4096;

  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final MockCounters counters;
  private final WriteLog writeLog;
  private final RequestCapture capture;
  private final SequenceScheduler scheduler;
  private final boolean https;
  private final ChannelGroup connections;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MockServer(
      EventLoopGroup group,
      Channel serverChannel,
      ChannelGroup connections,
      MockCounters counters,
      WriteLog writeLog,
      RequestCapture capture,
      SequenceScheduler scheduler,
      boolean https) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.counters = counters;
    this.writeLog = writeLog;
    this.capture = capture;
    this.scheduler = scheduler;
    this.https = https;
  }

  /**
   * Binds and starts serving. Building the output vocabulary scans the tokenizer once, which takes
   * a moment for large vocabularies.
   *
   * @throws InvalidInputException if the address cannot be bound (for example, port in use)
   */
  public static MockServer start(MockServerConfig config) {
    OutputVocabulary vocabulary = OutputVocabulary.of(config.tokenizer());
    MockCounters counters = new MockCounters();
    WriteLog writeLog = new WriteLog(config.recordWritesMaxRequests());
    // Server stalls count from here, after the slow vocabulary scan, just before binding.
    SequenceScheduler scheduler = new SequenceScheduler(config.capacity());
    MockRouter router = new MockRouter(config, counters, writeLog, scheduler);
    MockRuntime runtime =
        new MockRuntime(
            router,
            vocabulary,
            new LatencyModel(config.latency(), config.capacity()),
            counters,
            new ServerStallGate(config.serverStalls(), System.nanoTime()),
            writeLog,
            config.tokensPerChunk().stream().mapToInt(Integer::intValue).toArray(),
            config.reasoningTokens(),
            config.cutWords(),
            scheduler);

    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory ioHandlers = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    // Daemon threads: a test that forgets to close the server must not keep the JVM alive.
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            config.ioThreads(), new DefaultThreadFactory("servebench-mock", true), ioHandlers);
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
            // Tokens are tiny writes that must leave at once, not wait for Nagle's algorithm.
            .childOption(ChannelOption.TCP_NODELAY, true)
            // Every accepted connection is tracked from the moment of accept, before its
            // registration, so close() cuts even one that a shutting-down loop never registered.
            .handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object accepted) {
                    if (accepted instanceof Channel child) {
                      connections.add(child);
                    }
                    ctx.fireChannelRead(accepted);
                  }
                })
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    ArrivalStamp arrival = new ArrivalStamp();
                    channel.pipeline().addLast(arrival);
                    if (config.tls() != null) {
                      channel.pipeline().addLast(config.tls().newHandler(channel.alloc()));
                    }
                    channel
                        .pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast(new MockConnectionHandler(runtime, arrival));
                  }
                });
    ChannelFuture bound = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new InvalidInputException(
          "the mock server cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + bound.cause().getMessage(),
          bound.cause());
    }
    // After the acceptor, which pauses accepting for a second when accepting fails.
    bound.channel().pipeline().addLast(new AcceptFailures());
    return new MockServer(
        group,
        bound.channel(),
        connections,
        counters,
        writeLog,
        router.capture,
        scheduler,
        config.tls() != null);
  }

  /**
   * Where a failure to accept (out of file descriptors) ends, reported once on stderr. Not left to
   * Netty, which logs it through java.util.logging: that needs a file of its own (the time-zone
   * rules), which cannot be opened either, and the error it raises ends the event loop, and with it
   * the server.
   */
  static final class AcceptFailures extends ChannelInboundHandlerAdapter {
    private final AtomicBoolean reported = new AtomicBoolean();

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (reported.compareAndSet(false, true)) {
        System.err.println(
            "servebench mock server: cannot accept a connection ("
                + cause.getMessage()
                + "); retrying each second (raise ulimit -n for more connections)");
      }
    }
  }

  /** The bound port; the free port chosen when the config asked for port 0. */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /** {@code http://host:port}, without a trailing slash. */
  public String baseUrl() {
    InetSocketAddress address = (InetSocketAddress) serverChannel.localAddress();
    String host = address.getAddress().getHostAddress();
    return (https ? "https://" : "http://")
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + address.getPort();
  }

  /** Generation requests answered in full; a stream cut by its client does not count. */
  public long requestsServed() {
    return counters.requestsServed();
  }

  /** Output tokens of every answered generation (per prompt of a batch). */
  public long completionTokensGenerated() {
    return counters.completionTokens();
  }

  /** Prompt tokens of every accepted generation request, counted with the server's tokenizer. */
  public long promptTokensReceived() {
    return counters.promptTokens();
  }

  /**
   * Generation requests holding a place among the running sequences now: admitted and not yet
   * finished (see {@link CapacitySpec}); what {@code vllm:num_requests_running} reports.
   */
  public int runningSequences() {
    return scheduler.runningSequences();
  }

  /**
   * Generation requests waiting now for a place among the running sequences; what {@code
   * vllm:num_requests_waiting} reports. Always 0 without a limit on running sequences.
   */
  public int waitingRequests() {
    return scheduler.waitingRequests();
  }

  /**
   * How many times each fault was injected, counted when chosen for a request; faults never
   * injected are absent. A request suffers at most one fault, and one with a fault never counts as
   * served, except {@link Fault#CLOSE_IDLE_KEEPALIVE} whose answer is whole.
   */
  public Map<Fault, Long> faultsInjected() {
    return counters.faultsInjected();
  }

  /**
   * What the server wrote for each finished generation request (answered, failed or cut; not one
   * still in progress), keyed by the client's {@code X-Servebench-Request-Id} header or, without
   * one, the request's arrival number. Empty unless {@link
   * MockServerConfig#recordWritesMaxRequests()} is above 0; a client reusing an id keeps the last.
   */
  public Map<String, RequestWrites> writeLog() {
    return writeLog.snapshot();
  }

  /**
   * The last requests received (any route), heads and bodies, oldest first; empty unless {@link
   * MockServerConfig#captureRequests()} is above 0.
   */
  public List<CapturedRequest> capturedRequests() {
    return capture == null ? List.of() : capture.snapshot();
  }

  /** Removes and returns the write log of every finished request. */
  public List<RequestWrites> takeAllWrites() {
    return writeLog.takeAll();
  }

  /** Blocks until {@link #close()} has finished, for a command that serves until stopped. */
  public void awaitClose() throws InterruptedException {
    group.terminationFuture().await();
  }

  /** Stops at once: open connections and streams are cut, and the threads end. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      // Bounded: a close future of an event loop that has died never completes (one died when the
      // process ran out of file descriptors, and SIGTERM then hung it).
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }
}
