package dev.servebench.metrics;

import java.util.Arrays;

/**
 * The median of a stream in constant memory (five numbers), by the P² algorithm (Jain and Chlamtac,
 * 1985): five markers track the minimum, the quartiles' neighbourhood and the maximum, and move
 * along a parabola fitted through their neighbours as samples arrive. Used where a histogram per
 * item would cost too much, such as one median per second of a long run; exact up to five samples,
 * typically within a few percent after that.
 */
final class StreamingMedian {

  private static final double[] DESIRED_STEP = {0, 0.25, 0.5, 0.75, 1};

  private final double[] heights = new double[5];
  private final double[] positions = {0, 1, 2, 3, 4};
  private final double[] desired = {0, 1, 2, 3, 4};
  private int count;

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
      desired[i] += DESIRED_STEP[i];
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

  /** The median estimate; NaN with no samples. */
  double median() {
    if (count == 0) {
      return Double.NaN;
    }
    if (count < 5) {
      double[] sorted = Arrays.copyOf(heights, count);
      Arrays.sort(sorted);
      return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }
    return heights[2];
  }
}
