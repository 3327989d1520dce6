package dev.servebench.schedule;

import dev.servebench.error.InvalidInputException;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

/**
 * A recorded trace's arrival times as the plan: request {@code i} is due at the trace's offset
 * {@code i} (its time after the first row's) multiplied by {@code --trace-time-scale}, rounded to
 * the nanosecond. A scale of 0.5 replays the trace twice as fast, 2 at half speed. Open loop like
 * every plan: a slow response never delays a later send.
 *
 * <p>Worked example: rows at 0, 1.5 s and 4 s, scale 0.5: requests due at 0, 0.75 s and 2 s.
 */
public final class TraceSchedule {

  private static final double NANOS_PER_SECOND = 1e9;

  private final long[] traceOffsetsNanos;
  private final double timeScale;

  /**
   * @param traceOffsetsNanos the rows' times after the first row's, in the trace's own time:
   *     non-decreasing, the first 0
   * @param timeScale what every offset is multiplied by, {@code --trace-time-scale}
   * @throws InvalidInputException when the scale is not a positive number
   */
  public TraceSchedule(long[] traceOffsetsNanos, double timeScale) {
    if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
      throw new InvalidInputException(
          "--trace-time-scale must be a positive number (below 1 replays the trace faster, above 1"
              + " slower), got "
              + timeScale);
    }
    if (traceOffsetsNanos.length == 0 || traceOffsetsNanos[0] != 0) {
      throw new IllegalArgumentException("a trace's offsets start at 0");
    }
    for (int i = 1; i < traceOffsetsNanos.length; i++) {
      if (traceOffsetsNanos[i] < traceOffsetsNanos[i - 1]) {
        throw new IllegalArgumentException("a trace's offsets never decrease, row " + i);
      }
    }
    this.traceOffsetsNanos = traceOffsetsNanos.clone();
    this.timeScale = timeScale;
  }

  /** How many requests the plan holds: one per row. */
  public int size() {
    return traceOffsetsNanos.length;
  }

  /** Request {@code index}'s intended offset from the run's start, in nanoseconds. */
  public long offsetNanos(int index) {
    // Math.round saturates at Long.MAX_VALUE instead of overflowing.
    return timeScale == 1
        ? traceOffsetsNanos[index]
        : Math.round(traceOffsetsNanos[index] * timeScale);
  }

  /** The offsets in order, then no more. */
  public PrimitiveIterator.OfLong offsets() {
    return new PrimitiveIterator.OfLong() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < traceOffsetsNanos.length;
      }

      @Override
      public long nextLong() {
        if (!hasNext()) {
          throw new NoSuchElementException("the trace has " + traceOffsetsNanos.length + " rows");
        }
        return offsetNanos(next++);
      }
    };
  }

  /**
   * The replay's mean rate in requests per second, (requests - 1) / span: what it offers the
   * server, for reports; infinite when every request is due at once.
   */
  public double meanRatePerSecond() {
    long spanNanos = offsetNanos(traceOffsetsNanos.length - 1);
    return spanNanos == 0
        ? Double.POSITIVE_INFINITY
        : (traceOffsetsNanos.length - 1) * NANOS_PER_SECOND / spanNanos;
  }
}
