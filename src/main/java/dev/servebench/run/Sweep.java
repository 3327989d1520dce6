package dev.servebench.run;

import dev.servebench.engine.RunControl;
import dev.servebench.error.ExitCode;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.report.SweepHtml;
import dev.servebench.report.SweepReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A sweep: one benchmark run per step, each a whole run ({@link Benchmark}) with its own records,
 * summary and report in a directory of the sweep's, the same prompts (seeded) in the same order at
 * every step, and one warm-up run before the first. Its table goes to {@code out}, {@code
 * sweep.json} and {@code sweep.html} into the sweep's directory. Either the steps of a profile,
 * stopping once one saturates the server, or an SLO search, a run per probe (docs/metrics.md,
 * Sweep, SLO search).
 */
public final class Sweep {

  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  /**
   * How the sweep runs.
   *
   * @param ratesPerSecond the rates of {@link SweepPlan.Profile#RATES}
   * @param concurrencies the closed loops of {@link SweepPlan.Profile#CONCURRENCIES}
   * @param ratesBetween how many rates {@link SweepPlan.Profile#SWEEP} places after its synchronous
   *     and throughput steps
   * @param stopEarly stop once a step saturates the server; {@code false} runs every step
   * @param search an SLO search instead of the profile's steps, or {@code null}
   * @param directory the sweep's directory: a subdirectory per step, sweep.json, sweep.html
   */
  public record Settings(
      SweepPlan.Profile profile,
      List<Double> ratesPerSecond,
      List<Integer> concurrencies,
      int ratesBetween,
      Saturation.Limits limits,
      boolean stopEarly,
      Search search,
      Path directory) {

    public Settings {
      ratesPerSecond = List.copyOf(ratesPerSecond);
      concurrencies = List.copyOf(concurrencies);
    }
  }

  /**
   * An SLO search ({@code --target}).
   *
   * @param concurrency search over closed-loop concurrency instead of the open-loop rate
   */
  public record Search(boolean concurrency, SloSearch.Settings settings) {}

  /** What the sweep produced. */
  public record Outcome(SweepReport report, Path jsonFile, Path htmlFile, int exitCode) {}

  private final RunConfig base;
  private final Settings settings;
  private final RunControl control;
  private final PrintWriter log;
  private final PrintWriter info;
  private final List<SweepReport.Step> steps = new ArrayList<>();
  private final List<Saturation.StepFigures> figures = new ArrayList<>();
  private boolean interrupted;

  private Sweep(RunConfig base, Settings settings, RunControl control, PrintWriter log) {
    this.base = base;
    this.settings = settings;
    this.control = control;
    this.log = log;
    this.info = base.output().quiet() ? new PrintWriter(Writer.nullWriter()) : log;
  }

  /**
   * Runs the sweep of {@code base} (every setting but the load, which each step sets) and prints
   * its table on {@code out}; informational lines and each step's warnings go to {@code log}.
   */
  public static Outcome execute(
      RunConfig base, Settings settings, RunControl control, PrintWriter out, PrintWriter log)
      throws InterruptedException, IOException {
    prepare(settings.directory());
    return new Sweep(base, settings, control, log).execute(out);
  }

  /** Creates the sweep's directory; one that holds an earlier sweep is refused, not mixed with. */
  private static void prepare(Path directory) {
    if (Files.exists(directory.resolve("sweep.json"))) {
      throw new InvalidInputException(
          "--results-dir "
              + directory
              + " holds an earlier sweep (sweep.json): choose a new directory for this one");
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException | SecurityException notWritable) {
      throw new InvalidInputException(
          "--results-dir "
              + directory
              + " cannot be created ("
              + notWritable.getMessage()
              + "): choose a directory you can write to");
    }
  }

  private Outcome execute(PrintWriter out) throws InterruptedException, IOException {
    Instant started = Instant.now();
    String sweepId = "sweep-" + ID_TIME.format(started) + "-" + shortId();
    SweepReport.Stop stop = null;
    SweepReport.Search search = null;
    if (settings.search() != null) {
      search = search();
    } else {
      stop = profile();
    }
    SweepReport report =
        new SweepReport(
            sweepId,
            started,
            settings.search() != null ? "slo-search" : settings.profile().flagValue(),
            List.copyOf(steps),
            stop,
            search,
            described());
    report.printTable(out);
    Path json = settings.directory().resolve("sweep.json");
    Path html = settings.directory().resolve("sweep.html");
    report.writeJson(json);
    SweepHtml.write(report, html);
    info.println("servebench: sweep: " + json + ", " + html);
    info.flush();
    return new Outcome(report, json, html, interrupted ? ExitCode.INTERRUPTED : ExitCode.OK);
  }

  /**
   * The profile's steps, until a rate or concurrency step saturates the server (with {@code
   * stopEarly}); a saturated throughput step is noted but never stops it.
   */
  private SweepReport.Stop profile() throws InterruptedException, IOException {
    List<SweepStep> planned =
        new ArrayList<>(
            SweepPlan.firstSteps(
                settings.profile(), settings.ratesPerSecond(), settings.concurrencies()));
    for (int index = 0; index < planned.size(); index++) {
      SweepStep step = planned.get(index);
      SweepReport.Step done = run(step, "");
      if (done == null) {
        return null;
      }
      if (settings.profile() == SweepPlan.Profile.SWEEP
          && step.kind() == SweepStep.Kind.THROUGHPUT) {
        planned.addAll(between());
      }
      // The throughput step overloads the server by design (everything at once), so its verdict
      // stays a note in the table and never stops the sweep: the rates after it are the measure.
      if (done.saturated() != null
          && settings.stopEarly()
          && step.kind() != SweepStep.Kind.THROUGHPUT
          && index + 1 < planned.size()) {
        int left = planned.size() - index - 1;
        log.println(
            "servebench: step "
                + done.number()
                + " saturated the server ("
                + done.saturated().detail()
                + "): the "
                + left
                + " step"
                + (left == 1 ? "" : "s")
                + " after it are not run (--no-early-stop runs them)");
        return new SweepReport.Stop(
            done.number(), done.saturated().reason(), done.saturated().detail(), left);
      }
    }
    return null;
  }

  /** The rates between the synchronous and the throughput steps' request throughputs. */
  private List<SweepStep> between() {
    double low = steps.get(0).summary().throughput().requestThroughputPerSecond();
    double high = steps.get(1).summary().throughput().requestThroughputPerSecond();
    List<Double> rates = SweepPlan.ratesBetween(low, high, settings.ratesBetween());
    if (rates.isEmpty()) {
      log.printf(
          Locale.ROOT,
          "servebench: the throughput step (%.2f req/s) was no faster than the synchronous one"
              + " (%.2f req/s): no rates lie between them%n",
          high,
          low);
    }
    return rates.stream().map(SweepStep::rate).toList();
  }

  /** The SLO search, a run per probe. */
  private SweepReport.Search search() throws InterruptedException, IOException {
    Search search = settings.search();
    List<Integer> stepOfProbe = new ArrayList<>();
    SloSearch.Result result;
    try {
      result =
          SloSearch.run(
              search.settings(),
              (load, attempt) -> {
                SweepStep step =
                    search.concurrency() ? SweepStep.concurrency((int) load) : SweepStep.rate(load);
                SweepReport.Step done = run(step, "probe-");
                if (done == null) {
                  throw new SloSearch.Stopped();
                }
                stepOfProbe.add(done.number());
                Summary summary = done.summary();
                return new SloSearch.Measurement(
                    summary.goodput().fraction(), summary.counts().requests());
              });
    } catch (InterruptedException | IOException | RuntimeException passedOn) {
      throw passedOn;
    } catch (Exception other) {
      throw new IllegalStateException(other);
    }
    List<SweepReport.Probe> probes = new ArrayList<>();
    for (SloSearch.ProbeResult probe : result.probes()) {
      probes.add(
          new SweepReport.Probe(
              probe.number(),
              stepOfProbe.get(probe.number() - 1),
              probe.load(),
              probe.attempt(),
              probe.share(),
              probe.requests(),
              probe.judgement().name().toLowerCase(Locale.ROOT)));
    }
    SweepReport.Search report =
        new SweepReport.Search(
            search.settings().targetShare(),
            base.output().goodput(),
            search.concurrency() ? "concurrency" : "rate",
            search.settings().resolution(),
            result.outcome().name().toLowerCase(Locale.ROOT),
            result.passed(),
            result.failed(),
            List.copyOf(probes));
    return report;
  }

  /**
   * Runs one step into its directory and judges it; {@code null} when the run was interrupted,
   * which ends the sweep.
   */
  private SweepReport.Step run(SweepStep step, String prefix)
      throws InterruptedException, IOException {
    if (control.stopRequested()) {
      interrupted = true;
      return null;
    }
    if (steps.isEmpty() && !warmUp(step)) {
      return null;
    }
    int number = steps.size() + 1;
    String directoryName = step.directoryName(prefix, number);
    Path directory = settings.directory().resolve(directoryName);
    info.println("servebench: step " + number + ": " + step.label() + " into " + directory);
    info.flush();
    RunConfig config =
        new RunConfig(
            base.endpoint(),
            base.prompts(),
            step.applyTo(base.load()),
            base.limits(),
            base.sampling(),
            stepOutput(directory),
            RunConfig.Sharding.NONE,
            base.identity(),
            base.serverMetrics());
    Benchmark.Outcome outcome =
        Benchmark.execute(config, control, new PrintWriter(Writer.nullWriter()), log);
    if (outcome.exitCode() == ExitCode.INTERRUPTED) {
      interrupted = true;
      return null;
    }
    Saturation.StepFigures stepFigures = figures(step, outcome);
    Saturation.Verdict verdict =
        Saturation.judge(
            stepFigures,
            figures.isEmpty() ? null : figures.get(figures.size() - 1),
            settings.limits());
    figures.add(stepFigures);
    SweepReport.Step done =
        new SweepReport.Step(
            number,
            new SweepReport.Offered(
                step.kind().name().toLowerCase(Locale.ROOT),
                step.label(),
                step.kind() == SweepStep.Kind.RATE
                    ? step.ratePerSecond()
                    : Double.POSITIVE_INFINITY,
                step.concurrency()),
            directoryName,
            outcome.summary(),
            stepFigures.completionRatePerSecond(),
            verdict == null
                ? null
                : new SweepReport.Saturated(verdict.reason().key(), verdict.detail()));
    steps.add(done);
    info.println(stepLine(done));
    info.flush();
    return done;
  }

  /**
   * The sweep's one warm-up ({@code --warmup-requests}, {@code --warmup}), a run of its own at the
   * first step's load into {@code 00-warmup}, left out of the table; {@code false} when it was
   * interrupted.
   */
  private boolean warmUp(SweepStep first) throws InterruptedException, IOException {
    RunConfig.Load load = base.load();
    if (load.warmupRequests() == 0 && load.warmupNanos() == 0) {
      return true;
    }
    Path directory = settings.directory().resolve("00-warmup");
    info.println(
        "servebench: warm-up: "
            + (load.warmupNanos() > 0
                ? load.warmupNanos() / 1e9 + " s"
                : load.warmupRequests() + " requests")
            + " at "
            + first.label()
            + " into "
            + directory);
    info.flush();
    RunConfig.Prompts prompts = base.prompts();
    if (load.warmupRequests() > 0) {
      prompts =
          new RunConfig.Prompts(
              prompts.format(),
              prompts.dataset().withNumPrompts(load.warmupRequests()),
              prompts.tokenizerSpec(),
              prompts.modelFile(),
              prompts.tokenizerLocations(),
              prompts.cacheDirectory(),
              prompts.chatTemplate());
    }
    RunConfig config =
        new RunConfig(
            base.endpoint(),
            prompts,
            first.warmUp(load),
            base.limits(),
            base.sampling(),
            stepOutput(directory),
            RunConfig.Sharding.NONE,
            base.identity(),
            base.serverMetrics());
    Benchmark.Outcome outcome =
        Benchmark.execute(config, control, new PrintWriter(Writer.nullWriter()), log);
    if (outcome.exitCode() == ExitCode.INTERRUPTED) {
      interrupted = true;
      return false;
    }
    return true;
  }

  /** The step's settings for its output: its own directory, and no lines but warnings. */
  private RunConfig.Output stepOutput(Path directory) {
    RunConfig.Output output = base.output();
    return new RunConfig.Output(
        directory,
        output.csv(),
        output.trackInputOutput(),
        output.live(),
        true,
        output.percentiles(),
        output.goodput(),
        output.percentileMetrics(),
        null,
        output.backend());
  }

  /** What the saturation tests read of a finished step: its summary and its records file. */
  static Saturation.StepFigures figures(SweepStep step, Benchmark.Outcome outcome) {
    List<RequestRecord> succeeded = new ArrayList<>();
    RecordReader.read(
        outcome.recordsFile(),
        record -> {
          if (!record.warmup() && record.succeeded()) {
            succeeded.add(record);
          }
        });
    return figures(step, outcome.summary(), succeeded);
  }

  /** The figures of a step from its summary and its successful measured requests. */
  static Saturation.StepFigures figures(
      SweepStep step, Summary summary, List<RequestRecord> succeeded) {
    long firstEndNanos = Long.MAX_VALUE;
    long lastEndNanos = Long.MIN_VALUE;
    for (RequestRecord record : succeeded) {
      firstEndNanos = Math.min(firstEndNanos, record.stamps().endNanos());
      lastEndNanos = Math.max(lastEndNanos, record.stamps().endNanos());
    }
    double completionRate =
        succeeded.size() > 1 && lastEndNanos > firstEndNanos
            ? (succeeded.size() - 1) / ((lastEndNanos - firstEndNanos) / 1e9)
            : Double.NaN;
    long[] queueInclusive =
        succeeded.stream()
            .sorted(
                java.util.Comparator.comparingLong(
                    (RequestRecord record) -> record.stamps().intendedNanos()))
            .mapToLong(
                record ->
                    record.streamed()
                        ? record.queueInclusiveTtftNanos()
                        : record.queueInclusiveE2eNanos())
            .filter(nanos -> nanos != RequestRecord.ABSENT)
            .toArray();
    return new Saturation.StepFigures(
        step,
        summary.throughput().achievedSendRatePerSecond(),
        completionRate,
        summary.throughput().requestThroughputPerSecond(),
        summary.counts().requests(),
        summary.counts().failed(),
        queueInclusive);
  }

  private static String stepLine(SweepReport.Step step) {
    Summary s = step.summary();
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "servebench: step %d (%s): sent %.2f req/s, %.2f req/s done, TTFT p99 %.1f ms,"
                    + " %d of %d failed",
                step.number(),
                step.offered().label(),
                s.throughput().achievedSendRatePerSecond(),
                s.throughput().requestThroughputPerSecond(),
                s.latencies().ttft().p99Nanos() / 1e6,
                s.counts().failed(),
                s.counts().requests()));
    if (!s.goodput().sloMillis().isEmpty()) {
      line.append(String.format(Locale.ROOT, ", goodput %.1f %%", 100 * s.goodput().fraction()));
    }
    if (step.saturated() != null) {
      line.append("; saturated: ").append(step.saturated().detail());
    }
    return line.toString();
  }

  /** The sweep's own settings, for sweep.json; each step's summary holds the run's. */
  private Map<String, Object> described() {
    Map<String, Object> described = new LinkedHashMap<>();
    described.put("model_endpoint_base", base.endpoint().target().url());
    described.put("num_prompts", base.prompts().dataset().numPrompts());
    described.put(
        "duration_s", base.load().durationNanos() < 0 ? null : base.load().durationNanos() / 1e9);
    described.put("seed", base.prompts().dataset().seed());
    described.put("warmup_requests", base.load().warmupRequests());
    described.put("warmup_s", base.load().warmupNanos() / 1e9);
    if (settings.search() == null) {
      described.put("profile", settings.profile().flagValue());
      described.put("rates", settings.ratesPerSecond());
      described.put("concurrencies", settings.concurrencies());
      described.put("steps_between", settings.ratesBetween());
      described.put("stop_early", settings.stopEarly());
    } else {
      SloSearch.Settings search = settings.search().settings();
      described.put("search", settings.search().concurrency() ? "concurrency" : "rate");
      described.put("target_share", search.targetShare());
      described.put("search_start", search.start());
      described.put("resolution", search.resolution());
      described.put("repeats", search.repeats());
    }
    Saturation.Limits limits = settings.limits();
    described.put("saturation_rate_shortfall", limits.rateShortfall());
    described.put("saturation_ttft_growth", limits.ttftGrowth());
    described.put("saturation_failure_share", limits.failureShare());
    described.put("saturation_min_gain", limits.minGain());
    return described;
  }

  private static String shortId() {
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
