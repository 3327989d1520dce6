package dev.servebench.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceScheduleTest {

  private static final long[] ROWS = {0, 1_500_000_000L, 1_500_000_000L, 4_000_000_000L};

  private static List<Long> offsets(TraceSchedule schedule) {
    List<Long> offsets = new ArrayList<>();
    for (PrimitiveIterator.OfLong it = schedule.offsets(); it.hasNext(); ) {
      offsets.add(it.nextLong());
    }
    return offsets;
  }

  @Test
  void aScaleOfOneIsTheTraceItself() {
    assertThat(offsets(new TraceSchedule(ROWS, 1)))
        .containsExactly(0L, 1_500_000_000L, 1_500_000_000L, 4_000_000_000L);
  }

  @Test
  void theScaleMultipliesEveryOffset() {
    // Half the time: twice as fast.
    assertThat(offsets(new TraceSchedule(ROWS, 0.5)))
        .containsExactly(0L, 750_000_000L, 750_000_000L, 2_000_000_000L);
    // Twice the time: half as fast.
    assertThat(offsets(new TraceSchedule(ROWS, 2)))
        .containsExactly(0L, 3_000_000_000L, 3_000_000_000L, 8_000_000_000L);
    // Rounded to the nanosecond.
    assertThat(new TraceSchedule(new long[] {0, 1}, 0.5).offsetNanos(1)).isEqualTo(1);
  }

  @Test
  void aScaleOfOneKeepsOffsetsPastADoublesPrecision() {
    long fourMonthsNanos = 121L * 86_400 * 1_000_000_000 + 1;
    assertThat(new TraceSchedule(new long[] {0, fourMonthsNanos}, 1).offsetNanos(1))
        .isEqualTo(fourMonthsNanos);
  }

  @Test
  void theMeanRateIsRowsOverTheScaledSpan() {
    assertThat(new TraceSchedule(ROWS, 1).meanRatePerSecond()).isEqualTo(3 / 4.0);
    assertThat(new TraceSchedule(ROWS, 0.5).meanRatePerSecond()).isEqualTo(3 / 2.0);
    assertThat(new TraceSchedule(new long[] {0, 0}, 1).meanRatePerSecond()).isInfinite();
  }

  @Test
  void theOffsetsEndWithTheRows() {
    PrimitiveIterator.OfLong offsets = new TraceSchedule(new long[] {0}, 1).offsets();
    offsets.nextLong();
    assertThat(offsets.hasNext()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
  void rejectsAScaleThatIsNotAPositiveNumber(double scale) {
    assertThatThrownBy(() -> new TraceSchedule(ROWS, scale))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("--trace-time-scale must be a positive number");
  }
}
