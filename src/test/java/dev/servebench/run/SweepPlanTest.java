package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepPlanTest {

  @Test
  void ratesAreSpacedEvenlyAboveTheLowEndUpToTheHighEnd() {
    assertThat(SweepPlan.ratesBetween(2, 10, 4)).containsExactly(4.0, 6.0, 8.0, 10.0);
    assertThat(SweepPlan.ratesBetween(1, 2, 1)).containsExactly(2.0);
  }

  @Test
  void anEmptyRangeHasNoRatesBetween() {
    // The throughput step no faster than the synchronous one: a server that takes one at a time.
    assertThat(SweepPlan.ratesBetween(5, 5, 8)).isEmpty();
    assertThat(SweepPlan.ratesBetween(5, 4, 8)).isEmpty();
    assertThat(SweepPlan.ratesBetween(Double.NaN, 4, 8)).isEmpty();
    assertThat(SweepPlan.ratesBetween(1, Double.POSITIVE_INFINITY, 8)).isEmpty();
  }

  @Test
  void eachProfileKnowsItsFirstSteps() {
    assertThat(SweepPlan.firstSteps(SweepPlan.Profile.SWEEP, List.of(), List.of()))
        .containsExactly(SweepStep.synchronous(), SweepStep.throughput());
    assertThat(SweepPlan.firstSteps(SweepPlan.Profile.RATES, List.of(1.0, 2.5), List.of()))
        .extracting(SweepStep::label)
        .containsExactly("rate 1/s", "rate 2.5/s");
    assertThat(SweepPlan.firstSteps(SweepPlan.Profile.CONCURRENCIES, List.of(), List.of(1, 8)))
        .extracting(step -> step.directoryName("", 3))
        .containsExactly("03-concurrency-1", "03-concurrency-8");
  }

  @Test
  void anUnknownProfileIsNamedInTheMessage() {
    assertThatThrownBy(() -> SweepPlan.Profile.parse("fast"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--profile 'fast'")
        .hasMessageContaining("synchronous, throughput or sweep");
  }

  @Test
  void aStepReplacesTheLoadAndLeavesTheWarmUpToItsOwnRun() {
    RunConfig.Load base =
        new RunConfig.Load(
            Double.POSITIVE_INFINITY,
            RunConfig.Arrival.CONSTANT,
            1,
            RunConfig.RampUp.NONE,
            0,
            16,
            -1,
            5,
            0,
            Duration.ofSeconds(5),
            null,
            null);

    RunConfig.Load rate = SweepStep.rate(4).applyTo(base);
    assertThat(rate.ratePerSecond()).isEqualTo(4);
    assertThat(rate.arrival()).isEqualTo(RunConfig.Arrival.CONSTANT);
    assertThat(rate.maxConcurrency()).isEqualTo(16);
    assertThat(rate.warmupRequests()).isZero();

    RunConfig.Load synchronous = SweepStep.synchronous().applyTo(base);
    assertThat(synchronous.closedLoop()).isTrue();
    assertThat(synchronous.concurrency()).isEqualTo(1);
    assertThat(synchronous.maxConcurrency()).isZero();
    assertThat(synchronous.warmupRequests()).isZero();
    assertThat(synchronous.durationNanos()).isEqualTo(-1);

    // The warm-up run measures what the sweep's warm-up is: a span, here, sent at the step's load.
    RunConfig.Load spanned =
        new RunConfig.Load(
            Double.POSITIVE_INFINITY,
            RunConfig.Arrival.GAMMA,
            1,
            RunConfig.RampUp.NONE,
            0,
            0,
            -1,
            0,
            3_000_000_000L,
            Duration.ofSeconds(5),
            null,
            null);
    RunConfig.Load warmUp = SweepStep.rate(4).warmUp(spanned);
    assertThat(warmUp.durationNanos()).isEqualTo(3_000_000_000L);
    assertThat(warmUp.warmupNanos()).isZero();
    assertThat(warmUp.ratePerSecond()).isEqualTo(4);

    RunConfig.Load throughput = SweepStep.throughput().applyTo(base);
    assertThat(throughput.ratePerSecond()).isInfinite();
    assertThat(throughput.closedLoop()).isFalse();
    assertThat(throughput.maxConcurrency()).isEqualTo(16);
  }
}
