package dev.servebench.config;

import dev.servebench.error.InvalidInputException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as users write them on the command line: a number and a unit ({@code 250ms},
 * {@code 30s}, {@code 5m}, {@code 1h}), the number possibly decimal ({@code 1.5s}), several such
 * parts in a row adding up ({@code 1m30s}, as Go and vegeta write them). A bare number is refused:
 * whether {@code 60} means seconds or milliseconds is exactly the guess a benchmark must not make.
 */
public final class DurationParser {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private DurationParser() {}

  /**
   * The duration {@code text} names, at nanosecond precision (finer fractions are dropped).
   *
   * @param flagName the flag the text came from, such as {@code --ramp-up}, named in errors
   * @throws InvalidInputException when the text is not a duration or is longer than ~292 years
   */
  public static Duration parse(String flagName, String text) {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.isEmpty()) {
      throw invalid(flagName, text, "it is empty");
    }
    Matcher part = PART.matcher(trimmed);
    BigDecimal totalNanos = BigDecimal.ZERO;
    int position = 0;
    while (position < trimmed.length()) {
      if (!part.find(position) || part.start() != position) {
        throw invalid(
            flagName,
            text,
            "expected a number and a unit at '" + trimmed.substring(position) + "'");
      }
      totalNanos = totalNanos.add(new BigDecimal(part.group(1)).multiply(nanosPer(part.group(2))));
      position = part.end();
    }
    if (totalNanos.compareTo(MAX_NANOS) > 0) {
      throw invalid(flagName, text, "it is too long");
    }
    return Duration.ofNanos(totalNanos.setScale(0, RoundingMode.DOWN).longValueExact());
  }

  private static BigDecimal nanosPer(String unit) {
    return switch (unit) {
      case "ms" -> BigDecimal.valueOf(1_000_000L);
      case "s" -> BigDecimal.valueOf(1_000_000_000L);
      case "m" -> BigDecimal.valueOf(60_000_000_000L);
      case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
      default -> throw new IllegalStateException("the pattern admits no unit " + unit);
    };
  }

  private static InvalidInputException invalid(String flagName, String text, String problem) {
    return new InvalidInputException(
        flagName
            + " '"
            + text
            + "' is not a duration ("
            + problem
            + "): write a number and a unit, such as 250ms, 1.5s, 30s, 5m, 1h or 1m30s");
  }
}
