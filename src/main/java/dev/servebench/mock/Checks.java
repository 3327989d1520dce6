package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;

/** Range checks the mock server's settings share, each with a message that names the setting. */
final class Checks {

  private Checks() {}

  static void requireMillis(String what, double millis) {
    if (!(millis >= 0) || Double.isInfinite(millis)) {
      throw new InvalidInputException(
          "mock server " + what + " must be a finite number of milliseconds >= 0, got " + millis);
    }
  }

  static void requireAtLeast(String what, long value, long minimum) {
    if (value < minimum) {
      throw new InvalidInputException(
          "mock server " + what + " must be at least " + minimum + ", got " + value);
    }
  }
}
