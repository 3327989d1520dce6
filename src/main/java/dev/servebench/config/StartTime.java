package dev.servebench.config;

import dev.servebench.error.InvalidInputException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Reads {@code --start-at}, the wall-clock instant at which the shards of one plan start: an
 * ISO-8601 instant with its offset ({@code 2025-06-01T12:00:00Z}, {@code
 * 2025-06-01T14:00:00+02:00}) or milliseconds since the epoch ({@code 1748779200000}, what {@code
 * date +%s%3N} prints). A time without an offset is refused: machines in different zones would read
 * it as different instants.
 */
public final class StartTime {

  /** The furthest ahead a start may lie: further is a typing mistake, not a plan. */
  public static final Duration MAX_AHEAD = Duration.ofHours(24);

  /**
   * The furthest behind a start may lie: a shard that comes this late sends nothing on time, so the
   * start was a mistake (a shard a little late still runs, and says how late).
   */
  public static final Duration MAX_BEHIND = Duration.ofHours(1);

  private StartTime() {}

  /**
   * The instant {@code text} names.
   *
   * @param now the current time, against which the instant is checked
   * @throws InvalidInputException when it is neither form, or lies more than {@link #MAX_AHEAD}
   *     ahead or {@link #MAX_BEHIND} behind {@code now}
   */
  public static Instant parse(String text, Instant now) {
    String trimmed = text == null ? "" : text.strip();
    Instant instant;
    if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit)) {
      try {
        instant = Instant.ofEpochMilli(Long.parseLong(trimmed));
      } catch (NumberFormatException | DateTimeException tooLarge) {
        throw invalid(text, "the number is too large for milliseconds since the epoch");
      }
    } else {
      try {
        instant = OffsetDateTime.parse(trimmed).toInstant();
      } catch (DateTimeException notIso) {
        throw invalid(
            text,
            "it is neither an ISO-8601 time with an offset (2025-06-01T12:00:00Z) nor"
                + " milliseconds since the epoch (1748779200000)");
      }
    }
    if (instant.isAfter(now.plus(MAX_AHEAD))) {
      throw invalid(text, "it is more than " + MAX_AHEAD.toHours() + " h ahead");
    }
    if (instant.isBefore(now.minus(MAX_BEHIND))) {
      throw invalid(
          text, "it is more than " + MAX_BEHIND.toHours() + " h ago (the clock reads " + now + ")");
    }
    return instant;
  }

  private static InvalidInputException invalid(String text, String why) {
    return new InvalidInputException(
        "--start-at '"
            + text
            + "' is not a start time: "
            + why
            + ". Give every shard the same instant a few seconds ahead, such as $(date -u -d '+30"
            + " seconds' +%Y-%m-%dT%H:%M:%SZ)");
  }
}
