package dev.servebench.mock;

import java.util.List;

/** Says when the server may write, given its {@link ServerStall} windows. */
final class ServerStallGate {

  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final long[] fromNanos;
  private final long[] untilNanos;

  ServerStallGate(List<ServerStall> stalls, long serverStartNanos) {
    fromNanos = new long[stalls.size()];
    untilNanos = new long[stalls.size()];
    for (int i = 0; i < stalls.size(); i++) {
      fromNanos[i] = serverStartNanos + Math.round(stalls.get(i).fromMillis() * NANOS_PER_MILLI);
      untilNanos[i] = serverStartNanos + Math.round(stalls.get(i).untilMillis() * NANOS_PER_MILLI);
    }
  }

  /** {@code nowNanos} if writes may happen now, else the end of the stall (or chain) now is in. */
  long writableAtNanos(long nowNanos) {
    long atNanos = nowNanos;
    boolean moved = true;
    // Windows may touch or overlap; follow them until a moment outside all of them.
    while (moved) {
      moved = false;
      for (int i = 0; i < fromNanos.length; i++) {
        if (atNanos - fromNanos[i] >= 0 && atNanos - untilNanos[i] < 0) {
          atNanos = untilNanos[i];
          moved = true;
        }
      }
    }
    return atNanos;
  }
}
