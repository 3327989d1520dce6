package dev.servebench.metrics;

import java.util.List;

/**
 * Statistics of one metric, all in nanoseconds. An empty distribution has count 0 and NaN values,
 * which every writer turns into "n/a" or JSON {@code null}, never a number.
 *
 * @param percentiles the extra percentile levels asked for ({@code --percentiles})
 * @param percentileNanos the value at each of {@code percentiles}
 * @param encodedHistogram the full HdrHistogram, compressed and base64-encoded ({@code null} when
 *     empty)
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
    double maxNanos,
    List<Double> percentiles,
    double[] percentileNanos,
    String encodedHistogram) {

  public static Distribution empty(List<Double> percentiles) {
    double[] none = new double[percentiles.size()];
    java.util.Arrays.fill(none, Double.NaN);
    return new Distribution(
        0,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        List.copyOf(percentiles),
        none,
        null);
  }

  public boolean isEmpty() {
    return count == 0;
  }
}
