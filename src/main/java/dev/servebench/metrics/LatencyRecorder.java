package dev.servebench.metrics;

import org.HdrHistogram.Histogram;

/**
 * Collects one latency metric in constant memory: an HdrHistogram (3 significant digits, so every
 * percentile is within 0.1 % of the true sample) for percentiles, and exact running sums for the
 * mean, standard deviation, minimum and maximum, which a histogram would only approximate.
 * Histograms of several runs or machines merge with {@link #add(LatencyRecorder)}.
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
    double value = Math.max(0, nanos);
    histogram.recordValue(Math.round(value));
    count++;
    double delta = value - meanNanos;
    meanNanos += delta / count;
    squaredDeviationsNanos += delta * (value - meanNanos);
    minNanos = Math.min(minNanos, value);
    maxNanos = Math.max(maxNanos, value);
  }

  /** Merges another recorder's samples into this one. */
  public void add(LatencyRecorder other) {
    if (other.count == 0) {
      return;
    }
    histogram.add(other.histogram);
    long total = count + other.count;
    double delta = other.meanNanos - meanNanos;
    squaredDeviationsNanos +=
        other.squaredDeviationsNanos + delta * delta * ((double) count * other.count / total);
    meanNanos += delta * other.count / total;
    count = total;
    minNanos = Math.min(minNanos, other.minNanos);
    maxNanos = Math.max(maxNanos, other.maxNanos);
  }

  public long count() {
    return count;
  }

  /** The statistics of everything recorded so far. */
  public Distribution distribution() {
    if (count == 0) {
      return Distribution.EMPTY;
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
        maxNanos);
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
