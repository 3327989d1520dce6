package dev.servebench.engine;

import dev.servebench.schedule.Shard;

/**
 * The open-loop plan the runner follows: the intended send time of each next request, produced
 * lazily so duration-bounded runs need no count up front.
 */
@FunctionalInterface
public interface SendPlan {

  /** Returned by {@link #nextOffsetNanos()} when the plan has no more sends. */
  long END = Long.MAX_VALUE;

  /**
   * The next request's intended send time in nanoseconds after the plan's start, or {@link #END}.
   */
  long nextOffsetNanos();

  /**
   * The requests of {@code plan} that are {@code shard}'s (see {@link Shard}), at the times {@code
   * plan} gives them: the one-process plan is read whole and the other shards' requests skipped, so
   * that no time is drawn again.
   */
  static SendPlan shareOf(SendPlan plan, Shard shard) {
    if (shard.whole()) {
      return plan;
    }
    return new SendPlan() {
      private long next;

      @Override
      public long nextOffsetNanos() {
        while (true) {
          long offsetNanos = plan.nextOffsetNanos();
          if (offsetNanos == END || shard.owns(next++)) {
            return offsetNanos;
          }
        }
      }
    };
  }
}
