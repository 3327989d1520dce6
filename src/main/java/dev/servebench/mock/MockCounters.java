package dev.servebench.mock;

import java.util.concurrent.atomic.LongAdder;

/** Totals over the server's life, for tests that check a client's counts exactly. */
final class MockCounters {

  private final LongAdder requestsServed = new LongAdder();
  private final LongAdder completionTokens = new LongAdder();
  private final LongAdder promptTokens = new LongAdder();

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

  long requestsServed() {
    return requestsServed.sum();
  }

  long completionTokens() {
    return completionTokens.sum();
  }

  long promptTokens() {
    return promptTokens.sum();
  }
}
