package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Cli;
import dev.servebench.testing.ServerTruth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load shapes, warm-up, goodput and percentiles, end to end against the mock server. */
class RunModesTest {

  @TempDir Path results;

  private static MockServer mock(double ttftMillis, double itlMillis) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(ttftMillis)
            .itlMillis(itlMillis)
            .fixedOutputTokens(4)
            .recordWrites(ServerTruth.LOGGED_REQUESTS)
            .modelName("gpt2")
            .build());
  }

  private Cli.Result run(MockServer server, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("--input-len-mean", "16", "--input-len-stddev", "0"));
    args.addAll(List.of(extra));
    return Cli.runSynthetic(server.baseUrl(), results, args.toArray(String[]::new));
  }

  private JsonNode summary() {
    return Cli.json(Cli.onlyFile(results, "-summary.json"));
  }

  @Test
  void closedLoopKeepsExactlyTheConcurrencyInFlight() throws InterruptedException {
    try (MockServer server = mock(20, 5)) {
      Cli.Result result = run(server, "--concurrency", "4", "--num-prompts", "24");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode summary = summary();
      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(24);
      assertThat(summary.path("client").path("peak_in_flight").asInt()).isEqualTo(4);
      // The I/O threads' wait for a CPU: a figure where Linux keeps it, null elsewhere.
      JsonNode ioWait = summary.path("client").path("io_threads_cpu_wait_ms");
      if (Files.isReadable(Path.of("/proc/thread-self/schedstat"))) {
        assertThat(ioWait.isNumber()).as(ioWait.toString()).isTrue();
        assertThat(ioWait.asDouble()).isNotNegative();
        assertThat(result.out())
            .containsPattern("I/O threads' wait for a CPU \\(ms\\): +\\d+\\.\\d\\d");
      } else {
        assertThat(ioWait.isNull()).isTrue();
      }
      // Each request is due when a slot frees, so the client is late by its own plan only by its
      // hand-over to the I/O thread: for the median request less than the shortest request took
      // the server (35 ms nominal). Due on a schedule instead, most would wait a whole request.
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      double shortestRequestMs =
          truth.stream().mapToDouble(ServerTruth.Pair::serverE2eMs).min().orElseThrow();
      assertThat(summary.path("latency_ms").path("schedule_lag").path("p50").asDouble())
          .isLessThan(shortestRequestMs);
      assertThat(summary.path("warnings")).isEmpty();
    }
  }

  @Test
  void warmupRequestsAreRecordedButNotCounted() {
    try (MockServer server = mock(0, 0)) {
      Cli.Result result = run(server, "--warmup-requests", "3", "--num-prompts", "5");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode summary = summary();
      assertThat(summary.path("requests").path("total").asInt()).isEqualTo(5);
      assertThat(summary.path("requests").path("warmup_excluded").asInt()).isEqualTo(3);
      assertThat(server.requestsServed()).isEqualTo(8);
      assertThat(summary.path("tokens").path("output_total").asInt()).isEqualTo(5 * 4);
      assertThat(result.out()).contains("Warm-up requests (not counted):");
    }
  }

  @Test
  void durationWithConstantArrivalsSendsRateTimesDuration() {
    try (MockServer server = mock(0, 0)) {
      Cli.Result result =
          run(
              server,
              "--duration",
              "1s",
              "--request-rate",
              "20",
              "--arrival",
              "constant",
              "--num-prompts",
              "3");
      assertThat(result.exitCode()).as(result.err()).isZero();
      // Due at 0, 50, ..., 950 ms; the three prompts are cycled.
      assertThat(summary().path("requests").path("total").asInt()).isEqualTo(20);
      assertThat(server.requestsServed()).isEqualTo(20);
    }
  }

  @Test
  void rampUpFollowsTheIntegralOfTheRate() {
    try (MockServer server = mock(0, 0)) {
      Cli.Result result =
          run(
              server,
              "--ramp-up",
              "1s",
              "--request-rate",
              "20",
              "--arrival",
              "constant",
              "--duration",
              "2s");
      assertThat(result.exitCode()).as(result.err()).isZero();
      // 10 requests while the rate climbs from 0 to 20/s over the first second, then 20 more.
      assertThat(summary().path("requests").path("total").asInt()).isEqualTo(30);
    }
  }

  @Test
  void aConcurrencyCapThatHoldsRequestsBackIsNamedAndQueueInclusiveLatencyShowsTheWait() {
    try (MockServer server = mock(50, 1)) {
      Cli.Result result =
          run(
              server,
              "--request-rate",
              "100",
              "--max-concurrency",
              "1",
              "--num-prompts",
              "10",
              "--arrival",
              "constant");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode summary = summary();
      assertThat(summary.path("warnings").get(0).asText()).contains("--max-concurrency cap of 1");
      assertThat(result.out()).contains("WARNING:").contains("queue-inclusive");
      JsonNode latency = summary.path("latency_ms");
      // Ten requests due 10 ms apart, served one at a time in at least 53 ms each (the mock's
      // timers are never early): the last is sent at least 9 * 53 - 90 ms late, however slow the
      // machine, and the queue-inclusive figures count that wait; the plain ones do not.
      List<RequestRecord> records = new ArrayList<>();
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
      RequestRecord last =
          records.stream().max(Comparator.comparingInt(RequestRecord::index)).orElseThrow();
      assertThat(last.stamps().sentNanos() - last.stamps().intendedNanos())
          .isGreaterThan(300_000_000L);
      double lastQueueInclusiveTtftMs =
          (last.stamps().firstTokenNanos() - last.stamps().intendedNanos()) / 1e6;
      assertThat(latency.path("queue_inclusive_ttft").path("max").asDouble())
          .isGreaterThanOrEqualTo(lastQueueInclusiveTtftMs - 1e-3);
      double plainTtftMaxMs =
          records.stream()
                  .mapToLong(r -> r.stamps().firstTokenNanos() - r.stamps().sentNanos())
                  .max()
                  .orElseThrow()
              / 1e6;
      assertThat(latency.path("ttft").path("max").asDouble())
          .isCloseTo(plainTtftMaxMs, within(1e-3));
      assertThat(summary.path("client").path("peak_in_flight").asInt()).isEqualTo(1);
    }
  }

  @Test
  void goodputCountsRequestsMeetingEveryObjective() {
    try (MockServer server = mock(30, 1)) {
      Cli.Result result = run(server, "--num-prompts", "6", "--goodput", "ttft:500", "e2el:1000");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode goodput = summary().path("goodput");
      assertThat(goodput.path("requests_met").asInt()).isEqualTo(6);
      assertThat(goodput.path("fraction").asDouble()).isEqualTo(1.0);
      assertThat(result.out()).contains("Request goodput (req/s):");
    }
    try (MockServer server = mock(30, 1)) {
      Path strict = results.resolve("strict");
      Cli.Result result =
          Cli.runSynthetic(server.baseUrl(), strict, "--num-prompts", "6", "--goodput", "ttft:20");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode goodput = Cli.json(Cli.onlyFile(strict, "-summary.json")).path("goodput");
      // The server takes 30 ms to the first token: no request meets 20 ms.
      assertThat(goodput.path("requests_met").asInt()).isZero();
      assertThat(goodput.path("fraction").asDouble()).isZero();
    }
  }

  @Test
  void percentilesChooseTheConsoleColumnsAndTheJsonKeepsTheHistogram() {
    try (MockServer server = mock(10, 1)) {
      Cli.Result result = run(server, "--num-prompts", "5", "--percentiles", "90,99.9");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains("P90 TTFT (ms):")
          .contains("P99.9 ITL (ms):")
          // vLLM prints Mean and Median before the percentiles, whatever --percentiles lists.
          .containsOnlyOnce("Median TTFT (ms):");
      assertThat(result.out().indexOf("Median TTFT (ms):"))
          .isGreaterThan(result.out().indexOf("Mean TTFT (ms):"))
          .isLessThan(result.out().indexOf("P90 TTFT (ms):"));
      JsonNode ttft = summary().path("latency_ms").path("ttft");
      assertThat(ttft.path("percentiles").has("p90")).isTrue();
      assertThat(ttft.path("percentiles").has("p99.9")).isTrue();
      assertThat(ttft.path("hdr_histogram_ns").asText()).isNotBlank();
    }
  }

  @Test
  void contradictoryLoadFlagsAreRejected() {
    try (MockServer server = mock(0, 0)) {
      Cli.Result both = run(server, "--concurrency", "2", "--max-concurrency", "3");
      assertThat(both.exitCode()).isEqualTo(2);
      assertThat(both.err()).contains("--concurrency").contains("--max-concurrency");
      Cli.Result rate = run(server, "--concurrency", "2", "--request-rate", "5");
      assertThat(rate.exitCode()).isEqualTo(2);
      assertThat(rate.err()).contains("closed loop");
      Cli.Result burst = run(server, "--burstiness", "0");
      assertThat(burst.exitCode()).isEqualTo(2);
      assertThat(burst.err()).contains("--burstiness");
      Cli.Result goodput = run(server, "--goodput", "latency:5");
      assertThat(goodput.exitCode()).isEqualTo(2);
      assertThat(goodput.err()).contains("ttft, tpot, itl, e2el");
      assertThat(server.requestsServed()).isZero();
    }
  }

  @Test
  void aRepeatedRunTakesItsPromptsFromTheCache() {
    Path cache = results.resolve("cache");
    try (MockServer server = mock(0, 0)) {
      String[] flags = {"--num-prompts", "5", "--prompt-cache", cache.toString()};
      Cli.Result first = Cli.runSynthetic(server.baseUrl(), results, flags);
      Cli.Result second = Cli.runSynthetic(server.baseUrl(), results, flags);
      assertThat(first.exitCode()).as(first.err()).isZero();
      assertThat(second.exitCode()).as(second.err()).isZero();
      assertThat(first.err()).doesNotContain("from the prompt cache");
      assertThat(second.err()).contains("(from the prompt cache)");
    }
  }
}
