package dev.servebench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.error.InvalidInputException;
import org.junit.jupiter.api.Test;

class CapacitySpecTest {

  @Test
  void theBudgetGapIsTheRunningCountOverTheBudgetRoundedToTheNanosecond() {
    CapacitySpec capacity = new CapacitySpec(4, 300, 0);

    assertThat(capacity.budgetGapNanos(1)).isEqualTo(3_333_333);
    assertThat(capacity.budgetGapNanos(2)).isEqualTo(6_666_667);
    assertThat(CapacitySpec.UNLIMITED.budgetGapNanos(100)).isZero();
  }

  @Test
  void thePrefillIsThePromptOverThePrefillRate() {
    assertThat(new CapacitySpec(0, 0, 2000).prefillNanos(500)).isEqualTo(250_000_000);
    assertThat(new CapacitySpec(4, 100, 0).prefillNanos(500)).isZero();
  }

  @Test
  void saturatedRateFollowsTheBindingLimit() {
    // Budget binds: 8 running share 400 tok/s, a gap of 20 ms > ITL 5 ms; 64 tokens take
    // 63 gaps: 1.26 s, so 8 / 1.26 s finish each second (= 400 / 63 without TTFT).
    assertThat(new CapacitySpec(8, 400, 0).saturatedRequestsPerSecond(0, 5, 100, 64))
        .isCloseTo(400.0 / 63, within(1e-9));
    // The running limit binds: ITL 10 ms beyond the budget's 1 ms; TTFT 50 ms plus a prefill of
    // 100 tokens at 1000 tok/s, then 31 gaps of 10 ms: 0.46 s for each of the 4.
    assertThat(new CapacitySpec(4, 4000, 1000).saturatedRequestsPerSecond(50, 10, 100, 32))
        .isCloseTo(4 / 0.46, within(1e-9));
  }

  @Test
  void aServerWithoutARunningLimitHasNoSaturatedRate() {
    assertThatThrownBy(() -> new CapacitySpec(0, 100, 0).saturatedRequestsPerSecond(0, 1, 1, 10))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badSettingsAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new CapacitySpec(-1, 0, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("max running sequences");
    assertThatThrownBy(() -> new CapacitySpec(1, Double.NaN, 0))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("token budget");
    assertThatThrownBy(() -> new CapacitySpec(1, 0, -5))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("prefill rate");
    assertThat(CapacitySpec.UNLIMITED.limited()).isFalse();
    assertThat(new CapacitySpec(0, 0, 1).limited()).isTrue();
  }
}
