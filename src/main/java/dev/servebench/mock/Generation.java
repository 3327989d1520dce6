package dev.servebench.mock;

import java.util.List;

/**
 * A generation the server has accepted: which protocol frames it, how many tokens it produces per
 * prompt, the seed that fixes its latencies and text, and what (if anything) goes wrong with it.
 *
 * @param promptTokens prompt length of each prompt (several for a static batch)
 * @param requestNumber arrival number among generation requests, from 0
 * @param requestId the client's {@code X-Servebench-Request-Id}, or the arrival number
 * @param receivedNanos when the request's first bytes were read
 * @param fault the fault to inject; {@code null} for a healthy answer
 * @param stalls the stalls chosen for this request, usually none
 */
record Generation(
    ResponseFormat format,
    boolean stream,
    int[] promptTokens,
    int outputTokens,
    long seed,
    long requestNumber,
    String requestId,
    long receivedNanos,
    FaultSpec fault,
    List<Stall> stalls)
    implements Reply {

  int totalPromptTokens() {
    int total = 0;
    for (int tokens : promptTokens) {
      total += tokens;
    }
    return total;
  }

  int totalOutputTokens() {
    return outputTokens * promptTokens.length;
  }

  boolean faulty(Fault kind) {
    return fault != null && fault.fault() == kind;
  }
}
