package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;

/**
 * A window in which the whole server writes nothing, measured from the server's start: every
 * response, header and token due inside it waits until the window ends and then leaves at once. At
 * a fixed request rate this is the classic coordinated-omission case: requests keep arriving, and
 * only a client that measures from the intended send time sees how long they waited.
 */
public record ServerStall(double fromMillis, double untilMillis) {
  public ServerStall {
    Checks.requireMillis("server stall start", fromMillis);
    Checks.requireMillis("server stall end", untilMillis);
    if (untilMillis < fromMillis) {
      throw new InvalidInputException(
          "mock server stall ends (" + untilMillis + " ms) before it starts (" + fromMillis + ")");
    }
  }
}
