package dev.servebench.mock;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Totals over the server's life, for tests that check a client's counts exactly. */
final class MockCounters {

  private final LongAdder requestsServed = new LongAdder();
  private final LongAdder completionTokens = new LongAdder();
  private final LongAdder promptTokens = new LongAdder();
  private final LongAdder generatedTokens = new LongAdder();
  private final FirstTokenHistogram firstTokens = new FirstTokenHistogram();
  private final Map<Fault, LongAdder> faults = new EnumMap<>(Fault.class);

  MockCounters() {
    for (Fault fault : Fault.values()) {
      faults.put(fault, new LongAdder());
    }
  }

  void received(Generation generation) {
    promptTokens.add(generation.totalPromptTokens());
  }

  /**
   * Called before the last byte of the answer is written, so a client that has it sees the count.
   */
  void served(Generation generation) {
    completionTokens.add(generation.totalOutputTokens());
    requestsServed.increment();
  }

  /** Tokens as they are written (a whole answer's when it is), cut or faulty answers' too. */
  void generated(int tokens) {
    generatedTokens.add(tokens);
  }

  /** A request's first token was written {@code ttftNanos} after the request was read. */
  void firstToken(long ttftNanos) {
    firstTokens.observe(ttftNanos);
  }

  /** Called when a fault is chosen for a request, before any of it is written. */
  void faultInjected(Fault fault) {
    faults.get(fault).increment();
  }

  /** The faults injected at least once, with their counts. */
  Map<Fault, Long> faultsInjected() {
    Map<Fault, Long> injected = new EnumMap<>(Fault.class);
    faults.forEach(
        (fault, count) -> {
          if (count.sum() > 0) {
            injected.put(fault, count.sum());
          }
        });
    return Map.copyOf(injected);
  }

  long requestsServed() {
    return requestsServed.sum();
  }

  long completionTokens() {
    return completionTokens.sum();
  }

  long promptTokens() {
    return promptTokens.sum();
  }

  long generatedTokens() {
    return generatedTokens.sum();
  }

  FirstTokenHistogram.Snapshot firstTokens() {
    return firstTokens.snapshot();
  }
}
