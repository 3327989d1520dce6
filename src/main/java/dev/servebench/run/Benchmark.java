package dev.servebench.run;

import dev.servebench.config.ExitCode;
import dev.servebench.config.InvalidInputException;
import dev.servebench.config.RunConfig;
import dev.servebench.config.Version;
import dev.servebench.dataset.Datasets;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.engine.RunClock;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunInfo;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.SummaryJson;
import dev.servebench.schedule.ArrivalSchedule;
import dev.servebench.tokenizer.Tokenizer;
import dev.servebench.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One benchmark run from settings to report: the composition of every stage (prompts, schedule,
 * runner, endpoint adapter, records, aggregation, reports). Informational lines go to {@code log}
 * (stderr), the report to {@code out} (stdout).
 */
public final class Benchmark {

  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /** What a finished run produced. */
  public record Outcome(Summary summary, Path recordsFile, Path summaryFile, int exitCode) {}

  private Benchmark() {}

  public static Outcome execute(RunConfig config, PrintWriter out, PrintWriter log)
      throws InterruptedException, IOException {
    String authorization = config.apiKey() == null ? null : "Bearer " + config.apiKey();
    Path resultsDir = prepareResultsDir(config.resultsDir());

    Preflight.checkReachable(config.target());
    if (config.modelName() == null && config.endpointType().isOpenAi()) {
      config = config.withModelName(Preflight.discoverModel(config.target(), authorization));
      log.println("servebench: model not named; the server lists '" + config.modelName() + "'");
    }

    long loadStartNanos = System.nanoTime();
    Tokenizer tokenizer = Tokenizers.resolve(config.tokenizerSpec(), config.modelName());
    List<Prompt> prompts = Datasets.load(config.datasetFormat(), config.dataset(), tokenizer);
    log.printf(
        Locale.ROOT,
        "servebench: %d prompts (%s, tokenizer %s) ready in %d ms%n",
        prompts.size(),
        config.datasetFormat().displayName(),
        tokenizer.name(),
        (System.nanoTime() - loadStartNanos) / 1_000_000);

    long seed = config.dataset().seed();
    long[] planNanos = ArrivalSchedule.forRate(config.requestRatePerSecond(), seed).intendedOffsetsNanos(prompts.size());
    RequestOptions options =
        new RequestOptions(
            config.modelName(),
            config.stream(),
            config.temperature(),
            config.topP(),
            config.topK(),
            config.doSample(),
            config.vllmEngine());
    BenchmarkRunner runner =
        new BenchmarkRunner(
            new BenchmarkRunner.Settings(
                config.target(),
                config.endpointType().adapter(config.route()),
                options,
                authorization,
                config.maxConcurrency(),
                config.timeout(),
                config.ioThreads(),
                config.trackInputOutput(),
                "servebench/" + Version.current()),
            tokenizer);

    RunClock clock = RunClock.start();
    String runId = "servebench-" + RUN_ID_TIME.format(clock.wallAnchor()) + "-" + shortId();
    RunInfo run =
        new RunInfo(
            runId,
            Version.current(),
            clock.wallAnchor(),
            config.requestRatePerSecond(),
            config.describe(tokenizer.name()));
    Path recordsFile = resultsDir == null ? null : resultsDir.resolve(runId + "-records.jsonl");
    Path summaryFile = resultsDir == null ? null : resultsDir.resolve(runId + "-summary.json");
    Aggregator aggregator = new Aggregator();
    log.flush();
    log.printf(
        Locale.ROOT,
        "servebench: sending %d requests to %s (%s, %s, rate %s)%n",
        prompts.size(),
        config.target().url(),
        config.endpointType().flagValue(),
        config.stream() ? "streamed" : "not streamed",
        Double.isInfinite(config.requestRatePerSecond()) ? "inf" : config.requestRatePerSecond() + " req/s");
    try (RecordWriter writer = recordsFile == null ? null : RecordWriter.create(recordsFile, run)) {
      runner.run(
          clock,
          prompts,
          planNanos,
          new BenchmarkRunner.RecordSink() {
            @Override
            public void accept(RequestRecord record) {
              aggregator.add(record);
              if (writer != null) {
                try {
                  writer.write(record);
                } catch (IOException full) {
                  throw new UncheckedIOException("cannot write " + recordsFile, full);
                }
              }
            }

            @Override
            public void flush() {
              if (writer != null) {
                try {
                  writer.flush();
                } catch (IOException full) {
                  throw new UncheckedIOException("cannot write " + recordsFile, full);
                }
              }
            }
          },
          config.progress() ? log : null);
    }
    Summary summary = aggregator.summarize(run);
    out.println();
    ConsoleReport.print(summary, out);
    if (summaryFile != null) {
      SummaryJson.writeAtomically(summary, summaryFile);
      log.println("servebench: records: " + recordsFile);
      log.println("servebench: summary: " + summaryFile);
    }
    log.flush();
    int exitCode = summary.failed() > 0 ? ExitCode.REQUESTS_FAILED : ExitCode.OK;
    return new Outcome(summary, recordsFile, summaryFile, exitCode);
  }

  /** Creates the results directory and proves it writable before anything is sent. */
  private static Path prepareResultsDir(Path resultsDir) {
    if (resultsDir == null) {
      return null;
    }
    try {
      Files.createDirectories(resultsDir);
      Path probe = Files.createTempFile(resultsDir, ".servebench-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException notWritable) {
      throw new InvalidInputException(
          "--results-dir " + resultsDir + " cannot be written (" + notWritable.getMessage()
              + "): choose a directory you can write to");
    }
    return resultsDir;
  }

  private static String shortId() {
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
