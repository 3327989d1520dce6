package dev.servebench.mock;

import java.util.ArrayDeque;

/**
 * Which requests run and which wait, shared by every connection of one server: at most {@link
 * CapacitySpec#maxRunningSequences()} run, the rest wait first in, first out. A finished sequence
 * hands its place straight to the oldest waiting request, so the running count never dips while
 * anyone waits. Without a limit every request runs at once; the counts are kept all the same, for
 * {@code /metrics}.
 *
 * <p>Every change happens under one lock, taken twice per request (entering and leaving), never per
 * token; a token's gap reads the running count without it.
 */
final class SequenceScheduler {

  /**
   * One request's place. A request that has to wait is told when it may run through {@link
   * #admitted}, called on whichever thread freed the place, under the scheduler's lock: it must
   * only hand the start over to the request's own thread.
   */
  abstract static class Slot {
    private State state = State.NEW;
    private long entryNumber;
    private long admissionNumber;
    private long enteredNanos;
    private long admittedNanos;

    /** The place is this request's from {@code admittedNanos}; its timeline starts there. */
    abstract void admitted(long admittedNanos);

    /** When the request reached the scheduler, its place among the requests to do so, and more. */
    final RequestWrites.Admission admission() {
      return new RequestWrites.Admission(entryNumber, admissionNumber, enteredNanos, admittedNanos);
    }
  }

  private enum State {
    NEW,
    WAITING,
    RUNNING,
    LEFT
  }

  private final CapacitySpec capacity;
  private final int maxRunning;
  private final ArrayDeque<Slot> queue = new ArrayDeque<>();
  private long entries;
  private long admissions;
  private int waiting;

  /** Read without the lock when a gap is planned; written under it. */
  private volatile int running;

  SequenceScheduler(CapacitySpec capacity) {
    this.capacity = capacity;
    this.maxRunning =
        capacity.maxRunningSequences() > 0 ? capacity.maxRunningSequences() : Integer.MAX_VALUE;
  }

  CapacitySpec capacity() {
    return capacity;
  }

  /**
   * Runs {@code slot} at once when a place is free (true: it was admitted at the time {@link
   * RequestWrites.Admission#admittedNanos()} of its admission, and {@link Slot#admitted} is not
   * called) or queues it (false: {@link Slot#admitted} comes when a place frees).
   */
  synchronized boolean enter(Slot slot) {
    slot.entryNumber = entries++;
    slot.enteredNanos = System.nanoTime();
    if (running < maxRunning) {
      admit(slot, slot.enteredNanos);
      running++;
      return true;
    }
    slot.state = State.WAITING;
    waiting++;
    queue.addLast(slot);
    return false;
  }

  /**
   * The request is over (answered, failed or cut) or its client has gone: its place passes to the
   * oldest waiting request, or a waiting request gives up its turn. Idempotent; a slot that never
   * entered is ignored.
   */
  synchronized void leave(Slot slot) {
    State before = slot.state;
    slot.state = State.LEFT;
    switch (before) {
      case WAITING -> waiting--; // found and dropped when its turn comes
      case RUNNING -> {
        Slot next;
        while ((next = queue.pollFirst()) != null && next.state != State.WAITING) {
          // Gave up while waiting.
        }
        if (next == null) {
          running--;
        } else {
          waiting--;
          admit(next, System.nanoTime()); // the place passes on: running stays the same
          next.admitted(next.admittedNanos);
        }
      }
      case NEW, LEFT -> {}
    }
  }

  /** Gives {@code slot} a place; the caller settles the running count. */
  private void admit(Slot slot, long nowNanos) {
    slot.state = State.RUNNING;
    slot.admissionNumber = admissions++;
    slot.admittedNanos = nowNanos;
  }

  /** Requests running now: admitted and not yet finished. */
  int runningSequences() {
    return running;
  }

  /** Requests waiting for a place now. */
  synchronized int waitingRequests() {
    return waiting;
  }

  /** Both counts read together, under the lock: {@code [running, waiting]}. */
  synchronized int[] counts() {
    return new int[] {running, waiting};
  }

  /**
   * The gap before a token of a running sequence: {@code max(configuredGapNanos, running /
   * tokensPerSecond)}, with the running count of this moment.
   */
  long gapNanos(long configuredGapNanos) {
    return Math.max(configuredGapNanos, capacity.budgetGapNanos(running));
  }
}
