package dev.servebench.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The floor: the least a client on this transport can do per streamed event. It sends the same
 * OpenAI chat requests as servebench on the same open-loop schedule (equal gaps), over kept-alive
 * Netty epoll connections, and per read only stamps {@code System.nanoTime()} and counts bytes; it
 * decodes no HTTP and parses no SSE (it finds a response's end from the chunked terminator in the
 * last bytes of a read). Besides its CPU it keeps the same lag / TTFT / read-gap histograms
 * servebench reports, one cheap record each, so the table has a floor for every figure.
 *
 * <p>Prints one JSON object on stdout.
 *
 * <pre>
 * java -cp benchmarks.jar dev.servebench.bench.FloorClient --port 8000 --rate 400 --requests 12000 \
 *     --output-tokens 100 [--io-threads 1] [--prompt-chars 160]
 * java -cp benchmarks.jar dev.servebench.bench.FloorClient --prompt-chars 160 --write-ipex-prompt F
 * </pre>
 *
 * <p>The second form writes the floor's prompt as an IPEX prompt file (model type {@code floor},
 * key: its length in characters) and exits, so servebench can send the same prompt.
 */
public final class FloorClient {

  /** {@code \r\n0\r\n\r\n}, the end of a chunked body, as the low 7 bytes of a long. */
  private static final long CHUNKED_END = 0x0D0A300D0A0D0AL;

  private static final long SEVEN_BYTES = 0xFFFFFFFFFFFFFFL;

  private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final Recorder ttft = new Recorder(3);
  private final Recorder readGap = new Recorder(3);
  /**
   * Schedule lag as servebench stamps it: on a kept-alive connection when its I/O thread writes the
   * request (the wait for that thread is the client's lateness), on a new one before connecting.
   */
  private final Recorder lag = new Recorder(3);
  private Bootstrap bootstrap;
  private String host;
  private int port;
  private ByteBuf request;

  /** Per connection: the current request's send time, and the last read's stamp. */
  private final class Reader extends ChannelInboundHandlerAdapter {
    long sentNanos;
    long lastReadNanos;
    boolean firstRead;
    long tail;
    long readCount;
    long byteCount;
    boolean busy;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      long now = System.nanoTime();
      ByteBuf in = (ByteBuf) msg;
      int length = in.readableBytes();
      readCount++;
      byteCount += length;
      if (firstRead) {
        firstRead = false;
        ttft.recordValue(now - sentNanos);
      } else {
        readGap.recordValue(now - lastReadNanos);
      }
      lastReadNanos = now;
      int end = in.writerIndex();
      for (int i = Math.max(in.readerIndex(), end - 7); i < end; i++) {
        tail = (tail << 8) | (in.getByte(i) & 0xFF);
      }
      in.release();
      if ((tail & SEVEN_BYTES) == CHUNKED_END) {
        tail = 0;
        reads.addAndGet(readCount);
        bytes.addAndGet(byteCount);
        readCount = 0;
        byteCount = 0;
        busy = false;
        completed.incrementAndGet();
        idle.offerFirst(ctx.channel());
      }
    }

    /** A connection the server closed or reset under a request: that request failed. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (busy) {
        busy = false;
        failed.incrementAndGet();
        completed.incrementAndGet();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // counted as failed by channelInactive
    }

    void send(Channel channel, long nowNanos) {
      if (!channel.isActive()) { // closed by the server after it was taken from the pool
        failed.incrementAndGet();
        completed.incrementAndGet();
        return;
      }
      sentNanos = nowNanos;
      firstRead = true;
      busy = true;
      channel.writeAndFlush(request.retainedDuplicate(), channel.voidPromise());
    }
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 8000;
    double rate = 400;
    long requests = 4000;
    int outputTokens = 100;
    int ioThreads = 1;
    int promptChars = 160;
    long warmupRequests = 0;
    String ipexPromptFile = null;
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--host" -> host = value;
        case "--port" -> port = Integer.parseInt(value);
        case "--rate" -> rate = Double.parseDouble(value);
        case "--requests" -> requests = Long.parseLong(value);
        case "--output-tokens" -> outputTokens = Integer.parseInt(value);
        case "--io-threads" -> ioThreads = Integer.parseInt(value);
        case "--prompt-chars" -> promptChars = Integer.parseInt(value);
        case "--warmup-requests" -> warmupRequests = Long.parseLong(value);
        case "--write-ipex-prompt" -> ipexPromptFile = value;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (ipexPromptFile != null) {
      // The floor's prompt as an IPEX prompt file, model type "floor", keyed by its length in
      // characters: load.sh has servebench send it too, so the mock does the same work for both.
      String json = "{\"floor\":{\"" + promptChars + "\":\"" + prompt(promptChars) + "\"}}\n";
      Files.writeString(Path.of(ipexPromptFile), json);
      return;
    }
    new FloorClient().run(host, port, rate, requests, outputTokens, ioThreads, promptChars, warmupRequests);
  }

  private void run(
      String host, int port, double rate, long requests, int outputTokens, int ioThreads, int promptChars,
      long warmupRequests)
      throws InterruptedException {
    this.host = host;
    this.port = port;
    this.request = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(httpRequest(host, port, outputTokens, promptChars)));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, EpollIoHandler.newFactory());
    bootstrap =
        new Bootstrap()
            .group(group)
            .channel(EpollSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel.pipeline().addLast(new Reader());
                  }
                });
    long cpuStart = processCpuNanos();
    long wallStart = System.nanoTime();
    long gapNanos = (long) (1e9 / rate);
    long planStart = System.nanoTime();
    long firstSent = 0;
    long lastSent = 0;
    for (long i = 0; i < requests; i++) {
      long due = planStart + i * gapNanos;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      long now = System.nanoTime();
      if (i == 0) {
        firstSent = now;
      }
      lastSent = now;
      // Like servebench's --warmup-requests: the first sends are sent, not counted in the lag.
      send(now, due, i >= warmupRequests);
    }
    // A request still unanswered 30 s after the last send fails, as servebench's --timeout would
    // fail it: a server that stopped accepting connections must not hold the floor forever.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (completed.get() < requests && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    // Counted once, here: an answer arriving later changes nothing below.
    long answered = completed.get();
    long failedRequests = failed.get() + (requests - answered);
    long wallNanos = System.nanoTime() - wallStart;
    long cpuNanos = processCpuNanos() - cpuStart;
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    Histogram ttftHistogram = ttft.getIntervalHistogram();
    Histogram lagHistogram = lag.getIntervalHistogram();
    Histogram gapHistogram = readGap.getIntervalHistogram();
    long chunks = Math.max(1, requests - failedRequests) * outputTokens;
    System.out.printf(
        Locale.ROOT,
        "{\"requests\":%d,\"failed\":%d,\"completed\":%d,\"reads\":%d,\"bytes\":%d,\"chunks\":%d,\"cpu_s\":%.4f,"
            + "\"wall_s\":%.3f,\"cpu_us_per_chunk\":%.3f,\"cpu_us_per_read\":%.3f,"
            + "\"achieved_send_rate_per_s\":%.2f,\"schedule_lag_p99_ms\":%.4f,\"ttft_p99_ms\":%.4f,"
            + "\"read_gap_p99_ms\":%.4f}%n",
        requests,
        failedRequests,
        answered,
        reads.get(),
        bytes.get(),
        chunks,
        cpuNanos / 1e9,
        wallNanos / 1e9,
        cpuNanos / 1e3 / chunks,
        cpuNanos / 1e3 / Math.max(1, reads.get()),
        requests > 1 ? (requests - 1) / ((lastSent - firstSent) / 1e9) : Double.NaN,
        lagHistogram.getValueAtPercentile(99) / 1e6,
        ttftHistogram.getValueAtPercentile(99) / 1e6,
        gapHistogram.getValueAtPercentile(99) / 1e6);
  }

  private void send(long nowNanos, long dueNanos, boolean counted) {
    Channel channel;
    while ((channel = idle.pollFirst()) != null) {
      if (channel.isActive()) {
        Channel reused = channel;
        reused
            .eventLoop()
            .execute(
                () -> {
                  long writeNanos = System.nanoTime();
                  if (counted) {
                    lag.recordValue(writeNanos - dueNanos);
                  }
                  reused.pipeline().get(Reader.class).send(reused, writeNanos);
                });
        return;
      }
    }
    if (counted) {
      lag.recordValue(nowNanos - dueNanos);
    }
    bootstrap
        .connect(host, port)
        .addListener(
            (ChannelFuture connected) -> {
              if (!connected.isSuccess()) {
                // Counted, as servebench counts a failed request: the server could not keep up.
                failed.incrementAndGet();
                completed.incrementAndGet();
                return;
              }
              Channel fresh = connected.channel();
              fresh.pipeline().get(Reader.class).send(fresh, nowNanos);
            });
  }

  /** Plain words, nothing JSON escapes, {@code promptChars} characters long. */
  private static String prompt(int promptChars) {
    StringBuilder prompt = new StringBuilder();
    while (prompt.length() < promptChars) {
      prompt.append("lorem ipsum dolor sit amet ");
    }
    return prompt.substring(0, promptChars);
  }

  /** The request servebench's OpenAI chat adapter sends, with a prompt of plain words. */
  private static byte[] httpRequest(String host, int port, int outputTokens, int promptChars) {
    String body =
        "{\"model\":\"mock-model\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt(promptChars)
            + "\"}],\"max_tokens\":"
            + outputTokens
            + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\n"
            + "Host: " + host + ":" + port + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: " + bodyBytes.length + "\r\n"
            + "Accept: text/event-stream, text/plain, application/json\r\n"
            + "User-Agent: servebench-floor\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[headBytes.length + bodyBytes.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
    return all;
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
