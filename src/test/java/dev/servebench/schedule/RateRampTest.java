package dev.servebench.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.error.InvalidInputException;
import java.util.PrimitiveIterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RateRampTest {

  private static final double SECOND = 1e9;

  private static long[] offsets(RateRamp ramp, GapDistribution gaps, int count) {
    PrimitiveIterator.OfLong offsets = ramp.offsets(gaps, 7);
    long[] plan = new long[count];
    for (int i = 0; i < count; i++) {
      plan[i] = offsets.nextLong();
    }
    return plan;
  }

  @Test
  void linearRampDrawsEachGapAtItsRequestsRate() {
    // The worked example of the class comment: 1 to 3 req/s over 3 requests; a fourth request
    // keeps the end rate.
    RateRamp ramp = new RateRamp(RateRamp.Strategy.LINEAR, 1, 3, 3);
    assertThat(offsets(ramp, GapDistribution.constant(), 4))
        .containsExactly(
            0,
            Math.round(SECOND / 2),
            Math.round(SECOND * (0.5 + 1.0 / 3)),
            Math.round(SECOND * (0.5 + 2.0 / 3)));
  }

  @Test
  void exponentialRampMultipliesTheRateByTheSameFactorEachStep() {
    RateRamp ramp = new RateRamp(RateRamp.Strategy.EXPONENTIAL, 2, 32, 5);
    assertThat(ramp.ratePerSecondAt(0)).isEqualTo(2);
    assertThat(ramp.ratePerSecondAt(1)).isCloseTo(4, within(1e-9));
    assertThat(ramp.ratePerSecondAt(2)).isCloseTo(8, within(1e-9));
    assertThat(ramp.ratePerSecondAt(4)).isCloseTo(32, within(1e-9));
    // Past the last request the end rate holds.
    assertThat(ramp.ratePerSecondAt(9)).isCloseTo(32, within(1e-9));
  }

  @Test
  void aLinearRampMayStartAtZeroBecauseTheFirstRequestHasNoGap() {
    RateRamp ramp = new RateRamp(RateRamp.Strategy.LINEAR, 0, 10, 11);
    long[] plan = offsets(ramp, GapDistribution.constant(), 3);
    assertThat(plan).containsExactly(0, Math.round(SECOND), Math.round(SECOND * 1.5));
  }

  @Test
  void gammaGapsFollowTheRampOnAverage() {
    // Many requests at each end of a steep ramp: the late gaps are far shorter than the early.
    int requests = 20_001;
    RateRamp ramp = new RateRamp(RateRamp.Strategy.LINEAR, 10, 1000, requests);
    long[] plan = offsets(ramp, GapDistribution.gamma(1), requests);
    for (int i = 1; i < requests; i++) {
      assertThat(plan[i]).isGreaterThanOrEqualTo(plan[i - 1]);
    }
    double expectedSeconds = (requests - 1) / ramp.meanRatePerSecond();
    assertThat(plan[requests - 1] / SECOND)
        .isCloseTo(expectedSeconds, within(expectedSeconds * 0.05));
  }

  @Test
  void theSameSeedGivesTheSamePlan() {
    RateRamp ramp = new RateRamp(RateRamp.Strategy.LINEAR, 1, 50, 100);
    assertThat(offsets(ramp, GapDistribution.gamma(0.5), 100))
        .containsExactly(offsets(ramp, GapDistribution.gamma(0.5), 100));
  }

  static Stream<Arguments> badRamps() {
    return Stream.of(
        Arguments.of(RateRamp.Strategy.LINEAR, -1, 5, 10, "must be 0 or more"),
        Arguments.of(RateRamp.Strategy.LINEAR, 0, 0, 10, "--ramp-up-end-rps 1 or more"),
        Arguments.of(RateRamp.Strategy.LINEAR, 6, 5, 10, "is above --ramp-up-end-rps 5"),
        Arguments.of(RateRamp.Strategy.EXPONENTIAL, 0, 5, 10, "must then be 1 or more"),
        Arguments.of(RateRamp.Strategy.LINEAR, 1, 5, 0, "a plan of 1 request or more"));
  }

  @ParameterizedTest
  @MethodSource("badRamps")
  void refusesARampThatCannotRun(
      RateRamp.Strategy strategy, int start, int end, int requests, String message) {
    assertThatThrownBy(() -> new RateRamp(strategy, start, end, requests))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(message);
  }

  @Test
  void parsesTheStrategyInAnyCase() {
    assertThat(RateRamp.Strategy.parse("Linear")).isEqualTo(RateRamp.Strategy.LINEAR);
    assertThat(RateRamp.Strategy.parse("exponential")).isEqualTo(RateRamp.Strategy.EXPONENTIAL);
    assertThatThrownBy(() -> RateRamp.Strategy.parse("step"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("use linear or exponential");
  }
}
