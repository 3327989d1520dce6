package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Which generation requests a stall or fault applies to, by arrival number (0 for the first
 * generation request the server receives). A probability draws from the request's own seeded
 * generator, so the same seed picks the same requests on every run.
 */
public sealed interface RequestSelector
    permits RequestSelector.EveryNth, RequestSelector.Numbers, RequestSelector.WithProbability {

  /**
   * The command-line form: a probability ({@code 0.05} or {@code 5%}) or {@code every:N}.
   *
   * @throws InvalidInputException saying what is allowed (the caller adds which flag)
   */
  static RequestSelector parse(String when) {
    String text = when.strip();
    if (text.startsWith("every:")) {
      try {
        return new EveryNth(Long.parseLong(text.substring("every:".length()).strip()));
      } catch (NumberFormatException notWhole) {
        throw new InvalidInputException("every:N needs a whole number N, got '" + text + "'");
      }
    }
    boolean percent = text.endsWith("%");
    try {
      double probability =
          Double.parseDouble(percent ? text.substring(0, text.length() - 1) : text);
      return new WithProbability(percent ? probability / 100 : probability);
    } catch (NumberFormatException notNumber) {
      throw new InvalidInputException(
          "'" + text + "' is neither a probability (0.05, 5%) nor every:N");
    }
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
