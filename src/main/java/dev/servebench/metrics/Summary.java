package dev.servebench.metrics;

import dev.servebench.record.RunInfo;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run, each defined in {@code spec/metrics.md}. Computed only from request
 * records, so a summary rebuilt from a records file equals the one printed at the end of the run.
 * Rates are per second; a figure that cannot be computed (no successful request, no stream) is NaN
 * and is shown as "n/a" or written as JSON {@code null}.
 *
 * @param durationNanos first send to last completion, over all requests
 * @param requestThroughputPerSecond successful requests / duration
 * @param achievedSendRatePerSecond (requests - 1) / (last send - first send)
 * @param promptTokenCheck server against local prompt token counts, where both exist
 * @param perTokenLatency the seed's latency per token: E2E / output tokens per request
 * @param nextTokenLatency the seed's next-token latency: each request's mean ITL
 */
public record Summary(
    RunInfo run,
    long requests,
    long succeeded,
    long failed,
    Map<String, Long> failuresByReason,
    Map<Integer, Long> failuresByHttpStatus,
    List<String> firstErrors,
    long streamedRequests,
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
    Distribution ttft,
    Distribution tpot,
    Distribution itl,
    Distribution e2e,
    Distribution perTokenLatency,
    Distribution nextTokenLatency,
    Distribution scheduleLag,
    Distribution queueInclusiveTtft,
    Distribution queueInclusiveE2e) {

  /**
   * How far the server's token counts are from the local tokenizer's.
   *
   * @param compared requests where both counts exist
   * @param meanDifference mean of (server - local)
   * @param maxAbsoluteDifference the largest |server - local|
   */
  public record TokenCountCheck(long compared, double meanDifference, long maxAbsoluteDifference) {}
}
