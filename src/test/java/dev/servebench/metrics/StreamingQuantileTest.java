package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingQuantileTest {

  @Test
  void exactForFewSamples() {
    StreamingQuantile median = new StreamingQuantile(0.5);
    assertThat(median.value()).isNaN();
    median.add(30);
    assertThat(median.value()).isEqualTo(30);
    median.add(10);
    assertThat(median.value()).isEqualTo(20);
    median.add(50);
    assertThat(median.value()).isEqualTo(30);
  }

  @Test
  void aHighQuantileOfFewSamplesInterpolatesTowardsTheirMaximum() {
    StreamingQuantile p99 = new StreamingQuantile(0.99);
    p99.add(10);
    p99.add(20);
    // Rank 0.99 between the two sorted samples.
    assertThat(p99.value()).isCloseTo(19.9, within(1e-9));
  }

  @Test
  void closeToTheExactMedianOfSkewedLatencies() {
    Random random = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      int n = 50 + random.nextInt(2000);
      double[] samples = new double[n];
      StreamingQuantile median = new StreamingQuantile(0.5);
      for (int i = 0; i < n; i++) {
        // Log-normal around 50 ms, as TTFTs are, with a few stalls.
        samples[i] =
            50e6 * Math.exp(0.5 * random.nextGaussian()) + (random.nextInt(50) == 0 ? 2e9 : 0);
        median.add(samples[i]);
      }
      Arrays.sort(samples);
      double exact = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
      assertThat(median.value()).as("n=%d", n).isCloseTo(exact, within(exact * 0.08));
    }
  }

  @Test
  void closeToTheExactP99OfManyLatencies() {
    Random random = new Random(5);
    for (int trial = 0; trial < 10; trial++) {
      int n = 2000 + random.nextInt(20_000);
      double[] samples = new double[n];
      StreamingQuantile p99 = new StreamingQuantile(0.99);
      for (int i = 0; i < n; i++) {
        samples[i] = 20e6 * Math.exp(0.4 * random.nextGaussian());
        p99.add(samples[i]);
      }
      Arrays.sort(samples);
      double exact = samples[(int) Math.ceil(0.99 * n) - 1];
      assertThat(p99.value()).as("n=%d", n).isCloseTo(exact, within(exact * 0.1));
    }
  }

  @Test
  void refusesALevelOutsideTheOpenUnitInterval() {
    assertThatThrownBy(() -> new StreamingQuantile(1.0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
