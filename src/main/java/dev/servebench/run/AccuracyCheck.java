package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.InvalidInputException;
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
import dev.servebench.mock.WriteLogJson;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLException;

/**
 * Proves servebench's timing against ground truth: the built-in mock server logs when it wrote each
 * chunk ({@link System#nanoTime()} on its event loop, right before the write), the client stamps
 * when each chunk arrived, and both read the same clock ({@code CLOCK_MONOTONIC}, in this process
 * or, with {@link #runAgainst}, another one). The difference per chunk is everything the client
 * adds to what it reports: kernel, loopback, its event loop and its parsing. TTFT, ITL and E2E
 * errors follow from it: TTFT's error is the first chunk's delay, E2E's the last chunk's, an ITL
 * sample's the difference of two consecutive delays.
 */
public final class AccuracyCheck {

  /**
   * What one check measured. Delays are arrival minus write; ITL error is the client's gap minus
   * the server's gap, absolute.
   *
   * @param tokenCountsMatch every request's output tokens and chunk count equal what the server
   *     wrote
   * @param unloggedRequests requests the server has no log of (its {@code --record-writes} bound
   *     was reached), left out of the comparison
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
      long failedRequests,
      long unloggedRequests) {}

  /**
   * How the check loads the server.
   *
   * @param streams requests kept in flight (a closed loop)
   * @param requestsPerStream requests each stream sends one after another
   * @param outputTokens tokens per response
   * @param ttftMillis the mock's mean time to first token
   * @param itlMillis the mock's mean gap between tokens
   * @param jitterMillis standard deviation of both, so gaps are not all alike
   * @param warmupRequests short requests sent before measuring, so the JIT has compiled the code of
   *     both sides (tens of thousands are needed); 0 skips the warm-up phase
   */
  public record Load(
      int streams,
      int requestsPerStream,
      int outputTokens,
      double ttftMillis,
      double itlMillis,
      double jitterMillis,
      int warmupRequests) {}

  /** Where the server's truth comes from: its write log, taken (and so emptied) at once. */
  @FunctionalInterface
  private interface WriteSource {
    List<RequestWrites> takeAll() throws IOException, InterruptedException;
  }

  /**
   * Requests the in-process server logs in all, warm-up included; each phase's log is taken (and
   * freed) as it ends.
   */
  private static final int LOGGED_REQUESTS = 1_000_000;

  /** Most streams of the warm-up phase. */
  private static final int WARMUP_STREAMS = 500;

  private static final long PROMPT_ORDER_SEED = 42;

  private AccuracyCheck() {}

  /** Checks against a mock server started in this process with the load's latencies. */
  public static Result run(Load load) throws IOException, InterruptedException {
    Tokenizer tokenizer = Tokenizers.builtIn("r50k_base");
    MockServerConfig config =
        MockServerConfig.builder()
            .ttftMillis(load.ttftMillis())
            .ttftStddevMillis(load.jitterMillis())
            .itlMillis(load.itlMillis())
            .itlStddevMillis(load.jitterMillis())
            .recordWrites(LOGGED_REQUESTS)
            .tokenizer(tokenizer)
            .modelName("gpt2")
            .build();
    try (MockServer server = MockServer.start(config)) {
      return check(server.baseUrl(), server::takeAllWrites, tokenizer, load);
    }
  }

  /**
   * Checks against a servebench mock server running in another process, as a real server would,
   * with its own heap and collector pauses; started with {@code --record-writes}, its latencies are
   * its own flags (the load's are not used). Its log comes over HTTP after each phase.
   *
   * @throws InvalidInputException if {@code baseUrl} does not serve a write log
   */
  public static Result runAgainst(String baseUrl, Load load)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    WriteSource source = () -> fetchWrites(http, baseUrl);
    // Empties a log left over from an earlier check, and fails early on a wrong address.
    source.takeAll();
    return check(baseUrl, source, Tokenizers.builtIn("r50k_base"), load);
  }

  private static Result check(String baseUrl, WriteSource truth, Tokenizer tokenizer, Load load)
      throws IOException, InterruptedException {
    // A JVM's code runs interpreted, then compiled twice over, for its first tens of thousands of
    // calls, and the compiler threads take the cores from the event loops: start-up cost, not the
    // client's timing. Many short requests first get both sides' per-request code compiled, two
    // rounds of full-length ones their per-chunk code with the measured profile; then the
    // compilers get the time to drain their queue.
    if (load.warmupRequests() > 0) {
      int streams = Math.min(WARMUP_STREAMS, load.warmupRequests());
      drive(baseUrl, tokenizer, streams, load.warmupRequests(), 0, prompts(tokenizer, 4));
      drive(baseUrl, tokenizer, streams, 2 * streams, 0, prompts(tokenizer, load.outputTokens()));
      truth.takeAll();
      Startup.awaitCompilerQuiet(300, 20_000);
    }
    // One round per stream before measuring: it opens the kept-alive connections.
    int requests = load.streams() * load.requestsPerStream();
    List<Arrivals> measured =
        drive(
            baseUrl,
            tokenizer,
            load.streams(),
            requests,
            load.streams(),
            prompts(tokenizer, load.outputTokens()));
    Map<String, RequestWrites> written = new HashMap<>();
    for (RequestWrites writes : truth.takeAll()) {
      written.put(writes.requestId(), writes);
    }
    Comparison comparison = new Comparison();
    for (Arrivals arrivals : measured) {
      comparison.add(arrivals, written.get(arrivals.requestId()));
    }
    return comparison.result(load.streams());
  }

  /** One measured request as the client saw it, its chunk stamps on the machine's clock. */
  private record Arrivals(
      String requestId, boolean succeeded, long[] chunkNanos, int outputTokens) {}

  /** A closed loop of {@code streams} requests; returns the requests past the warm-up. */
  private static List<Arrivals> drive(
      String baseUrl,
      Tokenizer tokenizer,
      int streams,
      int requests,
      int warmupRequests,
      List<Prompt> prompts)
      throws InterruptedException, SSLException {
    BenchmarkRunner runner =
        new BenchmarkRunner(
            new BenchmarkRunner.Settings(
                HttpTarget.parse(baseUrl),
                EndpointType.OPENAI_CHAT.adapter(null),
                new RequestOptions("gpt2", true, null, null, null, null, false, false),
                null,
                streams,
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
    // Only the stamps are kept (about 400 bytes a request), compared once the server's log is in.
    List<Arrivals> measured = new ArrayList<>(Math.max(0, requests));
    runner.run(
        clock,
        prompts,
        () -> 0,
        new BenchmarkRunner.Bounds(requests, -1, warmupRequests, 0, Duration.ofSeconds(5)),
        record -> {
          if (!record.warmup()) {
            long[] stamps = record.chunkNanos().clone();
            for (int i = 0; i < stamps.length; i++) {
              stamps[i] += clock.anchorNanos();
            }
            measured.add(
                new Arrivals(
                    // The X-Servebench-Request-Id the client sent, under which the server logs.
                    Integer.toString(record.index()),
                    record.succeeded(),
                    stamps,
                    record.outputTokens()));
          }
        },
        new RunControl(),
        null);
    return measured;
  }

  /**
   * Output lengths spread evenly over half to one and a half times the mean, in a shuffled order:
   * with one length for all, the streams' requests would end and start again in step, a burst of
   * request turnarounds once per round that no real workload has.
   */
  private static List<Prompt> prompts(Tokenizer tokenizer, int meanOutputTokens) {
    String text = "Tell me about the sea.";
    int inputTokens = tokenizer.countTokens(text);
    List<Prompt> prompts = new ArrayList<>();
    int low = Math.max(1, meanOutputTokens / 2);
    for (int outputTokens = low; outputTokens <= 2 * meanOutputTokens - low; outputTokens++) {
      prompts.add(new Prompt(text, inputTokens, outputTokens));
    }
    Collections.shuffle(prompts, new Random(PROMPT_ORDER_SEED));
    return prompts;
  }

  private static List<RequestWrites> fetchWrites(HttpClient http, String baseUrl)
      throws IOException, InterruptedException {
    String url = baseUrl + "/servebench/writes";
    HttpResponse<InputStream> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidInputException(
          "--server: cannot read the write log at "
              + url
              + " ("
              + e.getMessage()
              + "); start the"
              + " server with `servebench mock-server --record-writes 1000000`",
          e);
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new InvalidInputException(
            "--server: "
                + url
                + " answered HTTP "
                + response.statusCode()
                + "; only a servebench mock server (`servebench mock-server --record-writes"
                + " 1000000`) keeps a write log");
      }
      return WriteLogJson.decode(body);
    }
  }

  /** Compares each request with the server's log of it. */
  private static final class Comparison {
    private final LatencyRecorder chunkDelay = new LatencyRecorder();
    private final LatencyRecorder ttftError = new LatencyRecorder();
    private final LatencyRecorder e2eError = new LatencyRecorder();
    private final LatencyRecorder itlError = new LatencyRecorder();
    private boolean countsMatch = true;
    private long requests;
    private long chunks;
    private long failed;
    private long unlogged;

    void add(Arrivals arrivals, RequestWrites truth) {
      requests++;
      if (!arrivals.succeeded()) {
        failed++;
        return;
      }
      if (truth == null) {
        unlogged++;
        return;
      }
      long[] stamps = arrivals.chunkNanos();
      List<RequestWrites.Chunk> written = truth.chunks();
      if (stamps.length != written.size() || arrivals.outputTokens() != truth.totalTokens()) {
        countsMatch = false;
        return;
      }
      long previousDelay = 0;
      for (int i = 0; i < stamps.length; i++) {
        long delayNanos = stamps[i] - written.get(i).writeNanos();
        chunkDelay.record(delayNanos);
        if (i == 0) {
          ttftError.record(delayNanos);
        } else {
          itlError.record(Math.abs(delayNanos - previousDelay));
        }
        previousDelay = delayNanos;
        chunks++;
      }
      if (stamps.length > 0) {
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
          failed,
          unlogged);
    }
  }
}
