package dev.servebench.schedule;

import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.SplittableRandom;

/**
 * One walk through an {@link ArrivalSchedule}: the intended offsets of requests 0, 1, 2, ... in
 * nanoseconds after the start of the run, non-decreasing, the first at 0. Made lazily, so a run
 * bounded by time needs no request count up front, and counted and timed runs share one
 * implementation. A pacer made with a duration stops before its first offset at or past it.
 *
 * <p>Not thread-safe: the runner's dispatch loop owns it. Two pacers of the same schedule yield the
 * same offsets.
 */
public final class Pacer implements PrimitiveIterator.OfLong {

  /** The stop of a pacer without a duration; offsets saturate there rather than end. */
  static final long UNBOUNDED = Long.MAX_VALUE;

  private final ArrivalSchedule schedule;
  private final SplittableRandom random;
  private final long stopNanos;

  /** The arrivals a unit-rate process has had by the next offset: Λ(next offset). */
  private double expectedArrivals;

  private long nextOffsetNanos;

  Pacer(ArrivalSchedule schedule, long stopNanos) {
    this.schedule = schedule;
    this.random = new SplittableRandom(schedule.seed());
    this.stopNanos = stopNanos;
  }

  /** Whether another request is due before the duration ends; always true without a duration. */
  @Override
  public boolean hasNext() {
    return stopNanos == UNBOUNDED || nextOffsetNanos < stopNanos;
  }

  /** The intended offset of the next request, in nanoseconds after the start of the run. */
  @Override
  public long nextLong() {
    if (!hasNext()) {
      throw new NoSuchElementException("the schedule's duration has ended");
    }
    long dueNanos = nextOffsetNanos;
    // Summed in unit time, in double, so rounding never accumulates across thousands of gaps.
    expectedArrivals += schedule.gaps().nextUnitGap(random);
    nextOffsetNanos = schedule.offsetNanosAt(expectedArrivals);
    return dueNanos;
  }
}
