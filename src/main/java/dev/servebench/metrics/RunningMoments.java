package dev.servebench.metrics;

/**
 * The mean and standard deviation of values added one at a time, in constant memory. Welford's
 * updates keep them exact enough however many values come, where a sum of squares would cancel.
 */
final class RunningMoments {

  private long count;
  private double mean;
  private double squaredDeviations;

  void add(double value) {
    count++;
    double deviation = value - mean;
    mean += deviation / count;
    squaredDeviations += deviation * (value - mean);
  }

  long count() {
    return count;
  }

  /** The mean; NaN when nothing was added. */
  double mean() {
    return count == 0 ? Double.NaN : mean;
  }

  /** The sample standard deviation (over n - 1); 0 for one value, NaN for none. */
  double standardDeviation() {
    if (count == 0) {
      return Double.NaN;
    }
    return count == 1 ? 0 : Math.sqrt(squaredDeviations / (count - 1));
  }
}
