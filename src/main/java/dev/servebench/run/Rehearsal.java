package dev.servebench.run;

import dev.servebench.config.HttpTarget;
import dev.servebench.config.TlsOptions;
import dev.servebench.dataset.Prompt;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.engine.RunClock;
import dev.servebench.engine.RunControl;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sends the run's own kind of request through the run's whole request path (connection, request
 * writing, response reading, the endpoint's parser, the recorder, aggregation and the records
 * writer) to a server in this process on loopback ({@link CannedServer}), before the run's clock
 * starts. A fresh JVM otherwise runs that code for the first time during the measurement,
 * interpreted and loading classes as it goes, and stamps the first requests of a run late
 * (bench/README.md, Cold start). Nothing of the rehearsal reaches the endpoint, the records or the
 * report.
 */
final class Rehearsal {

  /**
   * Requests of the closed-loop part: enough to load, link and initialize every class of the
   * request path and run its branches: that first pass is most of a fresh process's lateness, and
   * compiling the path as well would take hundreds of requests, more start-up than it saves
   * (bench/README.md, Cold start).
   */
  private static final int REQUESTS = 32;

  /** Requests in flight at once: connections opened ahead, then each used twice. */
  private static final int STREAMS = 16;

  /** Requests of the open-loop part, sent at once after the closed loop. */
  private static final int BURST_REQUESTS = 64;

  /** The rehearsal stops sending after this long, whatever it reached: start-up stays short. */
  private static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(600);

  /**
   * The budget when the JVM has one processor. The rehearsal then takes its time from the prompts'
   * preparation instead of running beside it, so it is cut to the closed loop's first pass (class
   * loading and linking, the larger part of a cold request's lateness) and start-up stays within
   * its target; the burst and the wait for the compiler are left out.
   */
  private static final long ONE_CORE_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

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

  /**
   * One part of the rehearsal; returns its summary, made on demand (the rehearsal itself does not
   * need it), or {@code null} past the deadline.
   */
  static Supplier<Summary> rehearse(
      BenchmarkRunner.Settings settings,
      CannedServer server,
      Tokenizer tokenizer,
      List<Prompt> prompts,
      boolean closedLoop,
      int maxConcurrency,
      int requests,
      long deadlineNanos)
      throws IOException, InterruptedException {
    if (System.nanoTime() - deadlineNanos > 0) {
      return null;
    }
    BenchmarkRunner runner =
        new BenchmarkRunner(
            settings.toBuilder()
                .target(HttpTarget.parse(server.baseUrl()))
                .maxConcurrency(maxConcurrency)
                .closedLoop(closedLoop)
                .timeout(Duration.ofSeconds(10))
                .firstTokenTimeout(null)
                .idleTimeout(null)
                .retries(0)
                .tls(TlsOptions.VERIFY)
                .build(),
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
              null,
              null);
      // Only what runs while requests are in flight; the report, made after the clock stops, is
      // left cold.
      return () -> aggregator.summarize(info, end);
    }
  }

  private static void rehearse(BenchmarkRunner.Settings settings)
      throws IOException, InterruptedException {
    Tokenizer tokenizer = new WordTokenizer();
    List<Prompt> prompts = prompts(tokenizer);
    boolean oneCore = Runtime.getRuntime().availableProcessors() == 1;
    try (CannedServer server = CannedServer.start()) {
      long deadlineNanos = System.nanoTime() + (oneCore ? ONE_CORE_BUDGET_NANOS : BUDGET_NANOS);
      // A closed loop for the per-request and per-chunk code, then a burst sent open loop, all at
      // once, for the pacer's hand-over, the I/O threads' timers and the connections opened ahead.
      rehearse(settings, server, tokenizer, prompts, true, STREAMS, REQUESTS, deadlineNanos);
      if (oneCore) {
        return;
      }
      rehearse(settings, server, tokenizer, prompts, false, 0, BURST_REQUESTS, deadlineNanos);
    }
    Startup.awaitCompilerQuiet(20, 300);
  }

  static List<Prompt> prompts(Tokenizer tokenizer) {
    List<Prompt> prompts = new ArrayList<>();
    for (String text : TEXTS) {
      prompts.add(new Prompt(text, tokenizer.countTokens(text), CannedServer.WORDS.length));
    }
    return prompts;
  }

  /**
   * Counts words and punctuation as tokens: the rehearsal's local counts need a tokenizer, and
   * loading the run's own (or a built-in one) would lengthen start-up.
   */
  static final class WordTokenizer implements Tokenizer {
    @Override
    public String name() {
      return "rehearsal-words";
    }

    @Override
    public String fingerprint() {
      return name();
    }

    @Override
    public int[] encode(String text) {
      int[] ends = tokenEndOffsets(text);
      int[] ids = new int[ends.length];
      for (int i = 0; i < ends.length; i++) {
        ids[i] = text.substring(i == 0 ? 0 : ends[i - 1], ends[i]).hashCode() & 0xffff;
      }
      return ids;
    }

    /** A token ends before a space or a character that is not a letter or digit. */
    @Override
    public int[] tokenEndOffsets(String text) {
      int[] ends = new int[text.length()];
      int count = 0;
      for (int i = 1; i <= text.length(); i++) {
        if (i == text.length() || !Character.isLetterOrDigit(text.charAt(i))) {
          ends[count++] = i;
        }
      }
      return Arrays.copyOf(ends, count);
    }

    @Override
    public String decode(int[] tokenIds) {
      return "";
    }

    @Override
    public int[] ordinaryTokenIds() {
      return new int[0];
    }
  }
}
