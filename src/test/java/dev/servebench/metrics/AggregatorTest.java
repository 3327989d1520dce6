package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.endpoint.FailureReason;
import dev.servebench.testing.Records;
import org.junit.jupiter.api.Test;

class AggregatorTest {

  private static final double MS = 1e6;

  @Test
  void streamedRequestsGiveExactTtftTpotItlAndE2e() {
    Aggregator aggregator = new Aggregator();
    // TTFT 50 ms, then 4 more chunks 10 ms apart: E2E 90 ms, TPOT (90-50)/(5-1) = 10 ms.
    aggregator.add(Records.streamed(0, 0, 0, 100, 5, 50, 60, 70, 80, 90));
    // TTFT 30 ms, 2 chunks 20 ms apart carrying 3 tokens: E2E 50, TPOT 20/2 = 10, one ITL of 20.
    aggregator.add(Records.streamed(1, 1000, 1000, 300, 3, 30, 50));
    Summary summary = aggregator.summarize(Records.run(1.0), null);

    assertThat(summary.succeeded()).isEqualTo(2);
    assertThat(summary.failed()).isZero();
    assertThat(summary.ttft().meanNanos()).isCloseTo(40 * MS, within(1.0));
    assertThat(summary.ttft().minNanos()).isCloseTo(30 * MS, within(1.0));
    assertThat(summary.ttft().maxNanos()).isCloseTo(50 * MS, within(1.0));
    assertThat(summary.e2e().meanNanos()).isCloseTo(70 * MS, within(1.0));
    // TPOT: request 0: 40/4 = 10 ms; request 1: 20/2 = 10 ms.
    assertThat(summary.tpot().meanNanos()).isCloseTo(10 * MS, within(1.0));
    // ITL pools all gaps: four of 10 ms and one of 20 ms.
    assertThat(summary.itl().count()).isEqualTo(5);
    assertThat(summary.itl().meanNanos()).isCloseTo(12 * MS, within(1.0));
    assertThat(summary.itl().maxNanos()).isCloseTo(20 * MS, within(1.0));
    assertThat(summary.itl().p50Nanos()).isCloseTo(10 * MS, within(10 * MS * 0.001));
    // Seed figures: next-token latency is each request's mean ITL (10 and 20), then averaged.
    assertThat(summary.nextTokenLatency().meanNanos()).isCloseTo(15 * MS, within(1.0));
    // Latency per token: 90/5 = 18 ms and 50/3 ms.
    assertThat(summary.perTokenLatency().meanNanos()).isCloseTo((18 + 50 / 3.0) / 2 * MS, within(1.0));
    assertThat(summary.inputTokens()).isEqualTo(400);
    assertThat(summary.outputTokens()).isEqualTo(8);
    assertThat(summary.minPromptTokens()).isEqualTo(100);
    assertThat(summary.maxPromptTokens()).isEqualTo(300);
  }

  @Test
  void durationRunsFromFirstSendToLastEndAndThroughputCountsOnlySuccesses() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.complete(0, 0, 400, 10, 20));
    aggregator.add(Records.complete(1, 500, 1500, 10, 30));
    aggregator.add(Records.failed(2, 600, 503, FailureReason.HTTP_STATUS, "HTTP 503: busy"));
    Summary summary = aggregator.summarize(Records.run(2.0), null);

    assertThat(summary.durationNanos()).isEqualTo(2000 * 1_000_000L);
    assertThat(summary.requestThroughputPerSecond()).isCloseTo(1.0, within(1e-9));
    assertThat(summary.outputTokensPerSecond()).isCloseTo(25.0, within(1e-9));
    assertThat(summary.inputTokensPerSecond()).isCloseTo(10.0, within(1e-9));
    assertThat(summary.totalTokensPerSecond()).isCloseTo(35.0, within(1e-9));
    // Three sends over 600 ms: two gaps.
    assertThat(summary.achievedSendRatePerSecond()).isCloseTo(2 / 0.6, within(1e-9));
    assertThat(summary.failed()).isEqualTo(1);
    assertThat(summary.failuresByReason()).containsEntry("http_status", 1L);
    assertThat(summary.failuresByHttpStatus()).containsEntry(503, 1L);
    assertThat(summary.firstErrors()).singleElement().asString().contains("HTTP 503: busy");
    // Non-streamed requests have no TTFT or ITL, only E2E.
    assertThat(summary.ttft().isEmpty()).isTrue();
    assertThat(summary.itl().isEmpty()).isTrue();
    assertThat(summary.e2e().meanNanos()).isCloseTo(950 * MS, within(1.0));
  }

  @Test
  void scheduleLagAndQueueInclusiveLatenciesStartFromTheIntendedTime() {
    Aggregator aggregator = new Aggregator();
    // Planned at 0, sent 30 ms late, first token 20 ms after send.
    aggregator.add(Records.streamed(0, 0, 30, 5, 2, 20, 40));
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.scheduleLag().maxNanos()).isCloseTo(30 * MS, within(1.0));
    assertThat(summary.ttft().meanNanos()).isCloseTo(20 * MS, within(1.0));
    assertThat(summary.queueInclusiveTtft().meanNanos()).isCloseTo(50 * MS, within(1.0));
    assertThat(summary.queueInclusiveE2e().meanNanos()).isCloseTo(70 * MS, within(1.0));
  }

  @Test
  void anEmptyRunHasNoNumbersButNoErrors() {
    Summary summary = new Aggregator().summarize(Records.run(Double.POSITIVE_INFINITY), null);
    assertThat(summary.requests()).isZero();
    assertThat(summary.requestThroughputPerSecond()).isNaN();
    assertThat(summary.ttft().isEmpty()).isTrue();
  }

  @Test
  void onlyTheFirstFewErrorsAreQuoted() {
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < 20; i++) {
      aggregator.add(Records.failed(i, i, -1, FailureReason.CONNECT, "refused " + i));
    }
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.firstErrors()).hasSize(Aggregator.QUOTED_ERRORS);
    assertThat(summary.failuresByReason()).containsEntry("connect", 20L);
    assertThat(summary.failuresByHttpStatus()).isEmpty();
  }
}
