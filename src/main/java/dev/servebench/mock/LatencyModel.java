package dev.servebench.mock;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Turns a {@link LatencySpec}, the server's {@link CapacitySpec} and a request's stalls into that
 * request's token delays: the drawn or scripted delay, stretched by the capacity (a prefill added
 * to the TTFT, a gap no shorter than the running sequences' share of the token budget), then any
 * stall's hold added.
 */
final class LatencyModel {

  private static final double NANOS_PER_MILLI = 1_000_000.0;

  /** The delays of one response: before token 0 (the TTFT), then the gap before each later one. */
  @FunctionalInterface
  interface TokenDelays {
    /**
     * Must be called for token 0, 1, 2, ... in order: drawn delays consume a random stream.
     *
     * @param runningSequences the sequences running as the delay is fixed, which share the token
     *     budget; 0 ignores the budget
     */
    long beforeTokenNanos(int tokenIndex, int runningSequences);

    /** The delay with the token budget ignored. */
    default long beforeTokenNanos(int tokenIndex) {
      return beforeTokenNanos(tokenIndex, 0);
    }
  }

  /** A request's delays before capacity and stalls. */
  @FunctionalInterface
  private interface BaseDelays {
    long beforeTokenNanos(int tokenIndex);
  }

  private final LatencySpec.Drawn drawn;
  private final long[] scriptTtftNanos;
  private final long[][] scriptItlNanos;

  private final CapacitySpec capacity;

  LatencyModel(LatencySpec spec) {
    this(spec, CapacitySpec.UNLIMITED);
  }

  LatencyModel(LatencySpec spec, CapacitySpec capacity) {
    this.capacity = capacity;
    switch (spec) {
      case LatencySpec.Drawn d -> {
        this.drawn = d;
        this.scriptTtftNanos = null;
        this.scriptItlNanos = null;
      }
      case LatencySpec.Scripted scripted -> {
        // Converted once, so a request's timing costs no boxing or arithmetic on the hot path.
        List<LatencySpec.Script> scripts = scripted.scripts();
        this.drawn = null;
        this.scriptTtftNanos = new long[scripts.size()];
        this.scriptItlNanos = new long[scripts.size()][];
        for (int i = 0; i < scripts.size(); i++) {
          scriptTtftNanos[i] = nanos(scripts.get(i).ttftMillis());
          List<Double> gaps = scripts.get(i).itlMillis();
          scriptItlNanos[i] = new long[gaps.size()];
          for (int j = 0; j < gaps.size(); j++) {
            scriptItlNanos[i][j] = nanos(gaps.get(j));
          }
        }
      }
    }
  }

  /** {@link #forRequest(long, RandomGenerator, List, long)} for a request of no prompt tokens. */
  TokenDelays forRequest(long requestNumber, RandomGenerator random, List<Stall> stalls) {
    return forRequest(requestNumber, random, stalls, 0);
  }

  /**
   * @param random the request's own latency generator
   * @param stalls the stalls chosen for this request, usually none
   * @param promptTokens the request's prompt tokens, whose prefill the capacity may add to its TTFT
   */
  TokenDelays forRequest(
      long requestNumber, RandomGenerator random, List<Stall> stalls, long promptTokens) {
    BaseDelays base = scripted(requestNumber);
    if (base == null) {
      LatencySpec.Distribution ttft = drawn.ttft();
      LatencySpec.Distribution itl = drawn.itl();
      base = token -> nanos((token == 0 ? ttft : itl).drawMillis(random));
    }
    TokenDelays delays = withCapacity(base, promptTokens);
    return stalls.isEmpty() ? delays : withStalls(delays, stalls);
  }

  private TokenDelays withCapacity(BaseDelays base, long promptTokens) {
    if (!capacity.limited()) {
      return (token, running) -> base.beforeTokenNanos(token);
    }
    long prefillNanos = capacity.prefillNanos(promptTokens);
    return (token, running) -> {
      long nanos = base.beforeTokenNanos(token);
      return token == 0 ? nanos + prefillNanos : Math.max(nanos, capacity.budgetGapNanos(running));
    };
  }

  private BaseDelays scripted(long requestNumber) {
    if (scriptTtftNanos == null) {
      return null;
    }
    int script = (int) (requestNumber % scriptTtftNanos.length);
    long ttftNanos = scriptTtftNanos[script];
    long[] itlNanos = scriptItlNanos[script];
    return token -> token == 0 ? ttftNanos : itlNanos[Math.min(token - 1, itlNanos.length - 1)];
  }

  private static TokenDelays withStalls(TokenDelays delays, List<Stall> stalls) {
    return (token, running) -> {
      long nanos = delays.beforeTokenNanos(token, running);
      for (Stall stall : stalls) {
        if (stall.afterTokens() == token) {
          nanos += nanos(stall.holdMillis());
        }
      }
      return nanos;
    };
  }

  private static long nanos(double millis) {
    return Math.max(0, Math.round(millis * NANOS_PER_MILLI));
  }
}
