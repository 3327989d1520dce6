package dev.servebench.metrics;

import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run, each defined in {@code docs/metrics.md}. Computed only from the records
 * file's lines, so a summary rebuilt from the file equals the one printed at the end of the run.
 * Warm-up requests are counted but left out of every other figure. Rates are per second; a figure
 * that cannot be computed is NaN and shows as "n/a" or JSON {@code null}.
 *
 * @param end what the live run measured of itself, or {@code null} when the file was cut off
 * @param requests measured (non-warm-up) requests recorded
 * @param cancelled requests cut off by an interrupted run (also counted in {@code failed}'s
 *     complement: requests = succeeded + failed + cancelled)
 * @param durationNanos first send to last completion, over the measured requests
 * @param requestThroughputPerSecond successful requests / duration
 * @param achievedSendRatePerSecond (requests - 1) / (last send - first send)
 * @param streamedChunks token-bearing chunks of all recorded requests, for CPU per chunk
 * @param promptTokenCheck server against local prompt token counts, where both exist
 * @param ttst time to second token
 * @param ttfc time to first answer (non-reasoning) token
 * @param itlPerToken each chunk's gap divided by the tokens it carried, once per token
 * @param perTokenLatency the seed's latency per token: E2E / output tokens per request
 * @param nextTokenLatency the seed's next-token latency: each request's mean ITL
 * @param warnings what the run should not be trusted for, in plain words
 */
public record Summary(
    RunInfo run,
    RunEnd end,
    long warmupRequests,
    long requests,
    long succeeded,
    long failed,
    long cancelled,
    Map<String, Long> failuresByReason,
    Map<Integer, Long> failuresByHttpStatus,
    List<String> firstErrors,
    long retriedRequests,
    long streamedRequests,
    long streamedChunks,
    long durationNanos,
    long inputTokens,
    long outputTokens,
    double requestThroughputPerSecond,
    double inputTokensPerSecond,
    double outputTokensPerSecond,
    double totalTokensPerSecond,
    double achievedSendRatePerSecond,
    long minPromptTokens,
    long medianPromptTokens,
    long maxPromptTokens,
    Map<String, Long> promptTokenSources,
    Map<String, Long> outputTokenSources,
    TokenCountCheck promptTokenCheck,
    Goodput goodput,
    Distribution ttft,
    Distribution ttst,
    Distribution ttfc,
    Distribution tpot,
    Distribution itl,
    Distribution itlPerToken,
    Distribution e2e,
    Distribution perTokenLatency,
    Distribution nextTokenLatency,
    Distribution scheduleLag,
    Distribution queueInclusiveTtft,
    Distribution queueInclusiveE2e,
    List<Interval> timeSeries,
    List<String> warnings) {

  /**
   * How far the server's token counts are from the local tokenizer's.
   *
   * @param compared requests where both counts exist
   * @param meanDifference mean of (server - local)
   * @param maxAbsoluteDifference the largest |server - local|
   */
  public record TokenCountCheck(long compared, double meanDifference, long maxAbsoluteDifference) {}

  /**
   * Requests that met every service-level objective.
   *
   * @param sloMillis the objectives, by metric ({@code ttft}, {@code tpot}, {@code itl}, {@code
   *     e2el}); empty when none was given
   * @param met successful requests meeting all of them
   * @param ratePerSecond met / duration
   * @param fraction met / measured requests
   */
  public record Goodput(
      Map<String, Double> sloMillis, long met, double ratePerSecond, double fraction) {}

  /**
   * One second of the run (seconds since its start).
   *
   * @param started requests sent in this second
   * @param finished requests that succeeded in this second
   * @param failed requests that failed in this second
   * @param outputTokens tokens that arrived in this second
   * @param inFlight requests in flight at the end of the second
   * @param ttftP50Nanos median TTFT of the requests sent in this second (NaN if none)
   */
  public record Interval(
      long second,
      long started,
      long finished,
      long failed,
      long outputTokens,
      long inFlight,
      double ttftP50Nanos) {}

  /** Client CPU per streamed chunk over the whole run, NaN when unknown. */
  public double clientCpuNanosPerChunk() {
    if (end == null || end.clientCpuNanos() < 0 || streamedChunks == 0) {
      return Double.NaN;
    }
    return end.clientCpuNanos() / (double) streamedChunks;
  }

  /**
   * Time the client's I/O threads were ready to run but waited for a CPU over the run, summed over
   * the threads, in nanoseconds; NaN when unknown.
   */
  public double ioThreadsCpuWaitNanos() {
    if (end == null || end.ioThreadsCpuWaitNanos() < 0) {
      return Double.NaN;
    }
    return end.ioThreadsCpuWaitNanos();
  }

  /** Client CPU used over the run as a share of all its cores (0..1), NaN when unknown. */
  public double clientCpuShare() {
    if (end == null || end.clientCpuNanos() < 0 || end.runWallNanos() <= 0) {
      return Double.NaN;
    }
    return end.clientCpuNanos() / ((double) end.runWallNanos() * end.availableProcessors());
  }
}
