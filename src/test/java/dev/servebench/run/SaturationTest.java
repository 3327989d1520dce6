package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SaturationTest {

  private static final Saturation.Limits LIMITS = Saturation.Limits.DEFAULT;
  private static final long MS = 1_000_000;

  /** A rate step of 60 requests, none failed, whose queue-inclusive TTFTs are {@code ttfts}. */
  private static Saturation.StepFigures rateStep(double sent, double done, long... ttfts) {
    return new Saturation.StepFigures(SweepStep.rate(10), sent, done, done, 60, 0, ttfts);
  }

  private static long[] flat(long nanos, int count) {
    return LongStream.generate(() -> nanos).limit(count).toArray();
  }

  @Test
  void aStepThatKeptUpIsNotSaturated() {
    assertThat(Saturation.judge(rateStep(10.0, 9.6, flat(50 * MS, 60)), null, LIMITS)).isNull();
  }

  @Test
  void completionsSlowerThanSendsSaturate() {
    // 10 % short is the limit: 8.9 of 10 is past it, 9.1 is not.
    Saturation.Verdict verdict =
        Saturation.judge(rateStep(10.0, 8.9, flat(50 * MS, 60)), null, LIMITS);
    assertThat(verdict.reason()).isEqualTo(Saturation.Reason.RATE);
    assertThat(verdict.detail()).contains("8.90 req/s of the 10.00 sent");
    assertThat(Saturation.judge(rateStep(10.0, 9.1, flat(50 * MS, 60)), null, LIMITS)).isNull();
  }

  @Test
  void aQueueGrowingThroughTheStepSaturates() {
    // 50 ms at first, growing by 5 ms a request: a queue that never drains.
    long[] growing = LongStream.range(0, 60).map(i -> 50 * MS + i * 5 * MS).toArray();
    Saturation.Verdict verdict = Saturation.judge(rateStep(10.0, 9.8, growing), null, LIMITS);
    assertThat(verdict.reason()).isEqualTo(Saturation.Reason.TTFT_GROWTH);
    assertThat(verdict.detail()).contains("first third", "last");
  }

  @Test
  void noisyButSteadyTtftIsNotGrowth() {
    // Alternating 40 and 120 ms: the thirds' medians are alike however noisy the requests.
    long[] noisy = LongStream.range(0, 60).map(i -> (i % 2 == 0 ? 40 : 120) * MS).toArray();
    assertThat(Saturation.judge(rateStep(10.0, 9.8, noisy), null, LIMITS)).isNull();
  }

  @Test
  void tooFewSamplesSayNothingOfGrowth() {
    long[] few =
        LongStream.range(0, Saturation.MIN_GROWTH_SAMPLES - 1)
            .map(i -> (i + 1) * 100 * MS)
            .toArray();
    assertThat(Saturation.thirdMedians(few)).isNull();
    assertThat(Saturation.judge(rateStep(10.0, 9.8, few), null, LIMITS)).isNull();
  }

  @Test
  void failuresAboveTheLimitSaturateAnyStep() {
    Saturation.StepFigures failing =
        new Saturation.StepFigures(SweepStep.throughput(), 500, 40, 40, 100, 6, flat(MS, 94));
    Saturation.Verdict verdict = Saturation.judge(failing, null, LIMITS);
    assertThat(verdict.reason()).isEqualTo(Saturation.Reason.FAILURES);
    assertThat(verdict.detail()).isEqualTo("6 of 100 requests failed (6.0 %, limit 5.0 %)");
    Saturation.StepFigures atLimit =
        new Saturation.StepFigures(SweepStep.throughput(), 500, 40, 40, 100, 5, flat(MS, 95));
    assertThat(Saturation.judge(atLimit, null, LIMITS)).isNull();
  }

  @Test
  void theThroughputStepIsNotJudgedByItsQueue() {
    // All at once queues by design: completions far below the send rate, TTFT growing.
    long[] growing = LongStream.range(0, 60).map(i -> (i + 1) * 10 * MS).toArray();
    Saturation.StepFigures throughput =
        new Saturation.StepFigures(SweepStep.throughput(), 5000, 40, 40, 60, 0, growing);
    assertThat(Saturation.judge(throughput, null, LIMITS)).isNull();
  }

  @Test
  void moreConcurrencyWithoutMoreThroughputSaturates() {
    Saturation.StepFigures eight =
        new Saturation.StepFigures(SweepStep.concurrency(8), 40, 40, 40, 60, 0, flat(MS, 60));
    Saturation.StepFigures sixteen =
        new Saturation.StepFigures(SweepStep.concurrency(16), 41, 41, 41, 60, 0, flat(MS, 60));
    Saturation.StepFigures sixteenScaling =
        new Saturation.StepFigures(SweepStep.concurrency(16), 70, 70, 70, 60, 0, flat(MS, 60));

    Saturation.Verdict verdict = Saturation.judge(sixteen, eight, LIMITS);
    assertThat(verdict.reason()).isEqualTo(Saturation.Reason.NO_GAIN);
    assertThat(verdict.detail())
        .startsWith("concurrency 16 brought 41.00 req/s, no more than concurrency 8's 40.00");
    assertThat(Saturation.judge(sixteenScaling, eight, LIMITS)).isNull();
    // The first concurrency step has nothing to gain over.
    assertThat(Saturation.judge(eight, null, LIMITS)).isNull();
  }
}
