package dev.servebench.metrics;

import java.util.Arrays;

/**
 * The most requests in flight at one instant, exactly: each request is the half-open interval
 * {@code [sent, end)}, so one that ends at the instant another is sent never overlaps it. Keeps two
 * longs per request (16 bytes), the one figure of a summary whose memory grows with the requests:
 * an exact peak needs every start and end, which arrive in completion order, not in time order.
 */
public final class ConcurrencyPeak {

  private long[] startsNanos = new long[256];
  private long[] endsNanos = new long[256];
  private int size;

  /** Adds one request's interval; an end before its start counts as an empty interval. */
  public void add(long startNanos, long endNanos) {
    if (size == startsNanos.length) {
      startsNanos = Arrays.copyOf(startsNanos, size * 2);
      endsNanos = Arrays.copyOf(endsNanos, size * 2);
    }
    startsNanos[size] = startNanos;
    endsNanos[size] = Math.max(startNanos, endNanos);
    size++;
  }

  /**
   * The peak: a sweep over the sorted starts, counting the requests started so far less those ended
   * at or before each start. 0 when no request was added.
   */
  public long peak() {
    long[] starts = Arrays.copyOf(startsNanos, size);
    long[] ends = Arrays.copyOf(endsNanos, size);
    Arrays.sort(starts);
    Arrays.sort(ends);
    long peak = 0;
    int ended = 0;
    for (int started = 0; started < size; started++) {
      while (ended < size && ends[ended] <= starts[started]) {
        ended++;
      }
      peak = Math.max(peak, started + 1 - ended);
    }
    return peak;
  }
}
