package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerStallGateTest {

  private static final long START_NANOS = 1_000_000_000L;
  private static final long MILLI = 1_000_000L;

  private final ServerStallGate gate =
      new ServerStallGate(
          List.of(new ServerStall(100, 200), new ServerStall(200, 300), new ServerStall(500, 600)),
          START_NANOS);

  @Test
  void writesOutsideEveryWindowGoAtOnce() {
    assertThat(gate.writableAtNanos(START_NANOS + 99 * MILLI)).isEqualTo(START_NANOS + 99 * MILLI);
    assertThat(gate.writableAtNanos(START_NANOS + 300 * MILLI))
        .isEqualTo(START_NANOS + 300 * MILLI);
  }

  @Test
  void writesInsideAWindowWaitForItsEndFollowingTouchingWindows() {
    assertThat(gate.writableAtNanos(START_NANOS + 100 * MILLI))
        .isEqualTo(START_NANOS + 300 * MILLI);
    assertThat(gate.writableAtNanos(START_NANOS + 550 * MILLI))
        .isEqualTo(START_NANOS + 600 * MILLI);
  }
}
