package dev.servebench.bench;

import dev.servebench.endpoint.EndpointType;
import dev.servebench.record.FailureReason;
import dev.servebench.endpoint.ResponseEvents;
import dev.servebench.endpoint.ResponseParser;
import dev.servebench.endpoint.SseParser;
import dev.servebench.metrics.LatencyRecorder;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunInfo;
import dev.servebench.record.TokenSource;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client's work per streamed chunk, piece by piece. Scores are nanoseconds per event (per
 * chunk) unless the name says otherwise; compare them with the floor client's CPU per event in
 * {@code load.sh}'s table to see which piece is worth optimizing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class HotPathBenchmarks {

  /** Counts what a parser reports, so nothing is optimized away and the cost of recording is nil. */
  static final class CountingEvents implements ResponseEvents {
    long chunks;
    long textLength;
    long usage;

    @Override
    public void onStreamedOutput(String text, boolean reasoning, long arrivalNanos) {
      chunks++;
      textLength += text.length();
    }

    @Override
    public void onCompleteOutput(String text) {}

    @Override
    public void onUsage(int promptTokens, int completionTokens) {
      usage += completionTokens;
    }

    @Override
    public void onEndMarker() {}

    @Override
    public void onFailure(FailureReason reason, String message) {
      throw new IllegalStateException(reason + ": " + message);
    }
  }

  private static final int MANY = 8;

  private byte[] oneEvent;
  private byte[] manyEvents;
  private byte[] usageEvent;
  private final SseParser sse = new SseParser();
  private final SseParser.Listener sseSink = new SseParser.Listener() {
    long bytes;

    @Override
    public void onEvent(String eventType, byte[] data, int offset, int length) {
      bytes += length;
    }
  };
  private ResponseParser chat;
  private final CountingEvents events = new CountingEvents();

  private RecordWriter writer;
  private RequestRecord record;
  private final LatencyRecorder latency = new LatencyRecorder();
  private long sample;

  private Tokenizer tokenizer;
  private String hundredTokens;
  private String oneToken;

  /** Texts of 32 random vocabulary tokens, as the synthetic dataset's prompts; taken in turn. */
  private String[] syntheticPrompts;

  private int nextPrompt;

  @Setup
  public void setUp() throws IOException {
    oneEvent = Chunks.read(1, 0);
    manyEvents = Chunks.read(MANY, 0);
    usageEvent = Chunks.usageEvent().getBytes(StandardCharsets.UTF_8);
    chat = EndpointType.OPENAI_CHAT.adapter(null).responseParser(true, "text/event-stream");

    writer =
        RecordWriter.to(
            OutputStream.nullOutputStream(),
            new RunInfo("bench", "bench", Instant.EPOCH, 400, Map.of()));
    long[] chunkNanos = new long[100];
    int[] chunkTokens = new int[100];
    for (int i = 0; i < 100; i++) {
      chunkNanos[i] = 1_000_000_000L + 2_000_000L * i + (i * 7919L) % 50_000;
      chunkTokens[i] = 1;
    }
    record =
        RequestRecord.builder()
            .index(42)
            .streamed(true)
            .intendedNanos(999_000_000L)
            .sentNanos(999_100_000L)
            .firstSentNanos(999_100_000L)
            .headersNanos(999_500_000L)
            .firstTokenNanos(chunkNanos[0])
            .lastTokenNanos(chunkNanos[99])
            .endNanos(chunkNanos[99] + 10_000)
            .firstContentNanos(chunkNanos[0])
            .chunks(chunkNanos, chunkTokens, TokenSource.SERVER)
            .promptTokens(128, TokenSource.SERVER)
            .localPromptTokens(128)
            .serverPromptTokens(128)
            .requestedOutputTokens(100)
            .outputTokens(100, TokenSource.SERVER)
            .httpStatus(200)
            .build();

    tokenizer = Tokenizers.builtIn("r50k_base");
    StringBuilder text = new StringBuilder();
    int i = 0;
    while (tokenizer.countTokens(text.toString()) < 100) {
      text.append(new String[] {" the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", "."}[i % 10]);
      i++;
    }
    hundredTokens = text.toString();
    oneToken = " streams";

    // Random tokens often join into pieces of several tokens, the costly case of jtokkit's merges.
    SplittableRandom random = new SplittableRandom(11);
    int[] vocabulary = tokenizer.ordinaryTokenIds();
    syntheticPrompts = new String[4096];
    for (int p = 0; p < syntheticPrompts.length; p++) {
      int[] ids = random.ints(32, 0, vocabulary.length).map(id -> vocabulary[id]).toArray();
      syntheticPrompts[p] = tokenizer.decode(ids);
    }
  }

  /** SSE framing only, one event per read (the usual case at low load). */
  @Benchmark
  public void sseOneEventPerRead() {
    sse.feed(oneEvent, 0, oneEvent.length, sseSink);
  }

  /** SSE framing only, 8 events per read (a loaded client reads several at once); per event. */
  @Benchmark
  @OperationsPerInvocation(MANY)
  public void sseEightEventsPerRead() {
    sse.feed(manyEvents, 0, manyEvents.length, sseSink);
  }

  /** SSE framing plus delta extraction (the OpenAI chat parser), one event per read. */
  @Benchmark
  public long chatParserOneEventPerRead() {
    chat.onBody(oneEvent, 0, oneEvent.length, 1L, events);
    return events.chunks;
  }

  /** SSE framing plus delta extraction, 8 events per read; per event. */
  @Benchmark
  @OperationsPerInvocation(MANY)
  public long chatParserEightEventsPerRead() {
    chat.onBody(manyEvents, 0, manyEvents.length, 1L, events);
    return events.chunks;
  }

  /** The final usage event. */
  @Benchmark
  public long chatParserUsageEvent() {
    chat.onBody(usageEvent, 0, usageEvent.length, 1L, events);
    return events.usage;
  }

  /** One JSONL line of a 100-chunk request to a null stream; per chunk of the request. */
  @Benchmark
  @OperationsPerInvocation(100)
  public void recordWritePerChunk() throws IOException {
    writer.write(record);
  }

  /** One HdrHistogram + running-statistics sample. */
  @Benchmark
  public void histogramRecord() {
    sample = (sample * 6364136223846793005L + 1442695040888963407L);
    latency.record(1_000_000 + (sample >>> 44));
  }

  /** Counting the tokens of a 100-token text (r50k); per token. */
  @Benchmark
  @OperationsPerInvocation(100)
  public int tokenizeHundredTokensPerToken() {
    return tokenizer.countTokens(hundredTokens);
  }

  /** Counting the tokens of one chunk's text, as the recorder does when the server gives no counts. */
  @Benchmark
  public int tokenizeOneChunk() {
    return tokenizer.countTokens(oneToken);
  }

  /**
   * Counting the tokens of a synthetic 32-token prompt (r50k), as the mock server does for each
   * request of the load script's runs; per prompt.
   */
  @Benchmark
  public int tokenizeSyntheticPrompt() {
    return tokenizer.countTokens(syntheticPrompts[nextPrompt++ & (syntheticPrompts.length - 1)]);
  }

  /** The clock read per socket read. */
  @Benchmark
  public long nanoTime() {
    return System.nanoTime();
  }
}
