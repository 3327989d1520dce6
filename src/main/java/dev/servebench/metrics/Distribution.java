package dev.servebench.metrics;

/**
 * Statistics of one metric, all in nanoseconds. An empty distribution has count 0 and NaN values,
 * which every writer turns into "n/a" or JSON {@code null}, never a number.
 */
public record Distribution(
    long count,
    double meanNanos,
    double stddevNanos,
    double minNanos,
    double p50Nanos,
    double p90Nanos,
    double p95Nanos,
    double p99Nanos,
    double p999Nanos,
    double maxNanos) {

  public static final Distribution EMPTY =
      new Distribution(
          0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
          Double.NaN, Double.NaN);

  public boolean isEmpty() {
    return count == 0;
  }
}
