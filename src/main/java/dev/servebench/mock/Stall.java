package dev.servebench.mock;

import java.util.Objects;

/**
 * Holds the chosen requests' streams for {@code holdMillis} after their first {@code afterTokens}
 * tokens, on top of the normal gap; {@code afterTokens == 0} lengthens the TTFT.
 *
 * @param requests which requests stall, e.g. {@code new RequestSelector.Numbers(Set.of(100L))}
 */
public record Stall(int afterTokens, double holdMillis, RequestSelector requests) {
  public Stall {
    Checks.requireAtLeast("stall position in tokens", afterTokens, 0);
    Checks.requireMillis("stall", holdMillis);
    Objects.requireNonNull(requests, "requests");
  }
}
