package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.engine.RunClock;
import dev.servebench.engine.RunControl;
import dev.servebench.engine.SendPlan;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.LatencyRecorder;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestWrites;
import dev.servebench.mock.WriteLogJson;
import dev.servebench.record.RunEnd;
import dev.servebench.schedule.ArrivalSchedule;
import dev.servebench.schedule.GapDistribution;
import dev.servebench.schedule.Pacer;
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
 * or, with {@link #runAgainst}, another one). The difference per chunk is what the client adds on
 * the way back: kernel, loopback, its event loop and its parsing. On the way out the server logs
 * when it had read each request, against the client's send stamp. TTFT's error is the client's TTFT
 * (first arrival minus send stamp) minus the server's (first write minus request read): the send
 * delay plus the first chunk's delay; E2E's likewise with the last chunk; an ITL sample's is the
 * difference of two consecutive chunk delays.
 */
public final class AccuracyCheck {

  /**
   * What one check measured. Chunk delays are arrival minus write; send delays are the server's
   * read of the request minus the client's send stamp (the client's event loop, loopback, and the
   * server's own wait before reading: an upper bound of the client's part); TTFT and E2E errors are
   * the client's figure minus the server's, so each includes the request's send delay; ITL error is
   * the client's gap minus the server's gap, absolute.
   *
   * @param tokenCountsMatch every request's output tokens and chunk count equal what the server
   *     wrote
   * @param unloggedRequests requests the server has no log of (its {@code --record-writes} bound
   *     was reached), left out of the comparison
   * @param ioThreadsCpuWaitNanos how long the client's I/O threads were ready to run but waited for
   *     a CPU over the measured phase (its first round included), -1 where the kernel does not say:
   *     stamps late by a wait are late because something else held the client's core
   */
  public record Result(
      int streams,
      long requests,
      long chunks,
      Distribution chunkDelay,
      Distribution sendDelay,
      Distribution ttftError,
      Distribution e2eError,
      Distribution itlError,
      boolean tokenCountsMatch,
      long failedRequests,
      long unloggedRequests,
      long ioThreadsCpuWaitNanos) {}

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
   * @param ratePerSecond 0 for a closed loop (each stream sends its next request as soon as one
   *     ends); otherwise the measured requests are sent open loop at this constant rate, at most
   *     {@code streams} in flight, so that many streams start spread out as a rate-driven run
   *     starts them instead of in one burst
   */
  public record Load(
      int streams,
      int requestsPerStream,
      int outputTokens,
      double ttftMillis,
      double itlMillis,
      double jitterMillis,
      int warmupRequests,
      double ratePerSecond) {

    /**
     * Checks the rate.
     *
     * @throws InvalidInputException when the rate is negative or not a number
     */
    public Load {
      if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
        throw new InvalidInputException(
            "--request-rate must be a positive number of requests per second, or 0 for a closed"
                + " loop; got "
                + ratePerSecond);
      }
    }
  }

  /** Where the server's truth comes from: its write log, taken (and so emptied) at once. */
  private interface WriteSource {
    List<RequestWrites> takeAll() throws IOException, InterruptedException;

    /** Has the server collect its heap now, between phases (in this process: nothing to add). */
    void collectHeap() throws IOException, InterruptedException;
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
      WriteSource source =
          new WriteSource() {
            @Override
            public List<RequestWrites> takeAll() {
              return server.takeAllWrites();
            }

            @Override
            public void collectHeap() {
              // The client's own collection, which the check makes anyway, is the server's too.
            }
          };
      return check(server.baseUrl(), source, tokenizer, load);
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
    WriteSource source =
        new WriteSource() {
          @Override
          public List<RequestWrites> takeAll() throws IOException, InterruptedException {
            return fetchWrites(http, baseUrl);
          }

          @Override
          public void collectHeap() throws IOException, InterruptedException {
            askToCollect(http, baseUrl);
          }
        };
    // Empties a log left over from an earlier check, and fails early on a wrong address.
    source.takeAll();
    return check(baseUrl, source, Tokenizers.builtIn("r50k_base"), load);
  }

  /**
   * Sends {@code requests} short requests and then two rounds of {@code outputTokens}-long ones
   * from this process, {@code streams} at a time, so that a server in this process or another has
   * compiled its code before a measurement; their write log is left for the caller to empty.
   */
  public static void warmServer(
      String baseUrl,
      EndpointType endpoint,
      TlsOptions tls,
      int requests,
      int streams,
      int outputTokens)
      throws InterruptedException, SSLException {
    Tokenizer tokenizer = Tokenizers.builtIn("r50k_base");
    drive(baseUrl, endpoint, tls, tokenizer, streams, requests, 0, prompts(tokenizer, 4), 0);
    drive(
        baseUrl,
        endpoint,
        tls,
        tokenizer,
        streams,
        2 * streams,
        0,
        prompts(tokenizer, outputTokens),
        0);
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
      drive(
          baseUrl,
          EndpointType.OPENAI_CHAT,
          TlsOptions.VERIFY,
          tokenizer,
          streams,
          load.warmupRequests(),
          0,
          prompts(tokenizer, 4),
          0);
      drive(
          baseUrl,
          EndpointType.OPENAI_CHAT,
          TlsOptions.VERIFY,
          tokenizer,
          streams,
          2 * streams,
          0,
          prompts(tokenizer, load.outputTokens()),
          0);
      truth.takeAll();
      // Both heaps collected now, while nothing is in flight: a collector's threads otherwise start
      // when the warm-up's garbage has filled the heap, in the measured phase, and on one core they
      // take it from the event loop, so the server reads requests late.
      truth.collectHeap();
      System.gc();
      Startup.awaitCompilerQuiet(300, 20_000);
    }
    // One round per stream before measuring: it opens the kept-alive connections.
    int requests = load.streams() * load.requestsPerStream();
    Driven measured =
        drive(
            baseUrl,
            EndpointType.OPENAI_CHAT,
            TlsOptions.VERIFY,
            tokenizer,
            load.streams(),
            requests,
            load.streams(),
            prompts(tokenizer, load.outputTokens()),
            load.ratePerSecond());
    Map<String, RequestWrites> written = new HashMap<>();
    for (RequestWrites writes : truth.takeAll()) {
      written.put(writes.requestId(), writes);
    }
    Comparison comparison = new Comparison();
    for (Arrivals arrivals : measured.arrivals()) {
      comparison.add(arrivals, written.get(arrivals.requestId()));
    }
    return comparison.result(load.streams(), measured.end().ioThreadsCpuWaitNanos());
  }

  /** One measured request as the client saw it, its send and chunk stamps on the host's clock. */
  private record Arrivals(
      String requestId, boolean succeeded, long sentNanos, long[] chunkNanos, int outputTokens) {}

  /** The requests past a phase's warm-up, and what the runner measured of the whole phase. */
  private record Driven(List<Arrivals> arrivals, RunEnd end) {}

  /**
   * At most {@code streams} requests in flight, sent as soon as a stream is free (a closed loop,
   * {@code ratePerSecond} 0) or at that constant rate; returns the requests past the warm-up.
   */
  private static Driven drive(
      String baseUrl,
      EndpointType endpoint,
      TlsOptions tls,
      Tokenizer tokenizer,
      int streams,
      int requests,
      int warmupRequests,
      List<Prompt> prompts,
      double ratePerSecond)
      throws InterruptedException, SSLException {
    BenchmarkRunner runner =
        new BenchmarkRunner(
            BenchmarkRunner.Settings.builder(
                    HttpTarget.parse(baseUrl),
                    endpoint.adapter(null),
                    new RequestOptions("gpt2", true, null, null, null, null, false, false))
                .maxConcurrency(streams)
                .closedLoop(ratePerSecond == 0)
                .timeout(Duration.ofSeconds(60))
                .maxResponseBytes(64L << 20)
                .tls(tls)
                .ioThreads(1)
                .userAgent("servebench-accuracy")
                .build(),
            tokenizer);
    Startup.settleHeap();
    RunClock clock = RunClock.start();
    // Only the stamps are kept (about 400 bytes a request), compared once the server's log is in.
    List<Arrivals> measured = new ArrayList<>(Math.max(0, requests));
    SendPlan plan;
    if (ratePerSecond > 0) {
      Pacer pacer =
          new ArrivalSchedule(ratePerSecond, GapDistribution.constant(), 0, PROMPT_ORDER_SEED)
              .pacer();
      plan = pacer::nextLong;
    } else {
      plan = () -> 0;
    }
    RunEnd end =
        runner.run(
            clock,
            prompts,
            plan,
            new BenchmarkRunner.Bounds(requests, -1, warmupRequests, 0, Duration.ofSeconds(5)),
            record -> {
              if (!record.warmup()) {
                long[] stamps = record.chunks().nanos().clone();
                for (int i = 0; i < stamps.length; i++) {
                  stamps[i] += clock.anchorNanos();
                }
                measured.add(
                    new Arrivals(
                        // The X-Servebench-Request-Id the client sent, under which the server logs.
                        Integer.toString(record.index()),
                        record.succeeded(),
                        record.stamps().sentNanos() + clock.anchorNanos(),
                        stamps,
                        record.tokens().output()));
              }
            },
            new RunControl(),
            null,
            null);
    return new Driven(measured, end);
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

  /** {@code POST /servebench/collect}; a server without it is asked in vain, not failed. */
  private static void askToCollect(HttpClient http, String baseUrl)
      throws IOException, InterruptedException {
    http.send(
        HttpRequest.newBuilder(URI.create(baseUrl + MockServer.COLLECT_PATH))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** Takes (and so empties) the write log of a mock server in another process. */
  public static List<RequestWrites> fetchWrites(HttpClient http, String baseUrl)
      throws IOException, InterruptedException {
    String url = baseUrl + MockServer.WRITES_PATH;
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
    private final LatencyRecorder sendDelay = new LatencyRecorder();
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
      long sendDelayNanos = truth.receivedNanos() - arrivals.sentNanos();
      sendDelay.record(sendDelayNanos);
      long previousDelay = 0;
      for (int i = 0; i < stamps.length; i++) {
        long delayNanos = stamps[i] - written.get(i).writeNanos();
        chunkDelay.record(delayNanos);
        if (i == 0) {
          ttftError.record(sendDelayNanos + delayNanos);
        } else {
          itlError.record(Math.abs(delayNanos - previousDelay));
        }
        previousDelay = delayNanos;
        chunks++;
      }
      if (stamps.length > 0) {
        e2eError.record(sendDelayNanos + previousDelay);
      }
    }

    Result result(int streams, long ioThreadsCpuWaitNanos) {
      List<Double> levels = List.of(50.0, 99.0);
      return new Result(
          streams,
          requests,
          chunks,
          chunkDelay.distribution(levels),
          sendDelay.distribution(levels),
          ttftError.distribution(levels),
          e2eError.distribution(levels),
          itlError.distribution(levels),
          countsMatch,
          failed,
          unlogged,
          ioThreadsCpuWaitNanos);
    }
  }
}
