package dev.servebench.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

  @Test
  void poissonPlanHasTheConfiguredMeanGapAndExponentialSpread() {
    int requests = 200_001;
    long[] plan = new PoissonSchedule(50.0, 7).intendedOffsetsNanos(requests);
    double meanGapNanos = plan[requests - 1] / (double) (requests - 1);
    assertThat(meanGapNanos).isCloseTo(20_000_000.0, within(20_000_000.0 * 0.01));

    // An exponential distribution's standard deviation equals its mean.
    double sumSquares = 0;
    for (int i = 1; i < requests; i++) {
      double deviation = (plan[i] - plan[i - 1]) - meanGapNanos;
      sumSquares += deviation * deviation;
    }
    double stddevNanos = Math.sqrt(sumSquares / (requests - 2));
    assertThat(stddevNanos).isCloseTo(meanGapNanos, within(meanGapNanos * 0.02));
  }

  @Test
  void poissonPlanStartsAtZeroAndNeverGoesBackwards() {
    long[] plan = new PoissonSchedule(1000.0, 1).intendedOffsetsNanos(10_000);
    assertThat(plan[0]).isZero();
    for (int i = 1; i < plan.length; i++) {
      assertThat(plan[i]).isGreaterThanOrEqualTo(plan[i - 1]);
    }
  }

  @Test
  void sameSeedGivesTheSamePlanAndAnotherSeedAnotherOne() {
    long[] first = new PoissonSchedule(10.0, 42).intendedOffsetsNanos(1000);
    long[] again = new PoissonSchedule(10.0, 42).intendedOffsetsNanos(1000);
    long[] otherSeed = new PoissonSchedule(10.0, 43).intendedOffsetsNanos(1000);
    assertThat(again).isEqualTo(first);
    assertThat(otherSeed).isNotEqualTo(first);
  }

  @Test
  void countsInEachSecondAverageTheRate() {
    double ratePerSecond = 100;
    long[] plan = new PoissonSchedule(ratePerSecond, 3).intendedOffsetsNanos(100_000);
    long seconds = plan[plan.length - 1] / 1_000_000_000L;
    int[] perSecond = new int[(int) seconds];
    for (long offset : plan) {
      int second = (int) (offset / 1_000_000_000L);
      if (second < seconds) {
        perSecond[second]++;
      }
    }
    double mean = 0;
    for (int count : perSecond) {
      mean += count;
    }
    mean /= seconds;
    double variance = 0;
    for (int count : perSecond) {
      variance += (count - mean) * (count - mean);
    }
    variance /= seconds - 1;
    assertThat(mean).isCloseTo(ratePerSecond, within(2.0));
    // Poisson counts: variance equals the mean.
    assertThat(variance).isCloseTo(ratePerSecond, within(ratePerSecond * 0.15));
  }

  @Test
  void infiniteRateSendsEverythingAtOnce() {
    ArrivalSchedule schedule = ArrivalSchedule.forRate(Double.POSITIVE_INFINITY, 0);
    assertThat(schedule).isInstanceOf(AllAtOnceSchedule.class);
    assertThat(schedule.intendedOffsetsNanos(5)).containsOnly(0L);
  }

  @Test
  void rejectsRatesThatAreNotPositive() {
    assertThatThrownBy(() -> new PoissonSchedule(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PoissonSchedule(-2, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PoissonSchedule(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
