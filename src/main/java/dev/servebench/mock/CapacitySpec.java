package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;

/**
 * How much the mock server can serve at once, as an engine with a fixed batch and a fixed decode
 * speed would: at most {@code maxRunningSequences} requests run, the rest wait in arrival order,
 * and the running ones share {@code tokensPerSecond} equally. Off ({@link #UNLIMITED}) every
 * request runs at once at its configured latencies.
 *
 * <p>Each running sequence's gap before a token is {@code max(configured gap, running /
 * tokensPerSecond)}, fixed with the running count of the moment the gap is planned (when the
 * previous chunk is written, or for a whole answer when the request starts); its time to first
 * token is the configured TTFT plus {@code promptTokens / prefillTokensPerSecond}, every prefill
 * going on beside the others. A request that waits gets its TTFT only once it runs. With the queue
 * never empty exactly {@code maxRunningSequences} run, so the server completes {@link
 * #saturatedRequestsPerSecond} requests a second, the most it can sustain.
 *
 * @param maxRunningSequences the most requests generating at once; 0 for no limit
 * @param tokensPerSecond decode tokens per second shared by the running requests; 0 for no limit
 * @param prefillTokensPerSecond prompt tokens per second of one request's prefill; 0: no prefill
 *     cost beyond the configured TTFT
 */
public record CapacitySpec(
    int maxRunningSequences, double tokensPerSecond, double prefillTokensPerSecond) {

  /** No limit: every request runs at once, at its configured latencies. */
  public static final CapacitySpec UNLIMITED = new CapacitySpec(0, 0, 0);

  private static final double NANOS_PER_SECOND = 1e9;

  public CapacitySpec {
    Checks.requireAtLeast("max running sequences", maxRunningSequences, 0);
    requireRate("token budget (tokens per second)", tokensPerSecond);
    requireRate("prefill rate (prompt tokens per second)", prefillTokensPerSecond);
  }

  private static void requireRate(String what, double perSecond) {
    if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
      throw new InvalidInputException(
          "mock server " + what + " must be a finite number >= 0 (0: no limit), got " + perSecond);
    }
  }

  /** Whether any limit is set; false for {@link #UNLIMITED}. */
  public boolean limited() {
    return maxRunningSequences > 0 || tokensPerSecond > 0 || prefillTokensPerSecond > 0;
  }

  /**
   * The shortest gap between two tokens of one sequence while {@code running} sequences run: {@code
   * running / tokensPerSecond} seconds, rounded to the nanosecond; 0 without a token budget.
   */
  public long budgetGapNanos(int running) {
    return tokensPerSecond > 0 ? Math.round(running * NANOS_PER_SECOND / tokensPerSecond) : 0;
  }

  /** What a prompt of {@code promptTokens} adds to the TTFT, rounded to the nanosecond. */
  public long prefillNanos(long promptTokens) {
    return prefillTokensPerSecond > 0
        ? Math.round(promptTokens * NANOS_PER_SECOND / prefillTokensPerSecond)
        : 0;
  }

  /**
   * Requests completed per second while the queue is never empty, for requests of {@code
   * promptTokens} in and {@code outputTokens} out on a server whose TTFT and gap are fixed at
   * {@code ttftMillis} and {@code itlMillis}: with {@code B = maxRunningSequences} running all the
   * time, each takes {@code T = ttft + promptTokens / prefillTokensPerSecond + (outputTokens - 1) *
   * max(itl, B / tokensPerSecond)}, so {@code B / T} finish each second. A sustained arrival rate
   * above it makes the queue, and with it TTFT, grow without end; below it the queue stays short.
   * With the token budget binding and no TTFT this is {@code tokensPerSecond / (outputTokens - 1)}.
   *
   * @throws IllegalStateException without a limit on running sequences, which never saturate
   */
  public double saturatedRequestsPerSecond(
      double ttftMillis, double itlMillis, long promptTokens, int outputTokens) {
    if (maxRunningSequences == 0) {
      throw new IllegalStateException("a server without a limit on running sequences never fills");
    }
    double gapNanos = Math.max(itlMillis * 1e6, budgetGapNanos(maxRunningSequences));
    double sequenceNanos =
        ttftMillis * 1e6 + prefillNanos(promptTokens) + (outputTokens - 1) * gapNanos;
    return maxRunningSequences * NANOS_PER_SECOND / sequenceNanos;
  }
}
