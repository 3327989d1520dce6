package dev.servebench.metrics;

import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunInfo;
import dev.servebench.record.TokenSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Folds request records into a {@link Summary} as they arrive, in memory that does not grow with
 * the number of requests. Not thread-safe: one thread feeds it (the engine's recorder thread, or the
 * report command reading a file).
 */
public final class Aggregator {

  /** How many failure messages a summary quotes verbatim. */
  static final int QUOTED_ERRORS = 5;

  private static final int ERROR_QUOTE_CHARS = 300;

  private final LatencyRecorder ttft = new LatencyRecorder();
  private final LatencyRecorder tpot = new LatencyRecorder();
  private final LatencyRecorder itl = new LatencyRecorder();
  private final LatencyRecorder e2e = new LatencyRecorder();
  private final LatencyRecorder perTokenLatency = new LatencyRecorder();
  private final LatencyRecorder nextTokenLatency = new LatencyRecorder();
  private final LatencyRecorder scheduleLag = new LatencyRecorder();
  private final LatencyRecorder queueInclusiveTtft = new LatencyRecorder();
  private final LatencyRecorder queueInclusiveE2e = new LatencyRecorder();
  /** Five significant digits: exact for prompts up to 100,000 tokens, so the median is exact. */
  private final Histogram promptTokens = new Histogram(5);

  private final Map<String, Long> failuresByReason = new TreeMap<>();
  private final Map<Integer, Long> failuresByHttpStatus = new TreeMap<>();
  private final List<String> firstErrors = new ArrayList<>();
  private final Map<String, Long> promptTokenSources = new TreeMap<>();
  private final Map<String, Long> outputTokenSources = new TreeMap<>();

  private long requests;
  private long succeeded;
  private long streamed;
  private long inputTokens;
  private long outputTokens;
  private long firstSentNanos = Long.MAX_VALUE;
  private long lastSentNanos = Long.MIN_VALUE;
  private long lastEndNanos = Long.MIN_VALUE;
  private long comparedPromptCounts;
  private long promptCountDifferenceSum;
  private long maxPromptCountDifference;

  /** Adds one finished request. */
  public void add(RequestRecord record) {
    requests++;
    if (record.sentNanos() != RequestRecord.ABSENT) {
      firstSentNanos = Math.min(firstSentNanos, record.sentNanos());
      lastSentNanos = Math.max(lastSentNanos, record.sentNanos());
      scheduleLag.record(record.scheduleLagNanos());
    }
    lastEndNanos = Math.max(lastEndNanos, record.endNanos());
    promptTokens.recordValue(Math.max(0, record.promptTokens()));
    if (record.serverPromptTokens() >= 0 && record.localPromptTokens() >= 0) {
      long difference = record.serverPromptTokens() - record.localPromptTokens();
      comparedPromptCounts++;
      promptCountDifferenceSum += difference;
      maxPromptCountDifference = Math.max(maxPromptCountDifference, Math.abs(difference));
    }
    if (!record.succeeded()) {
      addFailure(record);
      return;
    }
    succeeded++;
    inputTokens += record.promptTokens();
    outputTokens += record.outputTokens();
    promptTokenSources.merge(record.promptTokensSource().label(), 1L, Long::sum);
    outputTokenSources.merge(record.outputTokensSource().label(), 1L, Long::sum);
    addLatencies(record);
  }

  private void addLatencies(RequestRecord record) {
    long e2eNanos = record.e2eNanos();
    if (e2eNanos != RequestRecord.ABSENT) {
      e2e.record(e2eNanos);
      queueInclusiveE2e.record(e2eNanos + record.scheduleLagNanos());
      perTokenLatency.record(record.outputTokens() > 0 ? e2eNanos / (double) record.outputTokens() : e2eNanos);
    }
    if (!record.streamed()) {
      return;
    }
    streamed++;
    long ttftNanos = record.ttftNanos();
    if (ttftNanos != RequestRecord.ABSENT) {
      ttft.record(ttftNanos);
      queueInclusiveTtft.record(ttftNanos + record.scheduleLagNanos());
    }
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
      }
      nextTokenLatency.record(gapSumNanos / (double) gaps);
    }
  }

  private void addFailure(RequestRecord record) {
    failuresByReason.merge(record.failureReason().label(), 1L, Long::sum);
    if (record.httpStatus() >= 0 && (record.httpStatus() < 200 || record.httpStatus() > 299)) {
      failuresByHttpStatus.merge(record.httpStatus(), 1L, Long::sum);
    }
    if (firstErrors.size() < QUOTED_ERRORS) {
      String message = record.error() == null ? "" : record.error();
      if (message.length() > ERROR_QUOTE_CHARS) {
        message = message.substring(0, ERROR_QUOTE_CHARS) + "...";
      }
      firstErrors.add(
          "request " + record.index() + ": " + record.failureReason().label() + ": " + message);
    }
  }

  /** The summary of every record added so far. */
  public Summary summarize(RunInfo run) {
    long durationNanos = requests == 0 || firstSentNanos == Long.MAX_VALUE ? 0 : lastEndNanos - firstSentNanos;
    double seconds = durationNanos / 1e9;
    double sendSpanSeconds = (lastSentNanos - firstSentNanos) / 1e9;
    return new Summary(
        run,
        requests,
        succeeded,
        requests - succeeded,
        Collections.unmodifiableMap(new TreeMap<>(failuresByReason)),
        Collections.unmodifiableMap(new TreeMap<>(failuresByHttpStatus)),
        List.copyOf(firstErrors),
        streamed,
        durationNanos,
        inputTokens,
        outputTokens,
        perSecond(succeeded, seconds),
        perSecond(inputTokens, seconds),
        perSecond(outputTokens, seconds),
        perSecond(inputTokens + outputTokens, seconds),
        requests > 1 && sendSpanSeconds > 0 ? (requests - 1) / sendSpanSeconds : Double.NaN,
        requests == 0 ? 0 : promptTokens.getMinValue(),
        requests == 0 ? 0 : promptTokens.getValueAtPercentile(50),
        requests == 0 ? 0 : promptTokens.getMaxValue(),
        Collections.unmodifiableMap(new TreeMap<>(promptTokenSources)),
        Collections.unmodifiableMap(new TreeMap<>(outputTokenSources)),
        new Summary.TokenCountCheck(
            comparedPromptCounts,
            comparedPromptCounts == 0 ? Double.NaN : promptCountDifferenceSum / (double) comparedPromptCounts,
            maxPromptCountDifference),
        ttft.distribution(),
        tpot.distribution(),
        itl.distribution(),
        e2e.distribution(),
        perTokenLatency.distribution(),
        nextTokenLatency.distribution(),
        scheduleLag.distribution(),
        queueInclusiveTtft.distribution(),
        queueInclusiveE2e.distribution());
  }

  private static double perSecond(long count, double seconds) {
    return seconds > 0 ? count / seconds : Double.NaN;
  }
}
