package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.engine.RunClock;
import dev.servebench.engine.RunControl;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.LatencyRecorder;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestWrites;
import dev.servebench.record.RequestRecord;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Proves servebench's timing against ground truth: the built-in mock server logs when it wrote each
 * chunk ({@link System#nanoTime()} on its event loop, right before the write), the client stamps
 * when each chunk arrived, and both run in this process on the same clock. The difference per chunk
 * is everything the client adds to what it reports: kernel, loopback, its event loop and its
 * parsing. TTFT, ITL and E2E errors follow from it: TTFT's error is the first chunk's delay, E2E's
 * the last chunk's, an ITL sample's the difference of two consecutive delays.
 */
public final class AccuracyCheck {

  /**
   * What one check measured. Delays are arrival minus write; ITL error is the client's gap minus
   * the server's gap, absolute.
   *
   * @param tokenCountsMatch every request's output tokens and chunk count equal what the server
   *     wrote
   */
  public record Result(
      int streams,
      long requests,
      long chunks,
      Distribution chunkDelay,
      Distribution ttftError,
      Distribution e2eError,
      Distribution itlError,
      boolean tokenCountsMatch,
      long failedRequests) {}

  /**
   * How the check loads the server.
   *
   * @param streams requests kept in flight (a closed loop)
   * @param requestsPerStream requests each stream sends one after another
   * @param outputTokens tokens per response
   * @param ttftMillis the mock's mean time to first token
   * @param itlMillis the mock's mean gap between tokens
   * @param jitterMillis standard deviation of both, so gaps are not all alike
   */
  public record Load(
      int streams,
      int requestsPerStream,
      int outputTokens,
      double ttftMillis,
      double itlMillis,
      double jitterMillis) {}

  private AccuracyCheck() {}

  public static Result run(Load load) throws InterruptedException, SSLException {
    Tokenizer tokenizer = Tokenizers.builtIn("r50k_base");
    int requests = load.streams() * load.requestsPerStream();
    // One round of warm-up per stream: the first requests of a JVM measure class loading and the
    // JIT, not steady-state timing.
    int warmupRequests = load.streams();
    MockServerConfig config =
        MockServerConfig.builder()
            .ttftMillis(load.ttftMillis())
            .ttftStddevMillis(load.jitterMillis())
            .itlMillis(load.itlMillis())
            .itlStddevMillis(load.jitterMillis())
            .fixedOutputTokens(load.outputTokens())
            .recordWrites(requests + warmupRequests)
            .tokenizer(tokenizer)
            .modelName("gpt2")
            .build();
    try (MockServer server = MockServer.start(config)) {
      BenchmarkRunner runner =
          new BenchmarkRunner(
              new BenchmarkRunner.Settings(
                  HttpTarget.parse(server.baseUrl()),
                  EndpointType.OPENAI_CHAT.adapter(null),
                  new RequestOptions("gpt2", true, null, null, null, null, false, false),
                  null,
                  load.streams(),
                  true,
                  Duration.ofSeconds(60),
                  null,
                  null,
                  64L << 20,
                  0,
                  TlsOptions.VERIFY,
                  1,
                  false,
                  "servebench-accuracy"),
              tokenizer);
      Startup.settleHeap();
      RunClock clock = RunClock.start();
      String text = "Tell me about the sea.";
      Prompt prompt = new Prompt(text, tokenizer.countTokens(text), load.outputTokens());
      // Each record is compared as it arrives and then dropped, with its entry of the server's
      // log: kept, they would only lengthen the garbage collector's pauses being measured.
      Comparison comparison = new Comparison(clock);
      runner.run(
          clock,
          List.of(prompt),
          () -> 0,
          new BenchmarkRunner.Bounds(requests, -1, warmupRequests, 0, Duration.ofSeconds(5)),
          record -> {
            if (!record.warmup()) {
              comparison.add(record, server.takeWrites(Integer.toString(record.index())));
            }
          },
          new RunControl(),
          null);
      return comparison.result(load.streams());
    }
  }

  /** Compares each record with the server's log of the same request. */
  private static final class Comparison {
    private final RunClock clock;
    private final LatencyRecorder chunkDelay = new LatencyRecorder();
    private final LatencyRecorder ttftError = new LatencyRecorder();
    private final LatencyRecorder e2eError = new LatencyRecorder();
    private final LatencyRecorder itlError = new LatencyRecorder();
    private boolean countsMatch = true;
    private long requests;
    private long chunks;
    private long failed;

    Comparison(RunClock clock) {
      this.clock = clock;
    }

    void add(RequestRecord record, RequestWrites truth) {
      requests++;
      if (!record.succeeded() || truth == null) {
        failed++;
        return;
      }
      long[] arrivals = record.chunkNanos();
      List<RequestWrites.Chunk> written = truth.chunks();
      if (arrivals.length != written.size() || record.outputTokens() != truth.totalTokens()) {
        countsMatch = false;
        return;
      }
      long previousDelay = 0;
      for (int i = 0; i < arrivals.length; i++) {
        long delayNanos = clock.anchorNanos() + arrivals[i] - written.get(i).writeNanos();
        chunkDelay.record(delayNanos);
        if (i == 0) {
          ttftError.record(delayNanos);
        } else {
          itlError.record(Math.abs(delayNanos - previousDelay));
        }
        previousDelay = delayNanos;
        chunks++;
      }
      if (arrivals.length > 0) {
        e2eError.record(previousDelay);
      }
    }

    Result result(int streams) {
      List<Double> levels = List.of(50.0, 99.0);
      return new Result(
          streams,
          requests,
          chunks,
          chunkDelay.distribution(levels),
          ttftError.distribution(levels),
          e2eError.distribution(levels),
          itlError.distribution(levels),
          countsMatch,
          failed);
    }
  }
}
