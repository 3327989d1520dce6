package dev.servebench.engine;

import java.time.Instant;

/**
 * The run's one clock: a wall-clock instant read together with a {@link System#nanoTime()} reading.
 * Every stamp of the run is a nanoTime reading minus {@link #anchorNanos}; the wall instant turns
 * such offsets into absolute times for logs and for merging runs of several machines.
 */
public record RunClock(Instant wallAnchor, long anchorNanos) {

  public static RunClock start() {
    long nanos = System.nanoTime();
    return new RunClock(Instant.now(), nanos);
  }

  /** Nanoseconds since the anchor of a nanoTime reading; absent (-1) stays absent. */
  public long since(long nanoTime) {
    return nanoTime == -1 ? -1 : nanoTime - anchorNanos;
  }
}
