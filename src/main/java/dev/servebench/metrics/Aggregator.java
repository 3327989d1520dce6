package dev.servebench.metrics;

import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.record.ServerScrape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Folds request records into a {@link Summary} as they arrive, in memory that grows with the run's
 * length in seconds (the time series) and by 16 bytes per successful request (the exact peak of
 * concurrent requests, {@link ConcurrencyPeak}); every distribution is a fixed-size histogram. Not
 * thread-safe: one thread feeds it (the engine's recorder thread, or the report command reading a
 * file).
 */
public final class Aggregator {

  /** How many failure messages a summary quotes verbatim. */
  static final int QUOTED_ERRORS = 5;

  private static final int ERROR_QUOTE_CHARS = 300;
  private static final double NANOS_PER_MILLI = 1e6;

  /** The run header's setting that names where the server's metrics were scraped. */
  public static final String SERVER_METRICS_URL = "server_metrics_url";

  /** A run whose lag p99 exceeds this fell behind its schedule. */
  static final double LAG_WARNING_NANOS = 10 * NANOS_PER_MILLI;

  /** A run whose achieved send rate is below this share of the configured one fell behind. */
  static final double RATE_WARNING_SHARE = 0.95;

  /**
   * Server and local prompt counts further apart than this share of the mean prompt come from
   * different tokenizers.
   */
  static final double PROMPT_MISMATCH_SHARE = 0.03;

  /**
   * Differences within this many tokens are where the text meets what the server adds (tokens merge
   * across the seam), or a BOS or EOS token: never a different tokenizer on their own.
   */
  static final double PROMPT_MISMATCH_TOLERANCE_TOKENS = 2;

  /**
   * What to compute beyond the fixed figures.
   *
   * @param percentiles extra percentile levels for every distribution
   * @param goodputSloMillis objectives by metric name ({@code ttft}, {@code tpot}, {@code itl},
   *     {@code e2el}), in milliseconds
   */
  public record Options(List<Double> percentiles, Map<String, Double> goodputSloMillis) {

    public static final Options DEFAULT = new Options(List.of(50.0, 99.0), Map.of());
  }

  private final Options options;
  private final LatencyRecorder ttft = new LatencyRecorder();
  private final LatencyRecorder ttst = new LatencyRecorder();
  private final LatencyRecorder ttfc = new LatencyRecorder();
  private final LatencyRecorder tpot = new LatencyRecorder();
  private final LatencyRecorder itl = new LatencyRecorder();
  private final LatencyRecorder itlPerToken = new LatencyRecorder();
  private final LatencyRecorder e2e = new LatencyRecorder();
  private final LatencyRecorder perTokenLatency = new LatencyRecorder();
  private final LatencyRecorder nextTokenLatency = new LatencyRecorder();
  private final LatencyRecorder scheduleLag = new LatencyRecorder();
  private final LatencyRecorder queueInclusiveTtft = new LatencyRecorder();
  private final LatencyRecorder queueInclusiveE2e = new LatencyRecorder();

  /** Five significant digits: exact for prompts up to 100,000 tokens, so the median is exact. */
  private final Histogram promptTokens = new Histogram(5);

  private final TimeSeries timeSeries = new TimeSeries();
  private final ConcurrencyPeak concurrencyPeak = new ConcurrencyPeak();
  private final SessionTally sessions = new SessionTally();
  private final ServerMetricsTally server = new ServerMetricsTally();

  private final Map<String, Long> failuresByReason = new TreeMap<>();
  private final Map<Integer, Long> failuresByHttpStatus = new TreeMap<>();
  private final List<String> firstErrors = new ArrayList<>();
  private final Map<String, Long> promptTokenSources = new TreeMap<>();
  private final Map<String, Long> outputTokenSources = new TreeMap<>();

  private long warmupRequests;
  private long requests;
  private long succeeded;
  private long cancelled;
  private long retried;
  private long streamed;
  private long streamedChunks;
  private long inputTokens;
  private long outputTokens;
  private long goodputMet;
  private long firstSentNanos = Long.MAX_VALUE;
  private long lastSentNanos = Long.MIN_VALUE;
  private long firstIntendedNanos = Long.MAX_VALUE;
  private long lastIntendedNanos = Long.MIN_VALUE;
  private long lastEndNanos = Long.MIN_VALUE;
  private long maxPromptCountDifference;

  /** Over the requests that have both counts: the local count, and server minus local. */
  private final RunningMoments comparedLocalPromptTokens = new RunningMoments();

  private final RunningMoments promptCountDifference = new RunningMoments();

  public Aggregator() {
    this(Options.DEFAULT);
  }

  public Aggregator(Options options) {
    this.options = options;
  }

  /**
   * A scratch aggregator that warm-up records go through as if measured, its figures never read:
   * the code that folds a measured record in is then compiled during the warm-up. Otherwise it runs
   * for the first time when the measurement starts, interpreted and compiling beside the pacer and
   * the event loop, which makes the first sends late.
   */
  private Aggregator rehearsal;

  /** Adds one finished request. */
  public void add(RequestRecord record) {
    streamedChunks += record.chunks().nanos().length;
    if (record.warmup()) {
      warmupRequests++;
      return;
    }
    addMeasured(record);
  }

  /** Adds one scrape of the server's metrics, in the order the run took them. */
  public void add(ServerScrape scrape) {
    server.add(scrape);
  }

  /**
   * Runs a warm-up record through the same work as a measured one, in a scratch aggregator whose
   * figures are dropped (see {@link #rehearsal}). For a live run; a report read from a file has no
   * use for it.
   */
  public void rehearse(RequestRecord record) {
    if (rehearsal == null) {
      rehearsal = new Aggregator(options);
    }
    rehearsal.addMeasured(record);
  }

  private void addMeasured(RequestRecord record) {
    requests++;
    timeSeries.add(record);
    if (record.turn() != null) {
      sessions.add(record);
    }
    if (record.outcome().attempts() > 1) {
      retried++;
    }
    if (record.stamps().firstSentNanos() != RequestRecord.ABSENT) {
      firstSentNanos = Math.min(firstSentNanos, record.stamps().firstSentNanos());
      lastSentNanos = Math.max(lastSentNanos, record.stamps().firstSentNanos());
      firstIntendedNanos = Math.min(firstIntendedNanos, record.stamps().intendedNanos());
      lastIntendedNanos = Math.max(lastIntendedNanos, record.stamps().intendedNanos());
      scheduleLag.record(record.scheduleLagNanos());
    }
    lastEndNanos = Math.max(lastEndNanos, record.stamps().endNanos());
    promptTokens.recordValue(Math.max(0, record.tokens().prompt()));
    if (record.tokens().serverPrompt() >= 0 && record.tokens().localPrompt() >= 0) {
      long difference = record.tokens().serverPrompt() - record.tokens().localPrompt();
      comparedLocalPromptTokens.add(record.tokens().localPrompt());
      promptCountDifference.add(difference);
      maxPromptCountDifference = Math.max(maxPromptCountDifference, Math.abs(difference));
    }
    if (record.cancelled()) {
      cancelled++;
      return;
    }
    if (!record.succeeded()) {
      addFailure(record);
      return;
    }
    succeeded++;
    concurrencyPeak.add(record.stamps().sentNanos(), record.stamps().endNanos());
    inputTokens += record.tokens().prompt();
    outputTokens += record.tokens().output();
    promptTokenSources.merge(record.tokens().promptSource().label(), 1L, Long::sum);
    outputTokenSources.merge(record.tokens().outputSource().label(), 1L, Long::sum);
    addLatencies(record);
    if (!options.goodputSloMillis().isEmpty() && meetsEverySlo(record)) {
      goodputMet++;
    }
  }

  private void addLatencies(RequestRecord record) {
    long e2eNanos = record.e2eNanos();
    if (e2eNanos != RequestRecord.ABSENT) {
      e2e.record(e2eNanos);
      queueInclusiveE2e.record(record.queueInclusiveE2eNanos());
      perTokenLatency.record(
          record.tokens().output() > 0 ? e2eNanos / (double) record.tokens().output() : e2eNanos);
    }
    if (!record.streamed()) {
      return;
    }
    streamed++;
    long ttftNanos = record.ttftNanos();
    if (ttftNanos != RequestRecord.ABSENT) {
      ttft.record(ttftNanos);
      queueInclusiveTtft.record(record.queueInclusiveTtftNanos());
    }
    recordIfPresent(ttst, record.ttstNanos());
    recordIfPresent(ttfc, record.ttfcNanos());
    double tpotNanos = record.tpotNanos();
    if (!Double.isNaN(tpotNanos)) {
      tpot.record(tpotNanos);
    }
    int gaps = record.itlSampleCount();
    if (gaps > 0) {
      long gapSumNanos = 0;
      for (int i = 0; i < gaps; i++) {
        long gapNanos = record.itlNanos(i);
        itl.record(gapNanos);
        gapSumNanos += gapNanos;
        int tokens = record.chunks().tokens()[i + 1];
        if (tokens > 0) {
          itlPerToken.record(gapNanos / (double) tokens, tokens);
        }
      }
      nextTokenLatency.record(gapSumNanos / (double) gaps);
    }
  }

  private static void recordIfPresent(LatencyRecorder recorder, long nanos) {
    if (nanos != RequestRecord.ABSENT) {
      recorder.record(nanos);
    }
  }

  /** A streamed request's value for an objective's metric; NaN when it has none (never met). */
  private boolean meetsEverySlo(RequestRecord record) {
    for (Map.Entry<String, Double> slo : options.goodputSloMillis().entrySet()) {
      double valueNanos =
          switch (slo.getKey()) {
            case "ttft" ->
                record.ttftNanos() == RequestRecord.ABSENT ? Double.NaN : record.ttftNanos();
            case "tpot" -> record.tokens().output() <= 1 ? 0 : record.tpotNanos();
            case "itl" -> maxItlNanos(record);
            case "e2el" ->
                record.e2eNanos() == RequestRecord.ABSENT ? Double.NaN : record.e2eNanos();
            default -> throw new IllegalArgumentException("unknown goodput metric " + slo.getKey());
          };
      if (!(valueNanos <= slo.getValue() * NANOS_PER_MILLI)) {
        return false;
      }
    }
    return true;
  }

  private static double maxItlNanos(RequestRecord record) {
    long max = 0;
    for (int i = 0; i < record.itlSampleCount(); i++) {
      max = Math.max(max, record.itlNanos(i));
    }
    return max;
  }

  private void addFailure(RequestRecord record) {
    failuresByReason.merge(record.outcome().failureReason().label(), 1L, Long::sum);
    if (record.outcome().httpStatus() >= 0
        && (record.outcome().httpStatus() < 200 || record.outcome().httpStatus() > 299)) {
      failuresByHttpStatus.merge(record.outcome().httpStatus(), 1L, Long::sum);
    }
    if (firstErrors.size() < QUOTED_ERRORS) {
      String message = record.outcome().error() == null ? "" : record.outcome().error();
      if (message.length() > ERROR_QUOTE_CHARS) {
        message = message.substring(0, ERROR_QUOTE_CHARS) + "...";
      }
      firstErrors.add(
          "request "
              + record.index()
              + ": "
              + record.outcome().failureReason().label()
              + ": "
              + message);
    }
  }

  /**
   * The summary of every record added so far.
   *
   * @param end the run's closing line, or {@code null} when unknown
   */
  public Summary summarize(RunInfo run, RunEnd end) {
    long durationNanos =
        requests == 0 || firstSentNanos == Long.MAX_VALUE ? 0 : lastEndNanos - firstSentNanos;
    double seconds = durationNanos / 1e9;
    double sendSpanSeconds = (lastSentNanos - firstSentNanos) / 1e9;
    double achievedRate =
        requests > 1 && sendSpanSeconds > 0 ? (requests - 1) / sendSpanSeconds : Double.NaN;
    double planSpanSeconds = (lastIntendedNanos - firstIntendedNanos) / 1e9;
    // The rate of the arrival times actually drawn: a few gamma-distributed gaps can be far from
    // the configured mean without the client being late for any of them.
    double plannedRate =
        requests > 1 && planSpanSeconds > 0 ? (requests - 1) / planSpanSeconds : Double.NaN;
    List<Double> levels = options.percentiles();
    Distribution lag = scheduleLag.distribution(levels);
    Summary.Goodput goodput =
        new Summary.Goodput(
            options.goodputSloMillis(),
            goodputMet,
            options.goodputSloMillis().isEmpty() ? Double.NaN : perSecond(goodputMet, seconds),
            options.goodputSloMillis().isEmpty() || requests == 0
                ? Double.NaN
                : goodputMet / (double) requests);
    long failed = requests - succeeded - cancelled;
    Summary.Counts counts =
        new Summary.Counts(
            warmupRequests,
            requests,
            succeeded,
            failed,
            cancelled,
            retried,
            streamed,
            streamedChunks);
    Summary.Failures failures =
        new Summary.Failures(
            Collections.unmodifiableMap(new TreeMap<>(failuresByReason)),
            Collections.unmodifiableMap(new TreeMap<>(failuresByHttpStatus)),
            List.copyOf(firstErrors));
    List<Summary.Interval> intervals = timeSeries.intervals();
    Object scrapedUrl = run.configuration().get(SERVER_METRICS_URL);
    Summary.ServerMetrics serverMetrics =
        server.summarize(scrapedUrl == null ? null : scrapedUrl.toString());
    Summary.Throughput throughput =
        new Summary.Throughput(
            durationNanos,
            inputTokens,
            outputTokens,
            perSecond(succeeded, seconds),
            perSecond(inputTokens, seconds),
            perSecond(outputTokens, seconds),
            perSecond(inputTokens + outputTokens, seconds),
            achievedRate,
            succeeded == 0
                ? Double.NaN
                : intervals.stream().mapToLong(Summary.Interval::outputTokens).max().orElse(0),
            concurrencyPeak.peak());
    Summary.Tokens tokens =
        new Summary.Tokens(
            requests == 0 ? 0 : promptTokens.getMinValue(),
            requests == 0 ? 0 : promptTokens.getValueAtPercentile(50),
            requests == 0 ? 0 : promptTokens.getMaxValue(),
            Collections.unmodifiableMap(new TreeMap<>(promptTokenSources)),
            Collections.unmodifiableMap(new TreeMap<>(outputTokenSources)),
            new Summary.TokenCountCheck(
                promptCountDifference.count(),
                promptCountDifference.mean(),
                maxPromptCountDifference,
                promptCountDifference.standardDeviation(),
                comparedLocalPromptTokens.mean(),
                comparedLocalPromptTokens.standardDeviation()));
    Summary.Latencies latencies =
        new Summary.Latencies(
            ttft.distribution(levels),
            ttst.distribution(levels),
            ttfc.distribution(levels),
            tpot.distribution(levels),
            itl.distribution(levels),
            itlPerToken.distribution(levels),
            e2e.distribution(levels),
            perTokenLatency.distribution(levels),
            nextTokenLatency.distribution(levels),
            lag,
            queueInclusiveTtft.distribution(levels),
            queueInclusiveE2e.distribution(levels));
    return new Summary(
        run,
        end,
        counts,
        failures,
        throughput,
        tokens,
        goodput,
        latencies,
        intervals,
        warnings(
            run, end, lag, achievedRate, plannedRate, tokens.promptTokenCheck(), serverMetrics),
        sessions.summarize(levels),
        serverMetrics);
  }

  private List<String> warnings(
      RunInfo run,
      RunEnd end,
      Distribution lag,
      double achievedRate,
      double plannedRate,
      Summary.TokenCountCheck promptCheck,
      Summary.ServerMetrics serverMetrics) {
    List<String> warnings = scheduleWarnings(run, end, lag, achievedRate, plannedRate);
    if (Boolean.TRUE.equals(run.configuration().get("partial"))
        && run.configuration().get("missing_shards") instanceof List<?> missing) {
      warnings.add(
          "merged from "
              + run.configuration().get("merged_shards")
              + " shards, but not all of them whole ("
              + missing.stream().map(String::valueOf).collect(Collectors.joining("; "))
              + "): the figures cover only the requests the others recorded");
    }
    String mismatch =
        promptTokenMismatch(promptCheck, String.valueOf(run.configuration().get("tokenizer")));
    if (mismatch != null) {
      warnings.add(mismatch);
    }
    if (serverMetrics != null && serverMetrics.failedScrapes() > 0) {
      warnings.add(
          String.format(
              Locale.ROOT,
              "%d of %d scrapes of the server's metrics%s failed (the first: %s): the server's"
                  + " series have gaps there",
              serverMetrics.failedScrapes(),
              serverMetrics.scrapes(),
              serverMetrics.url() == null ? "" : " at " + serverMetrics.url(),
              serverMetrics.firstError()));
    }
    return warnings;
  }

  /**
   * Says when the client itself fell behind, and why, so a lagging client is never mistaken for a
   * slow server.
   */
  private List<String> scheduleWarnings(
      RunInfo run, RunEnd end, Distribution lag, double achievedRate, double plannedRate) {
    List<String> warnings = new ArrayList<>();
    if (closedLoop(run)) {
      return warnings; // no schedule to fall behind: each request is due when a stream frees
    }
    double configuredRate = run.configuredRatePerSecond();
    if (Double.isInfinite(configuredRate) && (end == null || end.maxConcurrency() == 0)) {
      return warnings; // everything is due at once: lag is only the time to hand it all over
    }
    boolean lagging = !lag.isEmpty() && lag.p99Nanos() > LAG_WARNING_NANOS;
    boolean slowSends =
        Double.isFinite(configuredRate)
            && Double.isFinite(plannedRate)
            && achievedRate < RATE_WARNING_SHARE * plannedRate;
    if (!lagging && !slowSends) {
      return warnings;
    }
    String symptom =
        lagging && slowSends
            ? String.format(
                Locale.ROOT,
                "the client fell behind its schedule: schedule lag p99 %.1f ms and achieved send rate %.2f of the plan's %.2f req/s",
                lag.p99Nanos() / NANOS_PER_MILLI,
                achievedRate,
                plannedRate)
            : lagging
                ? String.format(
                    Locale.ROOT,
                    "the client sent late: schedule lag p99 %.1f ms (more than %.0f ms)",
                    lag.p99Nanos() / NANOS_PER_MILLI,
                    LAG_WARNING_NANOS / NANOS_PER_MILLI)
                : String.format(
                    Locale.ROOT,
                    "the client sent slower than planned: %.2f of the plan's %.2f req/s (below %.0f %%)",
                    achievedRate,
                    plannedRate,
                    RATE_WARNING_SHARE * 100);
    warnings.add(
        symptom
            + "; "
            + cause(end)
            + ". Latencies measured from the send hide this wait: read the queue-inclusive figures.");
    return warnings;
  }

  /**
   * Says when the server counts prompts differently from the local tokenizer, which then is not the
   * served model's: the counts taken locally (the dataset's length bounds, synthetic prompt
   * lengths, the output of streams without usage) are off too.
   *
   * <p>With the served model's tokenizer, the server's count is the local one plus what it adds to
   * every prompt (a chat template, a BOS token): the same for each prompt, however large. A
   * different tokenizer's difference changes from one prompt to the next, with its length and its
   * text. So the difference's standard deviation is judged, not its mean. Only when every prompt
   * has the same local count (one prompt sent again and again, as IPEX does) can a different
   * tokenizer give the same difference each time; then the mean is judged, and the warning says it
   * may be a template.
   *
   * @return the warning, or {@code null} when the counts agree or none were compared
   */
  static String promptTokenMismatch(Summary.TokenCountCheck check, String tokenizerName) {
    if (check.compared() == 0) {
      return null;
    }
    double toleranceTokens =
        Math.max(PROMPT_MISMATCH_TOLERANCE_TOKENS, PROMPT_MISMATCH_SHARE * check.meanLocalTokens());
    String consequence =
        "the local tokenizer is not the served model's, so the counts servebench takes locally (the"
            + " dataset's length bounds, synthetic prompt lengths, the output of streams without"
            + " usage) are off by as much; pass the served model's tokenizer with --tokenizer (its"
            + " Hugging Face repository id, its tokenizer.json, or the directory that holds it).";
    if (check.differenceStandardDeviation() > toleranceTokens) {
      return String.format(
          Locale.ROOT,
          "the server counts each prompt differently from the local tokenizer %s, by a different"
              + " number of tokens each time (server - local: mean %.1f, standard deviation %.1f,"
              + " %.1f %% of the mean prompt of %.0f tokens, over %d requests), which a chat"
              + " template or BOS token never does: %s",
          tokenizerName,
          check.meanDifference(),
          check.differenceStandardDeviation(),
          check.differenceStandardDeviation() / check.meanLocalTokens() * 100,
          check.meanLocalTokens(),
          check.compared(),
          consequence);
    }
    if (check.localTokensStandardDeviation() > 0
        || Math.abs(check.meanDifference()) <= toleranceTokens) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "the server counted %.1f %s tokens than the local tokenizer %s for every prompt (%.1f %%"
            + " of the prompt's %.0f tokens, over %d requests of the same length). Unless the"
            + " server adds that much to every prompt (a chat template does; prompts of different"
            + " lengths would tell the two apart), %s",
        Math.abs(check.meanDifference()),
        check.meanDifference() > 0 ? "more" : "fewer",
        tokenizerName,
        Math.abs(check.meanDifference()) / check.meanLocalTokens() * 100,
        check.meanLocalTokens(),
        check.compared(),
        consequence);
  }

  /** A closed loop ({@code --concurrency N}) keeps N requests in flight and has no schedule. */
  private static boolean closedLoop(RunInfo run) {
    return run.configuration().get("concurrency") instanceof Number concurrency
        && concurrency.longValue() > 0;
  }

  private static String cause(RunEnd end) {
    if (end == null) {
      return "cause unknown (the records file has no closing line)";
    }
    if (end.maxConcurrency() > 0 && end.peakInFlight() >= end.maxConcurrency()) {
      return "cause: the --max-concurrency cap of "
          + end.maxConcurrency()
          + " was reached, so requests waited for a free slot";
    }
    double cpuShare =
        end.runWallNanos() > 0 && end.clientCpuNanos() >= 0
            ? end.clientCpuNanos() / ((double) end.runWallNanos() * end.availableProcessors())
            : Double.NaN;
    if (cpuShare >= 0.85) {
      return String.format(
          Locale.ROOT,
          "cause: client CPU, the client used %.0f %% of its %d cores",
          cpuShare * 100,
          end.availableProcessors());
    }
    // The I/O threads' run-queue wait is the one direct sign of other work holding the client's
    // cores; a kernel that does not keep it leaves the cause a guess.
    String waited =
        end.ioThreadsCpuWaitNanos() >= 0
            ? String.format(
                Locale.ROOT,
                "; its I/O threads waited %.1f ms in all for a CPU",
                end.ioThreadsCpuWaitNanos() / NANOS_PER_MILLI)
            : "";
    return String.format(
        Locale.ROOT,
        "cause: not the concurrency cap and not this process's CPU (%.0f %% of %d cores)%s: the machine may be loaded by other processes",
        cpuShare * 100,
        end.availableProcessors(),
        waited);
  }

  private static double perSecond(long count, double seconds) {
    return seconds > 0 ? count / seconds : Double.NaN;
  }
}
