package dev.servebench.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long the calling thread has been ready to run but waiting for a CPU, from Linux's scheduler
 * statistics. An I/O thread that waits stamps its chunks late by as much: the client's own lateness
 * when other processes (or this process's other threads) hold its cores, which CPU time alone does
 * not show.
 */
final class ThreadCpuWait {

  /** {@code <time on a CPU> <time waiting on a run queue> <timeslices>}, nanoseconds. */
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

  /** The figure where the kernel does not keep it (not Linux, or schedstats compiled out). */
  static final long UNKNOWN = -1;

  private ThreadCpuWait() {}

  /** The calling thread's run-queue wait since it started, or {@link #UNKNOWN}. */
  static long currentThreadNanos() {
    try {
      return parseWaitNanos(Files.readString(SCHEDSTAT, StandardCharsets.US_ASCII));
    } catch (IOException | SecurityException | UnsupportedOperationException unavailable) {
      return UNKNOWN;
    }
  }

  /** The second field of a schedstat line, or {@link #UNKNOWN} when the line is not one. */
  static long parseWaitNanos(String schedstat) {
    String[] fields = schedstat.strip().split(" ");
    if (fields.length < 3) {
      return UNKNOWN;
    }
    try {
      long waitNanos = Long.parseLong(fields[1]);
      return waitNanos >= 0 ? waitNanos : UNKNOWN;
    } catch (NumberFormatException notANumber) {
      return UNKNOWN;
    }
  }
}
