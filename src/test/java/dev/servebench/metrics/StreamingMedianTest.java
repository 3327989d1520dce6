package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingMedianTest {

  @Test
  void exactForFewSamples() {
    StreamingMedian median = new StreamingMedian();
    assertThat(median.median()).isNaN();
    median.add(30);
    assertThat(median.median()).isEqualTo(30);
    median.add(10);
    assertThat(median.median()).isEqualTo(20);
    median.add(50);
    assertThat(median.median()).isEqualTo(30);
  }

  @Test
  void closeToTheExactMedianOfSkewedLatencies() {
    Random random = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      int n = 50 + random.nextInt(2000);
      double[] samples = new double[n];
      StreamingMedian median = new StreamingMedian();
      for (int i = 0; i < n; i++) {
        // Log-normal around 50 ms, as TTFTs are, with a few stalls.
        samples[i] =
            50e6 * Math.exp(0.5 * random.nextGaussian()) + (random.nextInt(50) == 0 ? 2e9 : 0);
        median.add(samples[i]);
      }
      Arrays.sort(samples);
      double exact = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
      assertThat(median.median()).as("n=%d", n).isCloseTo(exact, within(exact * 0.08));
    }
  }
}
