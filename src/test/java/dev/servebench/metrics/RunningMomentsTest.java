package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RunningMomentsTest {

  @Test
  void givesTheSampleMeanAndStandardDeviation() {
    RunningMoments moments = new RunningMoments();
    for (double value : new double[] {2, 4, 4, 4, 5, 5, 7, 9}) {
      moments.add(value);
    }
    assertThat(moments.count()).isEqualTo(8);
    assertThat(moments.mean()).isCloseTo(5, within(1e-12));
    // Squared deviations sum to 32; over n - 1 = 7.
    assertThat(moments.standardDeviation()).isCloseTo(Math.sqrt(32 / 7.0), within(1e-12));
  }

  @Test
  void largeValuesKeepTheirPrecision() {
    // A sum of squares of these would cancel to nothing in a double.
    RunningMoments moments = new RunningMoments();
    for (int i = 0; i < 1000; i++) {
      moments.add(1e9 + (i % 2 == 0 ? 1 : -1));
    }
    assertThat(moments.standardDeviation()).isCloseTo(Math.sqrt(1000 / 999.0), within(1e-6));
  }

  @Test
  void oneValueHasNoSpreadAndNoneHasNoMean() {
    RunningMoments none = new RunningMoments();
    assertThat(none.mean()).isNaN();
    assertThat(none.standardDeviation()).isNaN();
    RunningMoments one = new RunningMoments();
    one.add(32);
    assertThat(one.mean()).isEqualTo(32);
    assertThat(one.standardDeviation()).isZero();
  }
}
