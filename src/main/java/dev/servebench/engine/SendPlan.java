package dev.servebench.engine;

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
}
