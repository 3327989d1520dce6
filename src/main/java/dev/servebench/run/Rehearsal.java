package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.Prompt;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.engine.RunClock;
import dev.servebench.engine.RunControl;
import dev.servebench.metrics.Aggregator;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.report.ConsoleReport;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sends the run's own kind of request through the run's whole request path (connection, request
 * writing, response reading, the endpoint's parser, the recorder, aggregation and the records
 * writer) to a mock server in this process on loopback, before the run's clock starts. A fresh JVM
 * otherwise runs that code for the first time during the measurement, interpreted and loading
 * classes as it goes: the first requests of a run were stamped tens of milliseconds late. Nothing
 * of the rehearsal reaches the endpoint, the records or the report.
 */
final class Rehearsal {

  /**
   * Requests the rehearsal sends: enough for the quick compiler to take every per-request method
   * (it compiles a method after a few hundred calls) and, through their chunks, every per-chunk
   * one.
   */
  static final int REQUESTS = 300;

  /** Requests in flight at once, so that connections are opened and reused as in a run. */
  private static final int STREAMS = 16;

  /** Open-loop bursts after the closed loop, each of this many requests sent at once. */
  private static final int BURSTS = 4;

  private static final int BURST_REQUESTS = 64;

  /** Tokens per rehearsed response: several chunks each, short enough to be quick. */
  private static final int OUTPUT_TOKENS = 12;

  /** The rehearsal stops sending after this long, whatever it reached: start-up stays short. */
  private static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(600);

  private static final String[] TEXTS = {
    "Tell me about the sea.",
    "What is the capital of France? Answer in one word.",
    "Write a haiku about \"servers\" and queues.",
    "Explain TCP slow start\nin two sentences.",
    "List three prime numbers: 2, 3, 5 \u2014 and why.",
    "Summarize: the quick brown fox jumps over the lazy dog.",
    "Translate 'good morning' into German, French and Japanese (\u304a\u306f\u3088\u3046).",
    "How many tokens is this prompt?",
  };

  private Rehearsal() {}

  /**
   * Starts the rehearsal on a daemon thread and returns it; joining it waits until the rehearsal
   * and the compilations it caused are done. A rehearsal that fails only leaves the run colder: it
   * never fails the run.
   *
   * @param settings the run's runner settings; target, TLS, load shape and limits are replaced
   */
  static Thread start(BenchmarkRunner.Settings settings) {
    return Thread.ofPlatform()
        .daemon()
        .name("servebench-rehearsal")
        .start(
            () -> {
              try {
                rehearse(settings);
              } catch (Exception | LinkageError notNow) {
                // Only a head start: the run itself loads the same code and reports what fails.
              }
            });
  }

  private static void rehearse(
      BenchmarkRunner.Settings settings,
      MockServer server,
      Tokenizer tokenizer,
      List<Prompt> prompts,
      boolean closedLoop,
      int maxConcurrency,
      int requests,
      long deadlineNanos)
      throws IOException, InterruptedException {
    if (System.nanoTime() - deadlineNanos > 0) {
      return;
    }
    BenchmarkRunner runner =
        new BenchmarkRunner(
            new BenchmarkRunner.Settings(
                HttpTarget.parse(server.baseUrl()),
                settings.adapter(),
                settings.options(),
                settings.authorizationHeader(),
                maxConcurrency,
                closedLoop,
                Duration.ofSeconds(10),
                null,
                null,
                settings.maxResponseBytes(),
                0,
                TlsOptions.VERIFY,
                settings.ioThreads(),
                settings.trackInputOutput(),
                settings.userAgent()),
            tokenizer);
    Aggregator aggregator = new Aggregator(new Aggregator.Options(List.of(50.0, 99.0), Map.of()));
    RunInfo info = new RunInfo("rehearsal", "rehearsal", Instant.EPOCH, 1, Map.of());
    RunControl control = new RunControl();
    try (RecordWriter writer = RecordWriter.to(OutputStream.nullOutputStream(), info)) {
      RunEnd end =
          runner.run(
              RunClock.start(),
              prompts,
              () -> 0,
              new BenchmarkRunner.Bounds(requests, -1, 0, 0, Duration.ZERO),
              new BenchmarkRunner.RecordSink() {
                @Override
                public void accept(RequestRecord record) {
                  aggregator.add(record);
                  try {
                    writer.write(record);
                  } catch (IOException cannot) {
                    // A null stream does not fail.
                  }
                  if (System.nanoTime() - deadlineNanos > 0) {
                    control.requestStop();
                  }
                }
              },
              control,
              null);
      ConsoleReport.print(aggregator.summarize(info, end), new PrintWriter(Writer.nullWriter()));
    }
  }

  private static void rehearse(BenchmarkRunner.Settings settings)
      throws IOException, InterruptedException {
    Tokenizer tokenizer = Tokenizers.builtIn("r50k_base");
    MockServerConfig mock =
        MockServerConfig.builder()
            .ttftMillis(0)
            .itlMillis(0)
            .fixedOutputTokens(OUTPUT_TOKENS)
            .tokenizer(tokenizer)
            .modelName(
                settings.options().modelName() == null
                    ? "rehearsal"
                    : settings.options().modelName())
            .build();
    List<Prompt> prompts = new ArrayList<>();
    for (String text : TEXTS) {
      prompts.add(new Prompt(text, tokenizer.countTokens(text), OUTPUT_TOKENS));
    }
    try (MockServer server = MockServer.start(mock)) {
      long deadlineNanos = System.nanoTime() + BUDGET_NANOS;
      // A closed loop for the per-request and per-chunk code, then bursts sent open loop, all at
      // once, for the pacer's hand-over, the I/O threads' timers and the connections opened ahead.
      rehearse(settings, server, tokenizer, prompts, true, STREAMS, REQUESTS, deadlineNanos);
      for (int burst = 0; burst < BURSTS; burst++) {
        rehearse(settings, server, tokenizer, prompts, false, 0, BURST_REQUESTS, deadlineNanos);
      }
    }
    Startup.awaitCompilerQuiet(20, 300);
  }
}
