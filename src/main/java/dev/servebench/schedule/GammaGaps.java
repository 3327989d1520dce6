package dev.servebench.schedule;

import java.util.SplittableRandom;

/**
 * Gamma-distributed gaps of the given shape and unit mean (scale 1/shape), so their variance is
 * 1/shape. Shape 1 is the exponential distribution, drawn directly by inversion.
 *
 * <p>Other shapes use Marsaglia and Tsang's method ("A simple method for generating gamma
 * variables", 2000): a squeezed rejection from a transformed normal that accepts about 95 % of
 * draws or more at every shape. It needs shape &ge; 1; for smaller shapes it draws at shape + 1 and
 * multiplies by U^(1/shape), the boost the same paper gives. Implemented here, rather than taken
 * from a library, so a plan depends only on {@link SplittableRandom} and stays the same across JVMs
 * and library versions.
 */
record GammaGaps(double shape) implements GapDistribution {

  @Override
  public double nextUnitGap(SplittableRandom random) {
    if (shape == 1.0) {
      // 1 - U lies in (0, 1], so the logarithm is finite.
      return -Math.log(1.0 - random.nextDouble());
    }
    return sampleAtUnitScale(shape, random) / shape;
  }

  private static double sampleAtUnitScale(double shape, SplittableRandom random) {
    if (shape < 1.0) {
      double boosted = sampleAtUnitScale(shape + 1.0, random);
      return boosted * Math.pow(1.0 - random.nextDouble(), 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / Math.sqrt(9.0 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1.0 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = 1.0 - random.nextDouble();
      double xSquared = x * x;
      // The cheap squeeze accepts most draws without a logarithm.
      if (u < 1.0 - 0.0331 * xSquared * xSquared
          || Math.log(u) < 0.5 * xSquared + d * (1.0 - v + Math.log(v))) {
        return d * v;
      }
    }
  }
}
