package dev.servebench.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.testing.Records;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    assertThat(summary.counts().succeeded()).isEqualTo(2);
    assertThat(summary.counts().failed()).isZero();
    assertThat(summary.latencies().ttft().meanNanos()).isCloseTo(40 * MS, within(1.0));
    assertThat(summary.latencies().ttft().minNanos()).isCloseTo(30 * MS, within(1.0));
    assertThat(summary.latencies().ttft().maxNanos()).isCloseTo(50 * MS, within(1.0));
    assertThat(summary.latencies().e2e().meanNanos()).isCloseTo(70 * MS, within(1.0));
    // TPOT: request 0: 40/4 = 10 ms; request 1: 20/2 = 10 ms.
    assertThat(summary.latencies().tpot().meanNanos()).isCloseTo(10 * MS, within(1.0));
    // ITL pools all gaps: four of 10 ms and one of 20 ms.
    assertThat(summary.latencies().itl().count()).isEqualTo(5);
    assertThat(summary.latencies().itl().meanNanos()).isCloseTo(12 * MS, within(1.0));
    assertThat(summary.latencies().itl().maxNanos()).isCloseTo(20 * MS, within(1.0));
    assertThat(summary.latencies().itl().p50Nanos()).isCloseTo(10 * MS, within(10 * MS * 0.001));
    // Seed figures: next-token latency is each request's mean ITL (10 and 20), then averaged.
    assertThat(summary.latencies().nextTokenLatency().meanNanos()).isCloseTo(15 * MS, within(1.0));
    // Latency per token: 90/5 = 18 ms and 50/3 ms.
    assertThat(summary.latencies().perTokenLatency().meanNanos())
        .isCloseTo((18 + 50 / 3.0) / 2 * MS, within(1.0));
    assertThat(summary.throughput().inputTokens()).isEqualTo(400);
    assertThat(summary.throughput().outputTokens()).isEqualTo(8);
    assertThat(summary.tokens().minPromptTokens()).isEqualTo(100);
    assertThat(summary.tokens().maxPromptTokens()).isEqualTo(300);
  }

  @Test
  void rehearsedWarmupRecordsLeaveEveryFigureAsWithoutThem() {
    Aggregator plain = new Aggregator();
    Aggregator rehearsing = new Aggregator();
    for (Aggregator aggregator : List.of(plain, rehearsing)) {
      aggregator.add(Records.streamed(0, 0, 0, 100, 5, 50, 60, 70, 80, 90));
      aggregator.add(Records.failed(1, 5, 503, FailureReason.HTTP_STATUS, "HTTP 503: busy"));
    }
    // Warm-up records: slower and failing, so any leak into the figures would move them.
    for (int i = 0; i < 3; i++) {
      RequestRecord slow = Records.warmupStreamed(10 + i, 700, 3, 900, 950, 999);
      RequestRecord failed =
          Records.warmupFailed(20 + i, 1, 500, FailureReason.HTTP_STATUS, "warm");
      for (RequestRecord record : List.of(slow, failed)) {
        plain.add(record);
        rehearsing.add(record);
        rehearsing.rehearse(record);
      }
    }

    Summary expected = plain.summarize(Records.run(1.0), null);
    Summary actual = rehearsing.summarize(Records.run(1.0), null);
    assertThat(actual)
        .usingRecursiveComparison()
        .withEqualsForType((a, b) -> Double.compare(a, b) == 0, Double.class)
        .isEqualTo(expected);
    assertThat(actual.counts().warmupRequests()).isEqualTo(6);
    assertThat(actual.counts().requests()).isEqualTo(2);
    assertThat(actual.latencies().ttft().maxNanos()).isCloseTo(50 * MS, within(1.0));
  }

  @Test
  void durationRunsFromFirstSendToLastEndAndThroughputCountsOnlySuccesses() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.complete(0, 0, 400, 10, 20));
    aggregator.add(Records.complete(1, 500, 1500, 10, 30));
    aggregator.add(Records.failed(2, 600, 503, FailureReason.HTTP_STATUS, "HTTP 503: busy"));
    Summary summary = aggregator.summarize(Records.run(2.0), null);

    assertThat(summary.throughput().durationNanos()).isEqualTo(2000 * 1_000_000L);
    assertThat(summary.throughput().requestThroughputPerSecond()).isCloseTo(1.0, within(1e-9));
    assertThat(summary.throughput().outputTokensPerSecond()).isCloseTo(25.0, within(1e-9));
    assertThat(summary.throughput().inputTokensPerSecond()).isCloseTo(10.0, within(1e-9));
    assertThat(summary.throughput().totalTokensPerSecond()).isCloseTo(35.0, within(1e-9));
    // Three sends over 600 ms: two gaps.
    assertThat(summary.throughput().achievedSendRatePerSecond()).isCloseTo(2 / 0.6, within(1e-9));
    assertThat(summary.counts().failed()).isEqualTo(1);
    assertThat(summary.failures().byReason()).containsEntry("http_status", 1L);
    assertThat(summary.failures().byHttpStatus()).containsEntry(503, 1L);
    assertThat(summary.failures().firstErrors())
        .singleElement()
        .asString()
        .contains("HTTP 503: busy");
    // Non-streamed requests have no TTFT or ITL, only E2E.
    assertThat(summary.latencies().ttft().isEmpty()).isTrue();
    assertThat(summary.latencies().itl().isEmpty()).isTrue();
    assertThat(summary.latencies().e2e().meanNanos()).isCloseTo(950 * MS, within(1.0));
  }

  @Test
  void scheduleLagAndQueueInclusiveLatenciesStartFromTheIntendedTime() {
    Aggregator aggregator = new Aggregator();
    // Planned at 0, sent 30 ms late, first token 20 ms after send.
    aggregator.add(Records.streamed(0, 0, 30, 5, 2, 20, 40));
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.latencies().scheduleLag().maxNanos()).isCloseTo(30 * MS, within(1.0));
    assertThat(summary.latencies().ttft().meanNanos()).isCloseTo(20 * MS, within(1.0));
    assertThat(summary.latencies().queueInclusiveTtft().meanNanos())
        .isCloseTo(50 * MS, within(1.0));
    assertThat(summary.latencies().queueInclusiveE2e().meanNanos()).isCloseTo(70 * MS, within(1.0));
  }

  @Test
  void anEmptyRunHasNoNumbersButNoErrors() {
    Summary summary = new Aggregator().summarize(Records.run(Double.POSITIVE_INFINITY), null);
    assertThat(summary.counts().requests()).isZero();
    assertThat(summary.throughput().requestThroughputPerSecond()).isNaN();
    assertThat(summary.latencies().ttft().isEmpty()).isTrue();
  }

  @Test
  void onlyTheFirstFewErrorsAreQuoted() {
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < 20; i++) {
      aggregator.add(Records.failed(i, i, -1, FailureReason.CONNECT, "refused " + i));
    }
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.failures().firstErrors()).hasSize(Aggregator.QUOTED_ERRORS);
    assertThat(summary.failures().byReason()).containsEntry("connect", 20L);
    assertThat(summary.failures().byHttpStatus()).isEmpty();
  }

  @Test
  void medianPromptLengthAndPromptServerLocalDifferences() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.complete(0, 0, 10, 300, 5));
    aggregator.add(Records.complete(1, 0, 10, 100, 5));
    aggregator.add(Records.complete(2, 0, 10, 200, 5));
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.tokens().minPromptTokens()).isEqualTo(100);
    assertThat(summary.tokens().medianPromptTokens()).isEqualTo(200);
    assertThat(summary.tokens().maxPromptTokens()).isEqualTo(300);
  }

  @Test
  void clientCpuShareAndCpuPerChunk() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.streamed(0, 0, 0, 10, 4, 10, 20, 30, 40));
    // 4 chunks; 2 s of CPU over a 4 s run on 2 cores.
    RunEnd end = new RunEnd(false, 1, 1, 1, 2_000_000_000L, 4_000_000_000L, 2, 0, 3_000_000L, 0);
    Summary summary = aggregator.summarize(Records.run(1.0), end);
    assertThat(summary.clientCpuShare()).isCloseTo(0.25, within(1e-12));
    assertThat(summary.clientCpuNanosPerChunk()).isCloseTo(500_000_000.0, within(1e-6));
    assertThat(summary.ioThreadsCpuWaitNanos()).isEqualTo(3_000_000.0);
    RunEnd unknownWait = new RunEnd(false, 1, 1, 1, 2_000_000_000L, 4_000_000_000L, 2, 0, -1, 0);
    assertThat(aggregator.summarize(Records.run(1.0), unknownWait).ioThreadsCpuWaitNanos()).isNaN();
  }

  /** A run at 100 req/s whose requests were each sent {@code lagMs} late. */
  private static Summary laggingRun(long lagMs, RunEnd end) {
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < 100; i++) {
      aggregator.add(Records.streamed(i, i * 10L, i * 10L + lagMs, 10, 2, 5, 6));
    }
    return aggregator.summarize(Records.run(100.0), end);
  }

  @Test
  void aLateClientIsWarnedAboutWithItsCause() {
    assertThat(laggingRun(0, null).warnings()).isEmpty();
    // The cap was reached: the warning names it.
    RunEnd capped = new RunEnd(false, 100, 100, 4, 100_000_000L, 1_000_000_000L, 2, 4, 0, 0);
    assertThat(laggingRun(20, capped).warnings())
        .singleElement()
        .asString()
        .contains("schedule lag p99 20.0 ms")
        .contains("--max-concurrency cap of 4");
    // No cap, but the client burnt 1.9 of its 2 cores.
    RunEnd busy = new RunEnd(false, 100, 100, 2, 1_900_000_000L, 1_000_000_000L, 2, 0, 0, 0);
    assertThat(laggingRun(20, busy).warnings())
        .singleElement()
        .asString()
        .contains("client CPU, the client used 95 %");
    // Neither: something else on the machine, which held the I/O threads' cores for 7.5 ms.
    RunEnd idle = new RunEnd(false, 100, 100, 2, 100_000_000L, 1_000_000_000L, 2, 0, 7_500_000L, 0);
    assertThat(laggingRun(20, idle).warnings())
        .singleElement()
        .asString()
        .contains("not the concurrency cap and not this process's CPU")
        .contains("its I/O threads waited 7.5 ms in all for a CPU");
    // A kernel that does not keep the wait: the cause says nothing of it.
    RunEnd unknownWait = new RunEnd(false, 100, 100, 2, 100_000_000L, 1_000_000_000L, 2, 0, -1, 0);
    assertThat(laggingRun(20, unknownWait).warnings())
        .singleElement()
        .asString()
        .contains("not the concurrency cap")
        .doesNotContain("waited");
  }

  @Test
  void aPlanDrawnSlowerThanTheConfiguredRateIsNoWarning() {
    // The seed's example: 5 requests at a configured 1 req/s whose drawn arrival times came 1.6 s
    // apart on average (0.64 req/s), every one sent on time.
    Aggregator aggregator = new Aggregator();
    long[] intendedMs = {0, 900, 2900, 4100, 6250};
    for (int i = 0; i < intendedMs.length; i++) {
      aggregator.add(Records.streamed(i, intendedMs[i], intendedMs[i], 10, 2, 5, 6));
    }
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.throughput().achievedSendRatePerSecond()).isCloseTo(4 / 6.25, within(1e-9));
    assertThat(summary.warnings()).isEmpty();
  }

  @Test
  void sendsSlowerThanThePlanAreWarnedAbout() {
    // Planned 10 ms apart (100 req/s), sent 20 ms apart: the client fell behind its own plan.
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < 50; i++) {
      aggregator.add(Records.streamed(i, i * 10L, i * 20L, 10, 2, 5, 6));
    }
    assertThat(aggregator.summarize(Records.run(100.0), null).warnings())
        .singleElement()
        .asString()
        .contains("achieved send rate 50.00 of the plan's 100.00 req/s");
  }

  @Test
  void aClosedLoopHasNoScheduleToWarnAbout() {
    // --concurrency 4: each request is due when a stream frees; its wait says nothing of a cap the
    // user never set.
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < 100; i++) {
      aggregator.add(Records.streamed(i, i * 10L, i * 10L + 20, 10, 2, 5, 6));
    }
    RunInfo closedLoop =
        new RunInfo(
            "test-run",
            "test",
            Instant.parse("2026-01-01T00:00:00Z"),
            Double.POSITIVE_INFINITY,
            Map.of("concurrency", 4));
    RunEnd end = new RunEnd(false, 100, 100, 4, 100_000_000L, 1_000_000_000L, 2, 4, 0, 0);
    assertThat(aggregator.summarize(closedLoop, end).warnings()).isEmpty();
  }

  /**
   * A run whose server counted each prompt as {@code serverPerLocalToken * local + constantTokens},
   * give or take a token where prompts differ (where text meets a chat template, tokens merge
   * differently).
   */
  private static Summary promptCounts(
      int requests, int[] localLengths, double serverPerLocalToken, double constantTokens) {
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < requests; i++) {
      int local = localLengths[i % localLengths.length];
      int jitter = localLengths.length > 1 ? i % 3 - 1 : 0;
      int server = (int) Math.round(serverPerLocalToken * local + constantTokens) + jitter;
      aggregator.add(Records.promptCounted(i, local, server));
    }
    return summarizeWithTokenizer(aggregator);
  }

  private static Summary summarizeWithTokenizer(Aggregator aggregator) {
    RunInfo run =
        new RunInfo(
            "test-run",
            "test",
            Instant.parse("2026-01-01T00:00:00Z"),
            Double.POSITIVE_INFINITY,
            Map.of("tokenizer", "r50k_base"));
    return aggregator.summarize(run, null);
  }

  /** ShareGPT-like prompt lengths, 20 to 1000 tokens. */
  private static final int[] VARIED =
      java.util.stream.IntStream.range(0, 200).map(i -> 20 + i * 97 % 980).toArray();

  @Test
  void aChatTemplateWithTheRightTokenizerIsNoMismatch() {
    // Llama 3's chat template adds about 30 tokens to every prompt, whatever its length.
    Summary summary = promptCounts(200, VARIED, 1.0, 31);
    Summary.TokenCountCheck check = summary.tokens().promptTokenCheck();
    assertThat(check.compared()).isEqualTo(200);
    assertThat(check.meanDifference()).isCloseTo(31, within(0.5));
    assertThat(check.differenceStandardDeviation()).isLessThan(1);
    assertThat(summary.warnings()).isEmpty();
    // Prompts of a few lengths only: a constant is still a template.
    assertThat(promptCounts(3, new int[] {30, 31, 33}, 1.0, 10).warnings()).isEmpty();
  }

  @Test
  void aTokenizerCountingDifferentlyIsWarnedAboutNamingTheFlag() {
    // 12 % more tokens than the local tokenizer finds, on top of a chat template.
    Summary more = promptCounts(200, VARIED, 1.12, 31);
    assertThat(more.warnings())
        .singleElement()
        .asString()
        .startsWith(
            "the server counts each prompt differently from the local tokenizer r50k_base, by a"
                + " different number of tokens each time (server - local: mean ")
        .contains("which a chat template or BOS token never does: the local tokenizer is not the")
        .endsWith(
            "pass the served model's tokenizer with --tokenizer (its Hugging Face repository id,"
                + " its tokenizer.json, or the directory that holds it).");
    assertThat(promptCounts(200, VARIED, 0.85, 0).warnings()).hasSize(1);
    // A spread within a few percent of the prompt: no warning.
    assertThat(promptCounts(200, VARIED, 1.02, 0).warnings()).isEmpty();
  }

  @Test
  void differencesThatChangeFromPromptToPromptAreAnotherTokenizer() {
    // Six prompts of similar lengths, each counted differently, as another vocabulary does.
    int[][] localAndServer = {{40, 52}, {60, 66}, {50, 63}, {70, 80}, {45, 50}, {65, 81}};
    Aggregator aggregator = new Aggregator();
    for (int i = 0; i < localAndServer.length; i++) {
      aggregator.add(Records.promptCounted(i, localAndServer[i][0], localAndServer[i][1]));
    }
    Summary summary = summarizeWithTokenizer(aggregator);
    // Differences 12, 6, 13, 10, 5, 16: their squared deviations from 10.33 sum to 89.33.
    assertThat(summary.tokens().promptTokenCheck().differenceStandardDeviation())
        .isCloseTo(Math.sqrt(89.333 / 5), within(0.001));
    assertThat(summary.warnings())
        .singleElement()
        .asString()
        .startsWith(
            "the server counts each prompt differently from the local tokenizer r50k_base, by a"
                + " different number of tokens each time (server - local: mean 10.3, standard"
                + " deviation 4.2, 7.7 % of the mean prompt of 55 tokens, over 6 requests)");
  }

  @Test
  void onePromptSentAgainIsJudgedByItsMeanDifference() {
    int[] ipex = {32};
    // A BOS token the server counts: no mismatch.
    assertThat(promptCounts(40, ipex, 1.0, 1).warnings()).isEmpty();
    // Five tokens more each time: a tokenizer or a template, the run cannot tell.
    assertThat(promptCounts(40, ipex, 1.0, 5).warnings())
        .singleElement()
        .asString()
        .startsWith(
            "the server counted 5.0 more tokens than the local tokenizer r50k_base for every prompt"
                + " (15.6 % of the prompt's 32 tokens, over 40 requests of the same length)."
                + " Unless the server adds that much to every prompt (a chat template does;")
        .contains("--tokenizer");
  }

  @Test
  void timeSeriesCountsEachSecond() {
    Aggregator aggregator = new Aggregator();
    // Sent at 0.1 s and 1.2 s; the first streams two tokens, at 0.15 s and 1.05 s.
    aggregator.add(Records.streamed(0, 100, 100, 10, 2, 50, 950));
    aggregator.add(Records.streamed(1, 1200, 1200, 10, 1, 30));
    aggregator.add(Records.failed(2, 1500, 500, FailureReason.HTTP_STATUS, "HTTP 500"));
    List<Summary.Interval> series = aggregator.summarize(Records.run(1.0), null).timeSeries();
    assertThat(series).hasSize(2);
    Summary.Interval first = series.get(0);
    Summary.Interval second = series.get(1);
    assertThat(first.started()).isEqualTo(1);
    assertThat(first.outputTokens()).isEqualTo(1);
    assertThat(first.inFlight()).isEqualTo(1);
    assertThat(first.latencies().ttftP50Nanos()).isCloseTo(50 * MS, within(50 * MS * 0.01));
    assertThat(first.latencies().scheduleLagP50Nanos()).isZero();
    // The gap of 900 ms ends at 1.05 s: it belongs to the second second.
    assertThat(first.latencies().itlP50Nanos()).isNaN();
    assertThat(second.latencies().itlP50Nanos()).isCloseTo(900 * MS, within(MS / 1000.0));
    assertThat(second.latencies().itlP99Nanos()).isCloseTo(900 * MS, within(MS / 1000.0));
    assertThat(second.latencies().ttftP99Nanos()).isCloseTo(30 * MS, within(MS / 1000.0));
    assertThat(second.started()).isEqualTo(2);
    assertThat(second.finished()).isEqualTo(2);
    assertThat(second.failed()).isEqualTo(1);
    assertThat(second.outputTokens()).isEqualTo(2);
    assertThat(second.inFlight()).isZero();
  }

  @Test
  void peakConcurrencyCountsOnlyRequestsInFlightAtTheSameInstant() {
    Aggregator aggregator = new Aggregator();
    // Three 100 ms requests one after another within one second: never two at once.
    aggregator.add(Records.complete(0, 0, 100, 10, 1));
    aggregator.add(Records.complete(1, 100, 100, 10, 1));
    aggregator.add(Records.complete(2, 200, 100, 10, 1));
    // Two more overlapping each other from 500 ms and 550 ms, and a third from 560 ms.
    aggregator.add(Records.complete(3, 500, 100, 10, 1));
    aggregator.add(Records.complete(4, 550, 100, 10, 1));
    aggregator.add(Records.complete(5, 560, 10, 10, 1));
    // A failed request overlapping them all is no successful request in flight.
    aggregator.add(Records.failed(6, 555, 500, FailureReason.HTTP_STATUS, "HTTP 500"));
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.throughput().peakConcurrentRequests()).isEqualTo(3);
  }

  @Test
  void peakOutputTokensPerSecondIsTheBusiestSecondOfTheTimeSeries() {
    Aggregator aggregator = new Aggregator();
    // Second 0: 5 tokens (4 in the first chunk, 1 in the second); second 1: 1 + 3 tokens.
    aggregator.add(Records.streamed(0, 100, 100, 10, 5, 50, 60));
    aggregator.add(Records.streamed(1, 900, 900, 10, 2, 50, 150));
    aggregator.add(Records.streamed(2, 1100, 1100, 10, 3, 100));
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.timeSeries())
        .extracting(Summary.Interval::outputTokens)
        .containsExactly(6L, 4L);
    assertThat(summary.throughput().peakOutputTokensPerSecond()).isEqualTo(6.0);
  }

  @Test
  void peakFiguresOfARunWithoutSuccessesAreUnknownAndZero() {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.failed(0, 0, 500, FailureReason.HTTP_STATUS, "HTTP 500"));
    Summary summary = aggregator.summarize(Records.run(1.0), null);
    assertThat(summary.throughput().peakOutputTokensPerSecond()).isNaN();
    assertThat(summary.throughput().peakConcurrentRequests()).isZero();
  }
}
