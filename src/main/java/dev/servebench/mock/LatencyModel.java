package dev.servebench.mock;

import java.util.random.RandomGenerator;

/** Draws time to first token and inter-token gaps from normal distributions clamped at zero. */
final class LatencyModel {

  private static final double NANOS_PER_MILLI = 1_000_000.0;

  private final double ttftMeanNanos;
  private final double ttftStddevNanos;
  private final double itlMeanNanos;
  private final double itlStddevNanos;

  LatencyModel(MockServerConfig config) {
    this.ttftMeanNanos = config.ttftMillis() * NANOS_PER_MILLI;
    this.ttftStddevNanos = config.ttftStddevMillis() * NANOS_PER_MILLI;
    this.itlMeanNanos = config.itlMillis() * NANOS_PER_MILLI;
    this.itlStddevNanos = config.itlStddevMillis() * NANOS_PER_MILLI;
  }

  long drawTtftNanos(RandomGenerator random) {
    return draw(random, ttftMeanNanos, ttftStddevNanos);
  }

  long drawItlNanos(RandomGenerator random) {
    return draw(random, itlMeanNanos, itlStddevNanos);
  }

  private static long draw(RandomGenerator random, double meanNanos, double stddevNanos) {
    // A constant latency (the common case in tests) needs no Gaussian sample.
    double nanos = stddevNanos == 0 ? meanNanos : random.nextGaussian(meanNanos, stddevNanos);
    return Math.max(0, Math.round(nanos));
  }
}
