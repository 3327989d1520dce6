package dev.servebench.schedule;

import java.util.SplittableRandom;

/**
 * Poisson arrivals: the gaps between sends are independent exponential draws with mean {@code
 * 1 / ratePerSecond}, as vLLM's and LLM-on-Ray's benchmarks send them. The first request is due at
 * 0; request {@code i} after the sum of {@code i} gaps. {@link SplittableRandom} with the run's seed
 * makes the plan identical on every JVM.
 */
public record PoissonSchedule(double ratePerSecond, long seed) implements ArrivalSchedule {

  private static final double NANOS_PER_SECOND = 1e9;

  public PoissonSchedule {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be positive and finite: " + ratePerSecond);
    }
  }

  @Override
  public long[] intendedOffsetsNanos(int requestCount) {
    long[] offsets = new long[requestCount];
    SplittableRandom random = new SplittableRandom(seed);
    double meanGapNanos = NANOS_PER_SECOND / ratePerSecond;
    // Summed in double so rounding never accumulates across thousands of gaps.
    double dueNanos = 0;
    for (int i = 0; i < requestCount; i++) {
      offsets[i] = Math.round(dueNanos);
      // 1 - U lies in (0, 1], so the logarithm is finite.
      dueNanos += -Math.log(1.0 - random.nextDouble()) * meanGapNanos;
    }
    return offsets;
  }
}
