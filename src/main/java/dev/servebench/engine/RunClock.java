package dev.servebench.engine;

import java.time.Duration;
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

  /**
   * A clock anchored on {@code startAt}, which may lie ahead: its nanoTime reading is the one the
   * wall clock is expected to show then, read now. Shards of one plan anchor on their common start
   * this way, so that each one's intended times are offsets from the same instant.
   */
  public static RunClock anchoredAt(Instant startAt) {
    long nanos = System.nanoTime();
    Instant now = Instant.now();
    return new RunClock(startAt, nanos + Duration.between(now, startAt).toNanos());
  }

  /** Nanoseconds since the anchor of a nanoTime reading; absent (-1) stays absent. */
  public long since(long nanoTime) {
    return nanoTime == -1 ? -1 : nanoTime - anchorNanos;
  }
}
