package dev.servebench.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses the fault and the stalls of each generation request from the config, deterministically
 * from the request's seed and arrival number.
 */
final class Injections {

  /** Gives the choosing its own random stream, apart from the request's latencies and text. */
  private static final long SELECTION_SALT = 0x6A09E667F3BCC909L;

  private final List<FaultSpec> faults;
  private final List<Stall> stalls;
  private final MockCounters counters;

  Injections(MockServerConfig config, MockCounters counters) {
    this.faults = config.faults();
    this.stalls = config.stalls();
    this.counters = counters;
  }

  /** Chooses and counts the first applicable fault that selects the request, if any. */
  FaultSpec fault(long requestNumber, long requestSeed, boolean stream) {
    if (faults.isEmpty()) {
      return null;
    }
    SplittableRandom random = new SplittableRandom(requestSeed ^ SELECTION_SALT);
    for (FaultSpec spec : faults) {
      if (spec.fault().appliesTo(stream) && spec.requests().selects(requestNumber, random)) {
        counters.faultInjected(spec.fault());
        return spec;
      }
    }
    return null;
  }

  List<Stall> stalls(long requestNumber, long requestSeed) {
    if (stalls.isEmpty()) {
      return List.of();
    }
    // A stream apart from the faults', so adding a fault does not move the stalls.
    SplittableRandom random = new SplittableRandom(~requestSeed ^ SELECTION_SALT);
    List<Stall> chosen = new ArrayList<>(0);
    for (Stall stall : stalls) {
      if (stall.requests().selects(requestNumber, random)) {
        chosen.add(stall);
      }
    }
    return chosen;
  }
}
