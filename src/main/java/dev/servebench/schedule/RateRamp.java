package dev.servebench.schedule;

import dev.servebench.error.InvalidInputException;
import java.util.Locale;
import java.util.Objects;
import java.util.PrimitiveIterator;
import java.util.SplittableRandom;

/**
 * vLLM's {@code --ramp-up-strategy}: the rate rises over the requests of the plan, not over time.
 * Request {@code i} of {@code n} is due one gap after request {@code i - 1}, the gap drawn at the
 * rate {@code r(p)} with {@code p = i / (n - 1)}: linear {@code r(p) = start + (end - start) p},
 * exponential {@code r(p) = start (end / start)^p}. The first request is due at 0; requests past
 * the n-th (none in a counted run) keep the end rate.
 *
 * <p>Worked example: 3 requests ramped linearly from 1 to 3 requests per second with constant gaps
 * are due at 0, 1/2 s (the gap at 2 req/s) and 1/2 + 1/3 s (at 3 req/s).
 *
 * @param startPerSecond the rate at the first request, {@code --ramp-up-start-rps}
 * @param endPerSecond the rate at the last request, {@code --ramp-up-end-rps}
 * @param requests the requests the rate rises over: the whole plan, warm-up included
 */
public record RateRamp(Strategy strategy, int startPerSecond, int endPerSecond, int requests) {

  private static final double NANOS_PER_SECOND = 1e9;

  /** How the rate rises between its start and its end. */
  public enum Strategy {
    LINEAR,
    EXPONENTIAL;

    /** The name users write after {@code --ramp-up-strategy}. */
    public String flagValue() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a {@code --ramp-up-strategy} value.
     *
     * @throws InvalidInputException naming the two strategies
     */
    public static Strategy parse(String value) {
      for (Strategy strategy : values()) {
        if (strategy.flagValue().equalsIgnoreCase(value.strip())) {
          return strategy;
        }
      }
      throw new InvalidInputException(
          "--ramp-up-strategy '" + value + "': use linear or exponential");
    }
  }

  /**
   * Checks the ramp as vLLM does, with the flags named.
   *
   * @throws InvalidInputException when a rate is negative, the ramp falls, or an exponential ramp
   *     starts at 0 (it would stay there)
   */
  public RateRamp {
    Objects.requireNonNull(strategy, "strategy");
    if (startPerSecond < 0 || endPerSecond < 1) {
      throw new InvalidInputException(
          "--ramp-up-start-rps must be 0 or more and --ramp-up-end-rps 1 or more, got "
              + startPerSecond
              + " and "
              + endPerSecond);
    }
    if (startPerSecond > endPerSecond) {
      throw new InvalidInputException(
          "--ramp-up-start-rps "
              + startPerSecond
              + " is above --ramp-up-end-rps "
              + endPerSecond
              + ": a ramp rises, so give the lower rate first");
    }
    if (strategy == Strategy.EXPONENTIAL && startPerSecond == 0) {
      throw new InvalidInputException(
          "--ramp-up-strategy exponential multiplies --ramp-up-start-rps, which must then be 1 or"
              + " more, not 0");
    }
    if (requests < 1) {
      throw new InvalidInputException(
          "--ramp-up-strategy needs a plan of 1 request or more, got " + requests);
    }
  }

  /** The rate at which the gap before request {@code index} is drawn. */
  public double ratePerSecondAt(int index) {
    double progress = Math.min(1, index / (double) Math.max(requests - 1, 1));
    return switch (strategy) {
      case LINEAR -> startPerSecond + (endPerSecond - startPerSecond) * progress;
      case EXPONENTIAL ->
          startPerSecond * Math.pow(endPerSecond / (double) startPerSecond, progress);
    };
  }

  /**
   * The plan's mean rate, (n - 1) over the expected time from the first request to the last: the
   * rate its sends are judged against.
   */
  public double meanRatePerSecond() {
    if (requests < 2) {
      return endPerSecond;
    }
    double expectedSeconds = 0;
    for (int i = 1; i < requests; i++) {
      expectedSeconds += 1 / ratePerSecondAt(i);
    }
    return (requests - 1) / expectedSeconds;
  }

  /**
   * The offsets of the plan in nanoseconds after its start, lazily and without end: the first 0,
   * each next one gap of {@code gaps} (unit mean) divided by the rate at its index.
   */
  public PrimitiveIterator.OfLong offsets(GapDistribution gaps, long seed) {
    Objects.requireNonNull(gaps, "gaps");
    SplittableRandom random = new SplittableRandom(seed);
    return new PrimitiveIterator.OfLong() {
      private int index;
      private double offsetSeconds;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public long nextLong() {
        if (index > 0) {
          offsetSeconds += gaps.nextUnitGap(random) / ratePerSecondAt(index);
        }
        index = index == Integer.MAX_VALUE ? index : index + 1;
        return Math.round(offsetSeconds * NANOS_PER_SECOND);
      }
    };
  }
}
