package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exact peak of requests in flight over half-open intervals. */
class ConcurrencyPeakTest {

  @Test
  void anEndAtAnInstantComesBeforeASendAtIt() {
    ConcurrencyPeak peak = new ConcurrencyPeak();
    // [0, 100), [50, 150), [100, 200): at 100 one ends as one is sent, so at most 2.
    peak.add(100, 200);
    peak.add(0, 100);
    peak.add(50, 150);

    assertThat(peak.peak()).isEqualTo(2);
  }

  @Test
  void anOpenIntervalCountsToTheEndAndNoneGivesZero() {
    assertThat(new ConcurrencyPeak().peak()).isZero();
    ConcurrencyPeak peak = new ConcurrencyPeak();
    // A request cut off (never ended) is in flight from its send on.
    peak.add(0, Long.MAX_VALUE);
    peak.add(10, 20);
    peak.add(30, 40);
    peak.add(35, 36);

    assertThat(peak.peak()).isEqualTo(3);
  }
}
