package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  @Test
  void statisticsMatchAnExactComputation() {
    Random random = new Random(5);
    double[] samples = new double[100_000];
    LatencyRecorder recorder = new LatencyRecorder();
    for (int i = 0; i < samples.length; i++) {
      samples[i] =
          1_000_000 + random.nextGaussian() * 200_000 + (random.nextInt(100) == 0 ? 50_000_000 : 0);
      recorder.record(samples[i]);
    }
    double mean = Arrays.stream(samples).map(s -> Math.max(0, s)).average().orElseThrow();
    double variance =
        Arrays.stream(samples).map(s -> Math.max(0, s)).map(s -> (s - mean) * (s - mean)).sum()
            / (samples.length - 1);
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    Distribution d = recorder.distribution(List.of());
    assertThat(d.count()).isEqualTo(samples.length);
    assertThat(d.meanNanos()).isCloseTo(mean, within(mean * 1e-9));
    assertThat(d.stddevNanos()).isCloseTo(Math.sqrt(variance), within(Math.sqrt(variance) * 1e-6));
    assertThat(d.minNanos()).isEqualTo(Math.max(0, sorted[0]));
    assertThat(d.maxNanos()).isEqualTo(sorted[sorted.length - 1]);
    // HdrHistogram with 3 significant digits: within 0.1 % of the exact order statistic.
    assertThat(d.p50Nanos()).isCloseTo(sorted[49_999], within(sorted[49_999] * 0.001 + 1));
    assertThat(d.p99Nanos()).isCloseTo(sorted[98_999], within(sorted[98_999] * 0.001 + 1));
    assertThat(d.p999Nanos()).isCloseTo(sorted[99_899], within(sorted[99_899] * 0.001 + 1));
  }

  @Test
  void emptyRecorderHasAnEmptyDistribution() {
    assertThat(new LatencyRecorder().distribution(List.of()).isEmpty()).isTrue();
  }
}
