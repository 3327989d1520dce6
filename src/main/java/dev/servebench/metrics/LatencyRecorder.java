package dev.servebench.metrics;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Collects one latency metric in constant memory: an HdrHistogram (3 significant digits, so every
 * percentile is within 0.1 % of the true sample) for percentiles, and exact running sums for the
 * mean, standard deviation, minimum and maximum, which a histogram would only approximate.
 */
public final class LatencyRecorder {

  private static final int SIGNIFICANT_DIGITS = 3;

  private final Histogram histogram = new Histogram(SIGNIFICANT_DIGITS);
  private long count;
  // Welford's running mean and sum of squared deviations: stable where sum-of-squares is not.
  private double meanNanos;
  private double squaredDeviationsNanos;
  private double minNanos = Double.POSITIVE_INFINITY;
  private double maxNanos = Double.NEGATIVE_INFINITY;

  /** Adds one sample; negative samples (clock steps cannot happen with nanoTime) are kept at 0. */
  public void record(double nanos) {
    record(nanos, 1);
  }

  /** Adds {@code times} equal samples (a chunk's per-token gap, once per token). */
  public void record(double nanos, int times) {
    if (times <= 0) {
      return;
    }
    double value = Math.max(0, nanos);
    histogram.recordValueWithCount(Math.round(value), times);
    // Welford's update for a batch of equal values.
    long total = count + times;
    double delta = value - meanNanos;
    meanNanos += delta * times / total;
    squaredDeviationsNanos += delta * delta * ((double) count * times / total);
    count = total;
    minNanos = Math.min(minNanos, value);
    maxNanos = Math.max(maxNanos, value);
  }

  public long count() {
    return count;
  }

  /**
   * The statistics of everything recorded so far.
   *
   * @param percentiles extra percentile levels to report (e.g. 99.99), besides the fixed ones
   */
  public Distribution distribution(List<Double> percentiles) {
    if (count == 0) {
      return Distribution.empty(percentiles);
    }
    double[] extra = new double[percentiles.size()];
    for (int i = 0; i < extra.length; i++) {
      extra[i] = percentile(percentiles.get(i));
    }
    double variance = count > 1 ? squaredDeviationsNanos / (count - 1) : 0;
    return new Distribution(
        count,
        meanNanos,
        Math.sqrt(variance),
        minNanos,
        percentile(50),
        percentile(90),
        percentile(95),
        percentile(99),
        percentile(99.9),
        maxNanos,
        List.copyOf(percentiles),
        extra,
        encodedHistogram());
  }

  /**
   * The histogram, compressed and base64-encoded ({@code Histogram.decodeFromCompressedByteBuffer}
   * reads it back), so summaries can be merged and re-percentiled later.
   */
  private String encodedHistogram() {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
  }

  /**
   * A percentile, clamped into the exact [min, max]: HdrHistogram reports the highest value that is
   * equivalent to the sample's bucket, which may lie a hair above the true maximum.
   */
  private double percentile(double percent) {
    double value = histogram.getValueAtPercentile(percent);
    return Math.min(maxNanos, Math.max(minNanos, value));
  }
}
