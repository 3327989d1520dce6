package dev.servebench.mock;

import dev.servebench.config.InvalidInputException;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Which generation requests a stall or fault applies to, by arrival number (0 for the first
 * generation request the server receives). A probability draws from the request's own seeded
 * generator, so the same seed picks the same requests on every run.
 */
public sealed interface RequestSelector
    permits RequestSelector.EveryNth, RequestSelector.Numbers, RequestSelector.WithProbability {

  /** Every request. */
  static RequestSelector all() {
    return new EveryNth(1);
  }

  /** Whether request {@code requestNumber} is chosen; {@code random} is that request's own. */
  boolean selects(long requestNumber, RandomGenerator random);

  /** Requests {@code n-1, 2n-1, ...}: the n-th, the 2n-th, ... to arrive. */
  record EveryNth(long n) implements RequestSelector {
    public EveryNth {
      Checks.requireAtLeast("'every n-th request' n", n, 1);
    }

    @Override
    public boolean selects(long requestNumber, RandomGenerator random) {
      return (requestNumber + 1) % n == 0;
    }
  }

  /** Exactly the requests with these arrival numbers. */
  record Numbers(Set<Long> requestNumbers) implements RequestSelector {
    public Numbers {
      requestNumbers = Set.copyOf(requestNumbers);
    }

    @Override
    public boolean selects(long requestNumber, RandomGenerator random) {
      return requestNumbers.contains(requestNumber);
    }
  }

  /** Each request independently with this probability. */
  record WithProbability(double probability) implements RequestSelector {
    public WithProbability {
      if (!(probability >= 0 && probability <= 1)) {
        throw new InvalidInputException(
            "a mock server probability must be from 0 to 1, got " + probability);
      }
    }

    @Override
    public boolean selects(long requestNumber, RandomGenerator random) {
      return random.nextDouble() < probability;
    }
  }
}
