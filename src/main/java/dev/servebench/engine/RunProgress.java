package dev.servebench.engine;

/**
 * How far a run has got, read by another thread (the live view) while the run goes on. Every value
 * is one atomic or volatile read of a counter the runner keeps anyway, so reading it costs the
 * runner's threads nothing; values read one after another may be a moment apart.
 */
public interface RunProgress {

  /** Requests sent (or handed to an I/O thread to send at their time), warm-up included. */
  long sentRequests();

  /** Requests recorded, failed ones included. */
  long finishedRequests();

  /** Recorded requests that failed (cancelled ones included). */
  long failedRequests();

  /** Requests sent and not yet finished, retries waiting for their back-off included. */
  int inFlightRequests();

  /** Whether the last request sent belonged to the warm-up. */
  boolean warmingUp();

  /** Whether the pacer has sent its last request: what is left is the drain. */
  boolean sendingDone();

  /**
   * {@link System#nanoTime()} at which the plan starts, or 0 before it is known: a later start
   * ({@code --start-at}) is known, and in the future, while the runner waits for it.
   */
  long planStartNanos();
}
