package dev.servebench.engine;

/**
 * The pacer's whole policy as a pure function: given the time since the plan started, the pacer's
 * place in the plan and whether a concurrency slot is free, what to do next (hand a request over,
 * send it now, wait, or stop). {@link BenchmarkRunner} only carries the steps out; the edge cases
 * (bursts, duration end, a full cap, a stop) are table-tested here without a server.
 *
 * <p>A multi-turn session's first turn is released by {@link #next} like any request (a plan's
 * time, a free slot); each later turn by {@link #nextTurn}, when the turn before it ended.
 *
 * <p>All times are nanoseconds from the plan's start.
 */
final class Pacing {

  /** How requests are released. */
  enum Mode {
    /** Each request at its planned time, handed ahead to an I/O thread's timer; no cap. */
    OPEN_LOOP,
    /** Each request at its planned time or when a slot frees, whichever is later; sent at once. */
    CAPPED,
    /** A fixed number in flight: each request as soon as a slot frees; the plan is not used. */
    CLOSED_LOOP
  }

  /** What the pacer does next. */
  enum Action {
    /** Send nothing more. */
    STOP,
    /** Sleep until {@link Step#atNanos}, then ask again. */
    WAIT_UNTIL,
    /** Wait for a concurrency slot to free, then ask again. */
    WAIT_FOR_SLOT,
    /** Send the next request now; it was intended at {@link Step#atNanos}. */
    SEND_NOW,
    /** Give the next request to an I/O thread, which sends it at {@link Step#atNanos}. */
    HAND_OVER
  }

  /**
   * One decision.
   *
   * @param atNanos the wake-up time for {@link Action#WAIT_UNTIL}; the request's intended time for
   *     {@link Action#SEND_NOW} and {@link Action#HAND_OVER}; otherwise 0
   * @param warmup whether the request sent is warm-up (left out of the figures)
   */
  record Step(Action action, long atNanos, boolean warmup) {
    static final Step STOP = new Step(Action.STOP, 0, false);
    static final Step WAIT_FOR_SLOT = new Step(Action.WAIT_FOR_SLOT, 0, false);
  }

  private final Mode mode;
  private final BenchmarkRunner.Bounds bounds;
  private final long handOverLeadNanos;
  private final long handOverBatchNanos;

  /**
   * @param handOverLeadNanos how long before its intended time an open-loop request is handed to an
   *     I/O thread (which then sends it on time from its own timer)
   * @param handOverBatchNanos requests whose hand-over time falls within this of now go at once, so
   *     the pacer wakes at most once per this period rather than once per request
   */
  Pacing(
      Mode mode, BenchmarkRunner.Bounds bounds, long handOverLeadNanos, long handOverBatchNanos) {
    this.mode = mode;
    this.bounds = bounds;
    this.handOverLeadNanos = handOverLeadNanos;
    this.handOverBatchNanos = handOverBatchNanos;
  }

  Mode mode() {
    return mode;
  }

  /**
   * The next step.
   *
   * @param index requests sent or handed over so far, warm-up included (the next one's index)
   * @param warmupSent how many of those were warm-up
   * @param nextOffsetNanos the plan's next intended time, or {@link SendPlan#END}; ignored by a
   *     closed loop
   * @param elapsedNanos now
   * @param slotFree whether a concurrency slot is free for the next request (always, with no cap)
   * @param stopRequested whether the run was asked to stop sending
   */
  Step next(
      long index,
      long warmupSent,
      long nextOffsetNanos,
      long elapsedNanos,
      boolean slotFree,
      boolean stopRequested) {
    if (stopRequested
        || (bounds.measuredRequests() >= 0 && index - warmupSent >= bounds.measuredRequests())) {
      return Step.STOP;
    }
    switch (mode) {
      case CLOSED_LOOP -> {
        // A slot first, then the time: a closed loop's request is intended when its slot frees.
        if (!slotFree) {
          return Step.WAIT_FOR_SLOT;
        }
        if (pastDuration(elapsedNanos)) {
          return Step.STOP;
        }
        return new Step(Action.SEND_NOW, elapsedNanos, isWarmup(index, elapsedNanos));
      }
      case CAPPED -> {
        if (nextOffsetNanos == SendPlan.END || pastDuration(nextOffsetNanos)) {
          return Step.STOP;
        }
        if (elapsedNanos < nextOffsetNanos) {
          return new Step(Action.WAIT_UNTIL, nextOffsetNanos, false);
        }
        if (!slotFree) {
          return Step.WAIT_FOR_SLOT;
        }
        return new Step(Action.SEND_NOW, nextOffsetNanos, isWarmup(index, nextOffsetNanos));
      }
      default -> {
        if (nextOffsetNanos == SendPlan.END || pastDuration(nextOffsetNanos)) {
          return Step.STOP;
        }
        long handOverNanos = nextOffsetNanos - handOverLeadNanos;
        if (handOverNanos - elapsedNanos > handOverBatchNanos) {
          return new Step(Action.WAIT_UNTIL, handOverNanos, false);
        }
        return new Step(Action.HAND_OVER, nextOffsetNanos, isWarmup(index, nextOffsetNanos));
      }
    }
  }

  /**
   * A session's next turn, asked as one of its turns ends: stop the session, or hand its next turn
   * over for the previous turn's end plus the think time, which is then its intended time (a user
   * answers what they read). A failed turn ends its session (the conversation cannot go on without
   * the answer); a turn due past the duration is not sent. Every turn of a warm-up session is
   * warm-up, so that a session's figures are measured or not as a whole.
   *
   * @param turnsEnded turns of the session sent and ended so far, the one that just ended included
   * @param sessionTurns how many turns the session has
   * @param previousSucceeded whether the turn that just ended succeeded
   * @param previousEndNanos when it ended
   * @param thinkNanos the think time between an answer's end and the next turn
   * @param sessionWarmup whether the session's first turn was warm-up
   * @param stopRequested whether the run was asked to stop sending
   */
  Step nextTurn(
      int turnsEnded,
      int sessionTurns,
      boolean previousSucceeded,
      long previousEndNanos,
      long thinkNanos,
      boolean sessionWarmup,
      boolean stopRequested) {
    if (stopRequested || !previousSucceeded || turnsEnded >= sessionTurns) {
      return Step.STOP;
    }
    long dueNanos = previousEndNanos + thinkNanos;
    if (pastDuration(dueNanos)) {
      return Step.STOP;
    }
    return new Step(Action.HAND_OVER, dueNanos, sessionWarmup);
  }

  private boolean pastDuration(long offsetNanos) {
    return bounds.durationNanos() >= 0
        && offsetNanos >= bounds.warmupNanos() + bounds.durationNanos();
  }

  private boolean isWarmup(long index, long intendedNanos) {
    return index < bounds.warmupRequests() || intendedNanos < bounds.warmupNanos();
  }
}
