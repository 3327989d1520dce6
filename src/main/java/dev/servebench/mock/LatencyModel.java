package dev.servebench.mock;

import java.util.List;
import java.util.random.RandomGenerator;

/** Turns a {@link LatencySpec} and a request's stalls into that request's token delays. */
final class LatencyModel {

  private static final double NANOS_PER_MILLI = 1_000_000.0;

  /** The delays of one response: before token 0 (the TTFT), then the gap before each later one. */
  @FunctionalInterface
  interface TokenDelays {
    /** Must be called for token 0, 1, 2, ... in order: drawn delays consume a random stream. */
    long beforeTokenNanos(int tokenIndex);
  }

  private final LatencySpec.Drawn drawn;
  private final long[] scriptTtftNanos;
  private final long[][] scriptItlNanos;

  LatencyModel(LatencySpec spec) {
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

  /**
   * @param random the request's own latency generator
   * @param stalls the stalls chosen for this request, usually none
   */
  TokenDelays forRequest(long requestNumber, RandomGenerator random, List<Stall> stalls) {
    TokenDelays delays = scripted(requestNumber);
    if (delays == null) {
      LatencySpec.Distribution ttft = drawn.ttft();
      LatencySpec.Distribution itl = drawn.itl();
      delays = token -> nanos((token == 0 ? ttft : itl).drawMillis(random));
    }
    return stalls.isEmpty() ? delays : withStalls(delays, stalls);
  }

  private TokenDelays scripted(long requestNumber) {
    if (scriptTtftNanos == null) {
      return null;
    }
    int script = (int) (requestNumber % scriptTtftNanos.length);
    long ttftNanos = scriptTtftNanos[script];
    long[] itlNanos = scriptItlNanos[script];
    return token -> token == 0 ? ttftNanos : itlNanos[Math.min(token - 1, itlNanos.length - 1)];
  }

  private static TokenDelays withStalls(TokenDelays delays, List<Stall> stalls) {
    return token -> {
      long nanos = delays.beforeTokenNanos(token);
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
