package dev.servebench.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArrivalScheduleTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long MILLI = 1_000_000L;

  static Stream<Arguments> exactPlans() {
    return Stream.of(
        // Constant gaps at 4/s: a metronome at 250 ms.
        Arguments.of(
            new ArrivalSchedule(4, GapDistribution.constant(), 0, 1),
            new long[] {0, 250 * MILLI, 500 * MILLI, 750 * MILLI, SECOND}),
        // The seed changes nothing when the gaps are constant.
        Arguments.of(
            new ArrivalSchedule(4, GapDistribution.constant(), 0, 99),
            new long[] {0, 250 * MILLI, 500 * MILLI, 750 * MILLI, SECOND}),
        // 2/s ramped over 2 s: Λ(t) = t²/2, so the 1st arrival waits √2 s, then 2 s, and past the
        // ramp the gaps are 500 ms.
        Arguments.of(
            new ArrivalSchedule(2, GapDistribution.constant(), 2 * SECOND, 1),
            new long[] {0, 1_414_213_562L, 2 * SECOND, 2500 * MILLI, 3 * SECOND}),
        // 1/s ramped over 8 s: Λ(t) = t²/16, arrivals at t = 4√u during the ramp (u ≤ 4).
        Arguments.of(
            new ArrivalSchedule(1, GapDistribution.constant(), 8 * SECOND, 1),
            new long[] {0, 4 * SECOND, 5_656_854_249L, 6_928_203_230L, 8 * SECOND, 9 * SECOND}),
        // An infinite rate sends everything at once, whatever the gap shape.
        Arguments.of(poisson(Double.POSITIVE_INFINITY, 5), new long[] {0, 0, 0, 0}),
        // Bursty gaps at an infinite rate are still all at once.
        Arguments.of(
            new ArrivalSchedule(Double.POSITIVE_INFINITY, GapDistribution.gamma(0.2), 0, 5),
            new long[] {0, 0, 0}));
  }

  @ParameterizedTest
  @MethodSource("exactPlans")
  void plansThatCanBeComputedByHand(ArrivalSchedule schedule, long[] expectedOffsetsNanos) {
    assertThat(offsets(schedule, expectedOffsetsNanos.length)).isEqualTo(expectedOffsetsNanos);
  }

  static Stream<Arguments> gapShapes() {
    return Stream.of(
        // Burstiness 1, the default: Poisson, exponential gaps, standard deviation equal to the
        // mean.
        Arguments.of(GapDistribution.gamma(1.0), 1.0),
        // Very bursty: clumps of near-simultaneous requests and long silences.
        Arguments.of(GapDistribution.gamma(0.25), 0.25),
        // Bursty, the boosted branch of the sampler.
        Arguments.of(GapDistribution.gamma(0.5), 0.5),
        // Close to Poisson, Marsaglia–Tsang's main branch.
        Arguments.of(GapDistribution.gamma(1.5), 1.5),
        // More regular than Poisson.
        Arguments.of(GapDistribution.gamma(4), 4.0),
        // Nearly a metronome.
        Arguments.of(GapDistribution.gamma(50), 50.0));
  }

  @ParameterizedTest
  @MethodSource("gapShapes")
  void gapsHaveMeanOneOverRateAndVarianceOneOverRateSquaredTimesBurstiness(
      GapDistribution gaps, double burstiness) {
    double ratePerSecond = 50;
    for (long seed : new long[] {1, 2, 3}) {
      int requests = 200_001;
      long[] plan = offsets(new ArrivalSchedule(ratePerSecond, gaps, 0, seed), requests);
      double[] gapsSeconds = new double[requests - 1];
      for (int i = 1; i < requests; i++) {
        gapsSeconds[i - 1] = (plan[i] - plan[i - 1]) / 1e9;
      }
      double meanSeconds = mean(gapsSeconds);
      double expectedVariance = 1 / (ratePerSecond * ratePerSecond * burstiness);
      assertThat(meanSeconds)
          .as("seed %d", seed)
          .isCloseTo(1 / ratePerSecond, within(0.02 / ratePerSecond));
      assertThat(variance(gapsSeconds, meanSeconds))
          .as("seed %d", seed)
          .isCloseTo(expectedVariance, within(expectedVariance * 0.06));
    }
  }

  @Test
  void constantGapsAreExact() {
    long[] plan = offsets(new ArrivalSchedule(3, GapDistribution.constant(), 0, 1), 30_001);
    for (int i = 0; i < plan.length; i++) {
      // i / 3 s, rounded to the nanosecond: never an accumulated error.
      assertThat(plan[i]).isEqualTo(Math.round(i * 1e9 / 3));
    }
  }

  static Stream<Arguments> rampedSchedules() {
    return Stream.of(
        // Poisson ramped to 100/s over 60 s, then steady.
        Arguments.of(new ArrivalSchedule(100, GapDistribution.gamma(1), 60 * SECOND, 1), 1.0),
        // Bursty gaps follow the same curve, with larger swings in the counts.
        Arguments.of(new ArrivalSchedule(100, GapDistribution.gamma(0.5), 60 * SECOND, 2), 0.5),
        // Regular gaps follow it closely.
        Arguments.of(new ArrivalSchedule(100, GapDistribution.gamma(8), 60 * SECOND, 3), 8.0),
        // Without a ramp the counts are flat.
        Arguments.of(new ArrivalSchedule(100, GapDistribution.gamma(1), 0, 4), 1.0),
        // A ramp much longer than the window: counts grow all the way.
        Arguments.of(new ArrivalSchedule(100, GapDistribution.gamma(2), 600 * SECOND, 5), 2.0));
  }

  @ParameterizedTest
  @MethodSource("rampedSchedules")
  void countsInEachIntervalMatchTheIntegralOfTheRate(ArrivalSchedule schedule, double burstiness) {
    long windowNanos = 5 * SECOND;
    int windows = 24;
    int[] counts = countPerWindow(schedule.pacerUntil(windows * windowNanos), windowNanos, windows);
    for (int w = 0; w < windows; w++) {
      double expected =
          integralOfRate(schedule, (w + 1) * windowNanos)
              - integralOfRate(schedule, w * windowNanos);
      // A renewal process's counts have variance about mean × CV², and CV² = 1 / burstiness.
      double sigma = Math.sqrt(expected / burstiness);
      assertThat((double) counts[w])
          .as("window %d of %s", w, schedule)
          .isCloseTo(expected, within(5 * sigma + 2));
    }
  }

  @Test
  void constantGapsUnderARampMissTheIntegralByLessThanOneRequest() {
    ArrivalSchedule schedule = new ArrivalSchedule(37, GapDistribution.constant(), 45 * SECOND, 1);
    long windowNanos = SECOND;
    int windows = 90;
    int[] counts = countPerWindow(schedule.pacerUntil(windows * windowNanos), windowNanos, windows);
    for (int w = 0; w < windows; w++) {
      double expected =
          integralOfRate(schedule, (w + 1) * windowNanos)
              - integralOfRate(schedule, w * windowNanos);
      assertThat((double) counts[w]).as("second %d", w).isCloseTo(expected, within(1.0));
    }
  }

  @Test
  void everyPlanStartsAtZeroAndNeverGoesBackwards() {
    SplittableRandom settings = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      ArrivalSchedule schedule = randomSchedule(settings);
      long[] plan = offsets(schedule, 2_000);
      assertThat(plan[0]).as("%s", schedule).isZero();
      for (int i = 1; i < plan.length; i++) {
        assertThat(plan[i]).as("%s at %d", schedule, i).isGreaterThanOrEqualTo(plan[i - 1]);
      }
    }
  }

  @Test
  void sameSeedGivesTheSamePlanAndAnotherSeedAnotherOne() {
    SplittableRandom settings = new SplittableRandom(12);
    for (int trial = 0; trial < 100; trial++) {
      ArrivalSchedule schedule = randomSchedule(settings);
      ArrivalSchedule otherSeed =
          new ArrivalSchedule(
              schedule.ratePerSecond(),
              schedule.gaps(),
              schedule.rampUpNanos(),
              schedule.seed() + 1);
      long[] plan = offsets(schedule, 1_000);
      assertThat(offsets(schedule, 1_000)).isEqualTo(plan);
      if (!(schedule.gaps() instanceof ConstantGaps)) {
        assertThat(offsets(otherSeed, 1_000)).as("%s", schedule).isNotEqualTo(plan);
      }
    }
  }

  @Test
  void aTimedPlanIsTheCountedPlanCutAtTheDuration() {
    SplittableRandom settings = new SplittableRandom(13);
    for (int trial = 0; trial < 100; trial++) {
      ArrivalSchedule schedule = randomSchedule(settings);
      long durationNanos = 1 + settings.nextLong(30 * SECOND);
      List<Long> timed = new ArrayList<>();
      schedule.pacerUntil(durationNanos).forEachRemaining((long offset) -> timed.add(offset));

      long[] counted = offsets(schedule, timed.size() + 1);
      for (int i = 0; i < timed.size(); i++) {
        assertThat(timed.get(i)).isEqualTo(counted[i]).isLessThan(durationNanos);
      }
      assertThat(counted[timed.size()]).as("%s", schedule).isGreaterThanOrEqualTo(durationNanos);
    }
  }

  @Test
  void aTimedPlanSendsRateTimesDurationRequests() {
    // 200/s for 5 minutes, Poisson: 60 000 expected, standard deviation about 245.
    Pacer pacer = poisson(200, 8).pacerUntil(300 * SECOND);
    long count = 0;
    while (pacer.hasNext()) {
      pacer.nextLong();
      count++;
    }
    assertThat(count).isBetween(60_000L - 1_250, 60_000L + 1_250);
    assertThatThrownBy(pacer::nextLong).isInstanceOf(java.util.NoSuchElementException.class);
  }

  @Test
  void anUnboundedPacerNeverEnds() {
    Pacer pacer = new ArrivalSchedule(1e-300, GapDistribution.constant(), 0, 1).pacer();
    pacer.nextLong();
    // The second request would be due in 10^291 years: the offset saturates, the pacer goes on.
    assertThat(pacer.nextLong()).isEqualTo(Long.MAX_VALUE);
    assertThat(pacer.hasNext()).isTrue();
  }

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        // A rate of zero would never send.
        Arguments.of((Runnable) () -> poisson(0, 1), "--request-rate"),
        // Negative rates make no sense.
        Arguments.of((Runnable) () -> poisson(-2, 1), "--request-rate"),
        // NaN, say from a bad division upstream, must not slip through.
        Arguments.of((Runnable) () -> poisson(Double.NaN, 1), "--request-rate"),
        // Burstiness zero is a degenerate gamma.
        Arguments.of((Runnable) () -> GapDistribution.gamma(0), "--burstiness"),
        // Negative burstiness.
        Arguments.of((Runnable) () -> GapDistribution.gamma(-1), "--burstiness"),
        // Infinite burstiness (a metronome) is spelled --arrival constant.
        Arguments.of(
            (Runnable) () -> GapDistribution.gamma(Double.POSITIVE_INFINITY), "--burstiness"),
        // NaN burstiness.
        Arguments.of((Runnable) () -> GapDistribution.gamma(Double.NaN), "--burstiness"),
        // A negative ramp.
        Arguments.of(
            (Runnable) () -> new ArrivalSchedule(10, GapDistribution.gamma(1), -1, 1), "--ramp-up"),
        // A ramp up to an infinite rate is no line.
        Arguments.of(
            (Runnable)
                () ->
                    new ArrivalSchedule(
                        Double.POSITIVE_INFINITY, GapDistribution.gamma(1), SECOND, 1),
            "--ramp-up"),
        // A run of no time.
        Arguments.of((Runnable) () -> poisson(10, 1).pacerUntil(0), "--duration"),
        // A negative duration.
        Arguments.of((Runnable) () -> poisson(10, 1).pacerUntil(-5), "--duration"),
        // Everything at once for 5 minutes is an endless burst.
        Arguments.of(
            (Runnable) () -> poisson(Double.POSITIVE_INFINITY, 1).pacerUntil(SECOND),
            "--duration"));
  }

  @ParameterizedTest
  @MethodSource("invalidSettings")
  void invalidSettingsAreRejectedNamingTheFlag(Runnable build, String flag) {
    assertThatThrownBy(build::run)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(flag);
  }

  /** The schedule for {@code --request-rate} alone: Poisson arrivals at that mean rate. */
  private static ArrivalSchedule poisson(double ratePerSecond, long seed) {
    return new ArrivalSchedule(ratePerSecond, GapDistribution.gamma(1), 0, seed);
  }

  /** The first {@code count} offsets of the schedule's pacer, as a run with a prompt count. */
  private static long[] offsets(ArrivalSchedule schedule, int count) {
    long[] offsets = new long[count];
    Pacer pacer = schedule.pacer();
    for (int i = 0; i < count; i++) {
      offsets[i] = pacer.nextLong();
    }
    return offsets;
  }

  /** Λ(t): the arrivals the schedule's rate curve expects by {@code offsetNanos}. */
  private static double integralOfRate(ArrivalSchedule schedule, long offsetNanos) {
    double t = offsetNanos / 1e9;
    double ramp = schedule.rampUpNanos() / 1e9;
    double rate = schedule.ratePerSecond();
    return t < ramp ? rate * t * t / (2 * ramp) : rate * ramp / 2 + rate * (t - ramp);
  }

  private static int[] countPerWindow(Pacer pacer, long windowNanos, int windows) {
    int[] counts = new int[windows];
    while (pacer.hasNext()) {
      counts[(int) (pacer.nextLong() / windowNanos)]++;
    }
    return counts;
  }

  private static ArrivalSchedule randomSchedule(SplittableRandom settings) {
    double ratePerSecond = Math.exp(settings.nextDouble(Math.log(0.1), Math.log(10_000)));
    GapDistribution gaps =
        switch (settings.nextInt(3)) {
          case 0 -> GapDistribution.constant();
          case 1 -> GapDistribution.gamma(1);
          default ->
              GapDistribution.gamma(Math.exp(settings.nextDouble(Math.log(0.05), Math.log(20))));
        };
    long rampUpNanos = settings.nextBoolean() ? 0 : settings.nextLong(120 * SECOND);
    return new ArrivalSchedule(ratePerSecond, gaps, rampUpNanos, settings.nextLong());
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.length;
  }

  private static double variance(double[] values, double mean) {
    double sumSquares = 0;
    for (double value : values) {
      sumSquares += (value - mean) * (value - mean);
    }
    return sumSquares / (values.length - 1);
  }
}
