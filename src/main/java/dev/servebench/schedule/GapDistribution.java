package dev.servebench.schedule;

import dev.servebench.error.InvalidInputException;
import java.util.SplittableRandom;

/**
 * The shape of the gaps between arrivals, drawn at unit mean; {@link ArrivalSchedule} scales them
 * to the configured rate. Keeping the shape apart from the rate is what lets one shape combine with
 * any rate curve, ramp-up included.
 */
public sealed interface GapDistribution permits ConstantGaps, GammaGaps {

  /** The next gap at unit mean rate; {@code random} is the plan's own stream of draws. */
  double nextUnitGap(SplittableRandom random);

  /** {@code --arrival constant}: every gap the same, so seeds do not matter. */
  static GapDistribution constant() {
    return new ConstantGaps();
  }

  /**
   * {@code --burstiness B}: gamma gaps of shape {@code B}, vLLM's definition. At rate R the gaps
   * have mean 1/R and variance 1/(R² B): B = 1 is Poisson, B &lt; 1 burstier, B &gt; 1 more
   * regular.
   *
   * @throws InvalidInputException unless B is positive and finite
   */
  static GapDistribution gamma(double burstiness) {
    if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
      throw new InvalidInputException(
          "--burstiness must be a positive number (1 for Poisson, below 1 burstier, above 1 more"
              + " regular), got "
              + burstiness);
    }
    return new GammaGaps(burstiness);
  }
}
