package dev.servebench.metrics;

import java.util.Arrays;

/**
 * One quantile of a stream in constant memory (five numbers), by the P² algorithm (Jain and
 * Chlamtac, 1985): five markers track the minimum, the quantile, the points halfway to either end
 * and the maximum, and move along a parabola fitted through their neighbours as samples arrive.
 * Used where a histogram per item would cost too much, such as a median and a p99 per second of a
 * long run; exact up to five samples (linear interpolation between the sorted samples), typically
 * within a few percent after that for a median. A high quantile of few samples is only as good as
 * its samples: the p99 of 50 samples is near their maximum.
 */
final class StreamingQuantile {

  private final double quantile;
  private final double[] desiredStep;
  private final double[] heights = new double[5];
  private final double[] positions = {0, 1, 2, 3, 4};
  private final double[] desired;
  private int count;

  /**
   * @param quantile the quantile to track, in (0, 1): 0.5 for the median, 0.99 for p99
   */
  StreamingQuantile(double quantile) {
    if (!(quantile > 0 && quantile < 1)) {
      throw new IllegalArgumentException("quantile must be in (0, 1), got " + quantile);
    }
    this.quantile = quantile;
    this.desiredStep = new double[] {0, quantile / 2, quantile, (1 + quantile) / 2, 1};
    this.desired = new double[] {0, 2 * quantile, 4 * quantile, 2 + 2 * quantile, 4};
  }

  void add(double sample) {
    if (count < 5) {
      heights[count++] = sample;
      if (count == 5) {
        Arrays.sort(heights);
      }
      return;
    }
    count++;
    int cell;
    if (sample < heights[0]) {
      heights[0] = sample;
      cell = 0;
    } else if (sample >= heights[4]) {
      heights[4] = Math.max(heights[4], sample);
      cell = 3;
    } else {
      cell = 0;
      while (sample >= heights[cell + 1]) {
        cell++;
      }
    }
    for (int i = cell + 1; i < 5; i++) {
      positions[i]++;
    }
    for (int i = 0; i < 5; i++) {
      desired[i] += desiredStep[i];
    }
    for (int i = 1; i <= 3; i++) {
      double off = desired[i] - positions[i];
      if ((off >= 1 && positions[i + 1] - positions[i] > 1)
          || (off <= -1 && positions[i - 1] - positions[i] < -1)) {
        int step = off > 0 ? 1 : -1;
        double candidate = parabolic(i, step);
        heights[i] =
            heights[i - 1] < candidate && candidate < heights[i + 1] ? candidate : linear(i, step);
        positions[i] += step;
      }
    }
  }

  private double parabolic(int i, int step) {
    return heights[i]
        + step
            / (positions[i + 1] - positions[i - 1])
            * ((positions[i] - positions[i - 1] + step)
                    * (heights[i + 1] - heights[i])
                    / (positions[i + 1] - positions[i])
                + (positions[i + 1] - positions[i] - step)
                    * (heights[i] - heights[i - 1])
                    / (positions[i] - positions[i - 1]));
  }

  private double linear(int i, int step) {
    return heights[i]
        + step * (heights[i + step] - heights[i]) / (positions[i + step] - positions[i]);
  }

  /** The estimate; NaN with no samples. */
  double value() {
    if (count == 0) {
      return Double.NaN;
    }
    if (count < 5) {
      double[] sorted = Arrays.copyOf(heights, count);
      Arrays.sort(sorted);
      double rank = quantile * (count - 1);
      int below = (int) Math.floor(rank);
      int above = Math.min(count - 1, below + 1);
      return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
    return heights[2];
  }
}
