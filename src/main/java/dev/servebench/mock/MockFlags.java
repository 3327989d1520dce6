package dev.servebench.mock;

import dev.servebench.error.InvalidInputException;
import java.util.Locale;

/** The command-line forms of the mock server's stalls and usage placement. */
public final class MockFlags {

  private MockFlags() {}

  /** {@code separate}, {@code in_last_content}, {@code absent} or {@code continuous}. */
  public static UsagePlacement usagePlacement(String text) {
    try {
      return UsagePlacement.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException unknown) {
      throw new InvalidInputException(
          "--usage '" + text + "': use separate, in_last_content, absent or continuous");
    }
  }

  /** {@code AFTER_TOKENS:HOLD_MS@WHEN}, e.g. {@code 5:2000@every:100} or {@code 0:500@0.01}. */
  public static Stall stall(String text) {
    int at = text.lastIndexOf('@');
    int colon = text.indexOf(':');
    if (at < 0 || colon < 0 || colon > at) {
      throw new InvalidInputException(
          "--stall '"
              + text
              + "': write AFTER_TOKENS:HOLD_MS@WHEN, e.g. 5:2000@every:100 or 0:500@0.01");
    }
    try {
      int afterTokens = Integer.parseInt(text.substring(0, colon).trim());
      double holdMillis = Double.parseDouble(text.substring(colon + 1, at).trim());
      return new Stall(afterTokens, holdMillis, RequestSelector.parse(text.substring(at + 1)));
    } catch (NumberFormatException notNumber) {
      throw new InvalidInputException(
          "--stall '" + text + "': AFTER_TOKENS and HOLD_MS must be numbers");
    } catch (InvalidInputException badPart) {
      throw new InvalidInputException("--stall '" + text + "': " + badPart.getMessage());
    }
  }

  /** {@code FROM_MS-UNTIL_MS} after the server's start, e.g. {@code 10000-12000}. */
  public static ServerStall serverStall(String text) {
    int dash = text.indexOf('-', 1);
    if (dash < 0) {
      throw new InvalidInputException(
          "--server-stall '" + text + "': write FROM_MS-UNTIL_MS, e.g. 10000-12000");
    }
    try {
      return new ServerStall(
          Double.parseDouble(text.substring(0, dash).trim()),
          Double.parseDouble(text.substring(dash + 1).trim()));
    } catch (NumberFormatException notNumber) {
      throw new InvalidInputException(
          "--server-stall '" + text + "': both times must be numbers of ms");
    }
  }
}
