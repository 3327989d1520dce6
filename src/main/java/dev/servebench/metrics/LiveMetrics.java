package dev.servebench.metrics;

import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The figures of the live view, fed one record at a time on the thread that records requests and
 * read on another (the view's) while the run goes on. The writer never waits: latencies go into
 * HdrHistogram's {@link SingleWriterRecorder}s, whose reader swaps the histogram being written for
 * an empty one and waits, itself, for a write under way to end; totals are atomic counters;
 * warnings go into a lock-free queue.
 *
 * <p>Every record counts, warm-up included (the live view names the phase). The run's figures are
 * {@link Aggregator}'s, from the same records; this only shows where the run is heading.
 */
public final class LiveMetrics {

  private static final int SIGNIFICANT_DIGITS = 3;

  /** Requests compared before the prompt-count check may warn: a few say nothing yet. */
  static final int MISMATCH_MIN_COMPARED = 32;

  /** The prompt-count check runs again after this many more compared requests. */
  private static final int MISMATCH_CHECK_EVERY = 32;

  /** Longest failure message quoted in a warning; the records keep the whole of it. */
  private static final int QUOTED_MESSAGE_CHARS = 160;

  private final SingleWriterRecorder ttftNanos = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
  private final SingleWriterRecorder itlNanos = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
  private final SingleWriterRecorder scheduleLagNanos =
      new SingleWriterRecorder(SIGNIFICANT_DIGITS);
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong outputTokens = new AtomicLong();
  private final Queue<String> warnings = new ConcurrentLinkedQueue<>();
  private final String tokenizerName;

  // The writer's own state, touched by the recording thread alone.
  private final Set<FailureReason> failuresWarned = EnumSet.noneOf(FailureReason.class);
  private final RunningMoments comparedLocalPromptTokens = new RunningMoments();
  private final RunningMoments promptCountDifference = new RunningMoments();
  private boolean mismatchWarned;

  /**
   * @param tokenizerName the local tokenizer, named by the prompt-count warning
   */
  public LiveMetrics(String tokenizerName) {
    this.tokenizerName = tokenizerName;
  }

  /**
   * Counts one finished request. Called by one thread only (the recorder): the recorders are
   * single-writer.
   */
  public void add(RequestRecord record) {
    if (record.stamps().firstSentNanos() != RequestRecord.ABSENT) {
      scheduleLagNanos.recordValue(Math.max(0, record.scheduleLagNanos()));
    }
    if (!record.succeeded()) {
      warnFirstFailure(record);
      return;
    }
    long ttft = record.ttftNanos();
    if (ttft != RequestRecord.ABSENT) {
      ttftNanos.recordValue(Math.max(0, ttft));
    }
    for (int i = 0, gaps = record.itlSampleCount(); i < gaps; i++) {
      itlNanos.recordValue(Math.max(0, record.itlNanos(i)));
    }
    outputTokens.addAndGet(record.tokens().output());
    succeeded.incrementAndGet();
    checkPromptCounts(record);
  }

  /** The first failure of each reason, quoted, as soon as it is recorded. */
  private void warnFirstFailure(RequestRecord record) {
    FailureReason reason = record.outcome().failureReason();
    if (reason == FailureReason.CANCELLED || !failuresWarned.add(reason)) {
      return;
    }
    String message = record.outcome().error();
    if (message == null) {
      message = record.outcome().httpStatus() > 0 ? "HTTP " + record.outcome().httpStatus() : "";
    }
    message = message.replaceAll("\\s+", " ").strip();
    if (message.length() > QUOTED_MESSAGE_CHARS) {
      message = message.substring(0, QUOTED_MESSAGE_CHARS) + "...";
    }
    warnings.add(
        "first "
            + reason.label()
            + " failure (request "
            + record.index()
            + ")"
            + (message.isEmpty() ? "" : ": " + message));
  }

  /**
   * The report's prompt-count check ({@link Aggregator#promptTokenMismatch}) on the requests so
   * far, once enough were compared; it warns once, briefly: the report says what to do.
   */
  private void checkPromptCounts(RequestRecord record) {
    if (mismatchWarned || record.tokens().serverPrompt() < 0 || record.tokens().localPrompt() < 0) {
      return;
    }
    comparedLocalPromptTokens.add(record.tokens().localPrompt());
    promptCountDifference.add(record.tokens().serverPrompt() - record.tokens().localPrompt());
    long compared = promptCountDifference.count();
    if (compared < MISMATCH_MIN_COMPARED || compared % MISMATCH_CHECK_EVERY != 0) {
      return;
    }
    Summary.TokenCountCheck check =
        new Summary.TokenCountCheck(
            compared,
            promptCountDifference.mean(),
            0,
            promptCountDifference.standardDeviation(),
            comparedLocalPromptTokens.mean(),
            comparedLocalPromptTokens.standardDeviation());
    if (Aggregator.promptTokenMismatch(check, tokenizerName) != null) {
      mismatchWarned = true;
      warnings.add(
          String.format(
              Locale.ROOT,
              "the server counts prompts differently from the local tokenizer %s (server - local:"
                  + " mean %.1f, standard deviation %.1f tokens over %d requests); the report says"
                  + " what to do",
              tokenizerName,
              check.meanDifference(),
              check.differenceStandardDeviation(),
              compared));
    }
  }

  /** Whether a schedule lag p99 this high is worth a warning: the report's own threshold. */
  public static boolean lagWorthWarning(double p99Nanos) {
    return p99Nanos > Aggregator.LAG_WARNING_NANOS;
  }

  /** The report's schedule lag threshold, in nanoseconds. */
  public static double lagWarningNanos() {
    return Aggregator.LAG_WARNING_NANOS;
  }

  /**
   * What was recorded since the last call, and the totals so far. Called by one reader thread at a
   * time; the histograms are new or {@code recycled} (the slice a caller no longer needs), emptied.
   */
  public Slice takeSlice(Slice recycled) {
    return new Slice(
        ttftNanos.getIntervalHistogram(recycled == null ? null : recycled.ttftNanos()),
        itlNanos.getIntervalHistogram(recycled == null ? null : recycled.itlNanos()),
        scheduleLagNanos.getIntervalHistogram(
            recycled == null ? null : recycled.scheduleLagNanos()),
        succeeded.get(),
        outputTokens.get());
  }

  /** The next warning not yet taken, or {@code null}. */
  public String pollWarning() {
    return warnings.poll();
  }

  /**
   * What the live view reads for one interval.
   *
   * @param ttftNanos TTFT of the successful requests recorded in the interval
   * @param itlNanos every ITL sample of those requests
   * @param scheduleLagNanos schedule lag of every request recorded in the interval
   * @param succeededTotal successful requests recorded since the run began
   * @param outputTokensTotal their output tokens
   */
  public record Slice(
      Histogram ttftNanos,
      Histogram itlNanos,
      Histogram scheduleLagNanos,
      long succeededTotal,
      long outputTokensTotal) {}
}
