package dev.servebench.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * HTTP/1.1 framing of one streamed chunk (a chunked-coding chunk carrying one SSE event of about
 * 210 bytes, in a direct buffer as the epoll transport reads it): servebench's {@link
 * HttpResponseReader}, after the copy into an array that {@link ClientHandler} makes of each read,
 * against Netty's {@link HttpClientCodec}, which it replaced. In this package because the reader
 * is package-private. Nanoseconds per chunk.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class HttpFramingBenchmarks {

  private static final String HEAD =
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
          + "transfer-encoding: chunked\r\ndate: Sat, 28 Nov 2026 10:00:00 GMT\r\n"
          + "server: uvicorn\r\n\r\n";

  private static final String EVENT =
      "data: {\"id\":\"chatcmpl-8f2d6c0e5b3a4c1e9d7f6a5b4c3d2e1f\",\"object\":\"chat.completion.chunk\","
          + "\"created\":1732752000,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{\"index\""
          + ":0,\"delta\":{\"content\":\" token\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";

  /** Counts body bytes, so that nothing is optimized away. */
  static final class Counting implements HttpResponseReader.Events {
    long bodyBytes;

    @Override
    public void onHead() {}

    @Override
    public void onBody(byte[] bytes, int offset, int length) {
      bodyBytes += length;
    }

    @Override
    public void onEnd(boolean keepAlive) {}
  }

  private ByteBuf chunk;
  private final byte[] scratch = new byte[ClientHandler.MAX_SCRATCH_BYTES];
  private HttpResponseReader reader;
  private final Counting counting = new Counting();
  private EmbeddedChannel codec;

  @Setup
  public void setUp() {
    byte[] event = EVENT.getBytes(StandardCharsets.UTF_8);
    String frame = Integer.toHexString(event.length) + "\r\n" + EVENT + "\r\n";
    chunk = Unpooled.directBuffer().writeBytes(frame.getBytes(StandardCharsets.UTF_8));
    ByteBuf head = Unpooled.copiedBuffer(HEAD, StandardCharsets.US_ASCII);
    reader = new HttpResponseReader();
    reader.begin();
    byte[] headBytes = HEAD.getBytes(StandardCharsets.US_ASCII);
    reader.read(headBytes, 0, headBytes.length, counting); // now between chunks: one read, one chunk
    codec = new EmbeddedChannel(new HttpClientCodec());
    codec.writeInbound(head.retainedDuplicate());
    drain();
  }

  @Benchmark
  public long reader() {
    int length = chunk.readableBytes();
    ByteBufCopy.copy(chunk, chunk.readerIndex(), scratch, 0, length);
    reader.read(scratch, 0, length, counting);
    return counting.bodyBytes;
  }

  @Benchmark
  public long nettyCodec() {
    codec.writeInbound(chunk.retainedDuplicate());
    return drain();
  }

  private long drain() {
    long bytes = 0;
    Object message;
    while ((message = codec.readInbound()) != null) {
      if (message instanceof HttpContent content) {
        bytes += content.content().readableBytes();
      }
      ReferenceCountUtil.release(message);
    }
    return bytes;
  }
}
