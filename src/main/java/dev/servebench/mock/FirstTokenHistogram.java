package dev.servebench.mock;

import java.util.Arrays;

/**
 * The server's own times to first token (from reading a request to the time its latency model set
 * for the first token, its wait for a place included: the write itself follows within a timer's
 * lateness), in vLLM's buckets, for {@code vllm:time_to_first_token_seconds}. Observed once per
 * request under a lock, so a snapshot's buckets, count and sum always agree.
 */
final class FirstTokenHistogram {

  /** vLLM's upper bounds, in seconds. */
  static final double[] BOUNDS_SECONDS = {
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0, 160.0, 640.0, 2560.0
  };

  private static final long[] BOUNDS_NANOS =
      Arrays.stream(BOUNDS_SECONDS).mapToLong(seconds -> Math.round(seconds * 1e9)).toArray();

  /** Observations per bucket, not cumulative; the last one is above every bound. */
  private final long[] counts = new long[BOUNDS_NANOS.length + 1];

  private long sumNanos;

  /** A copy of the histogram at one moment. */
  record Snapshot(long[] cumulativeCounts, long count, long sumNanos) {}

  /** Counts one TTFT into the first bucket whose bound it does not exceed. */
  synchronized void observe(long ttftNanos) {
    int bucket = Arrays.binarySearch(BOUNDS_NANOS, ttftNanos);
    counts[bucket >= 0 ? bucket : -bucket - 1]++;
    sumNanos += ttftNanos;
  }

  /** Cumulative counts per bound of {@link #BOUNDS_SECONDS}, then {@code +Inf}. */
  synchronized Snapshot snapshot() {
    long[] cumulative = new long[counts.length];
    long running = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i];
      cumulative[i] = running;
    }
    return new Snapshot(cumulative, running, sumNanos);
  }
}
