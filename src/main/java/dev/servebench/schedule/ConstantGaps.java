package dev.servebench.schedule;

import java.util.SplittableRandom;

/** Fixed gaps of exactly 1/R: a metronome, for tests that need the same load every time. */
record ConstantGaps() implements GapDistribution {

  @Override
  public double nextUnitGap(SplittableRandom random) {
    return 1.0;
  }
}
