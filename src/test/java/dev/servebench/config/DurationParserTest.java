package dev.servebench.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DurationParserTest {

  static Stream<Arguments> valid() {
    return Stream.of(
        // Seconds, the common case.
        Arguments.of("30s", Duration.ofSeconds(30)),
        // Minutes.
        Arguments.of("5m", Duration.ofMinutes(5)),
        // Hours.
        Arguments.of("1h", Duration.ofHours(1)),
        // Milliseconds: "ms" must not be read as minutes followed by garbage.
        Arguments.of("250ms", Duration.ofMillis(250)),
        // A decimal fraction, exactly, with no binary rounding.
        Arguments.of("1.5s", Duration.ofMillis(1500)),
        // A fraction of a minute.
        Arguments.of("0.1m", Duration.ofSeconds(6)),
        // Parts add up, as in Go and vegeta.
        Arguments.of("1m30s", Duration.ofSeconds(90)),
        // Every unit at once.
        Arguments.of("1h2m3s4ms", Duration.ofMillis(3_723_004)),
        // Zero is a duration; whether it is allowed is the flag's business.
        Arguments.of("0s", Duration.ZERO),
        // Surrounding blanks from a shell script are forgiven.
        Arguments.of("  10s ", Duration.ofSeconds(10)),
        // Finer than a nanosecond is dropped.
        Arguments.of("0.0000000015s", Duration.ofNanos(1)),
        // The longest there is, about 292 years, in hours.
        Arguments.of("2562047h", Duration.ofHours(2_562_047)));
  }

  @ParameterizedTest
  @MethodSource("valid")
  void readsDurations(String text, Duration expected) {
    assertThat(DurationParser.parse("--duration", text)).isEqualTo(expected);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        // A bare number: seconds or milliseconds? Never guess.
        Arguments.of("60", "expected a number and a unit at '60'"),
        // Nothing at all.
        Arguments.of("", "it is empty"),
        // Only blanks.
        Arguments.of("   ", "it is empty"),
        // A unit the parser does not know.
        Arguments.of("5d", "expected a number and a unit at '5d'"),
        // Negative durations are not durations.
        Arguments.of("-5s", "expected a number and a unit at '-5s'"),
        // A unit without a number.
        Arguments.of("s", "expected a number and a unit at 's'"),
        // A dangling decimal point.
        Arguments.of("1.s", "expected a number and a unit at '1.s'"),
        // Trailing garbage after a valid part.
        Arguments.of("5sx", "expected a number and a unit at 'x'"),
        // Upper-case units are not accepted: "M" could mean months.
        Arguments.of("5M", "expected a number and a unit at '5M'"),
        // A blank between the number and its unit.
        Arguments.of("5 s", "expected a number and a unit at '5 s'"),
        // More than Duration's nanoseconds can hold.
        Arguments.of("2562048h", "it is too long"),
        // Absurdly many digits.
        Arguments.of("9".repeat(400) + "h", "it is too long"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void rejectsWhatIsNotADurationNamingTheFlag(String text, String problem) {
    assertThatThrownBy(() -> DurationParser.parse("--ramp-up", text))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage(
            "--ramp-up '"
                + text
                + "' is not a duration ("
                + problem
                + "): write a number and a unit, such as 250ms, 1.5s, 30s, 5m, 1h or 1m30s");
  }

  @Test
  void nullIsEmpty() {
    assertThatThrownBy(() -> DurationParser.parse("--duration", null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--duration 'null' is not a duration (it is empty)");
  }
}
