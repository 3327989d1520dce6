package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.mock.Fault;
import dev.servebench.mock.FaultSpec;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestSelector;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Await;
import dev.servebench.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a server misbehaves ends that one request with its own reason while the others succeed,
 * and the totals add up: sent = succeeded + failed (+ cancelled, none here).
 */
class ServerFaultsTest {

  private static final int REQUESTS = 12;

  @TempDir Path results;

  static Stream<Arguments> faults() {
    return Stream.of(
        // fault, its parameter, the reason servebench must record, extra flags
        Arguments.of(Fault.CLOSE_BEFORE_HEADERS, 0L, "stream_cut", List.of()),
        Arguments.of(Fault.RESET_AFTER_TOKENS, 3L, "stream_cut", List.of()),
        Arguments.of(Fault.HTTP_429, 2L, "http_status", List.of()),
        Arguments.of(Fault.HTTP_429, 0L, "http_status", List.of()),
        Arguments.of(Fault.HTTP_500, 0L, "http_status", List.of()),
        Arguments.of(Fault.HTTP_503_HTML, 0L, "http_status", List.of()),
        Arguments.of(Fault.SSE_ERROR_EVENT, 2L, "server_error", List.of()),
        Arguments.of(Fault.DROP_LAST_EVENT, 0L, "stream_cut", List.of()),
        Arguments.of(Fault.HTML_200, 0L, "not_event_stream", List.of()),
        Arguments.of(Fault.MALFORMED_JSON, 2L, "parse", List.of()),
        Arguments.of(Fault.INVALID_UTF8, 2L, "parse", List.of()),
        Arguments.of(Fault.ENDLESS_STREAM, 0L, "timeout", List.of("--timeout", "0.5")),
        Arguments.of(Fault.NEVER_ANSWER, 0L, "ttft_timeout", List.of("--ttft-timeout", "0.3")),
        Arguments.of(
            Fault.WIDE_EVENTS,
            256L,
            "response_too_large",
            List.of("--max-response-bytes", "1000000")),
        Arguments.of(
            Fault.HUGE_RESPONSE,
            8L,
            "response_too_large",
            List.of("--max-response-bytes", "1000000")));
  }

  @Test
  void aResponseCutOffLateForItsSizeIsNotTokenized() throws Exception {
    // 256 KiB of unbroken text per event, cut off after about 1 MB: tokenizing what came (a BPE
    // tokenizer's work grows with the square of an unbroken text's length) held a run for minutes
    // and gigabytes at 20 MB. Such a response is not counted.
    try (MockServer server =
        mock(new FaultSpec(Fault.WIDE_EVENTS, 256, new RequestSelector.EveryNth(4)))) {
      Cli.Result result = run(server, List.of("--max-response-bytes", "1000000"));
      assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
      int tooLarge = 0;
      for (String line : Files.readAllLines(Cli.onlyFile(results, "-records.jsonl"))) {
        JsonNode record = new ObjectMapper().readTree(line);
        if ("response_too_large".equals(record.path("failure_reason").asText())) {
          tooLarge++;
          assertThat(record.path("chunk_ns").size()).isGreaterThan(0);
          assertThat(record.path("output_tokens").asInt()).isZero();
        }
      }
      assertThat(tooLarge).isEqualTo(3);
    }
  }

  @Test
  void aServerThatReadsAndNeverAnswersIsSaidWhileTheRunWaits() {
    // Without --ttft-timeout each request waits for --timeout; a tenth of it into the silence
    // the run says so, rather than look hung.
    try (MockServer server =
        mock(new FaultSpec(Fault.NEVER_ANSWER, 0, new RequestSelector.EveryNth(1)))) {
      Cli.Result result = run(server, List.of("--timeout", "2"));
      assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
      // Said once, however many were silent when it was noticed.
      assertThat(result.err())
          .containsPattern(
              "\\d+ requests? sent over 0.2 s ago ha(s|ve) heard nothing from the server")
          .containsOnlyOnce("heard nothing from the server")
          .contains("--ttft-timeout SECONDS ends such waits sooner");
    }
  }

  @Test
  void aStreamThatEndsCleanlyAfterItsUsageWithoutDoneIsComplete() {
    // Some servers omit data: [DONE]; the body ended properly and the usage event came.
    try (MockServer server =
        mock(new FaultSpec(Fault.END_WITHOUT_DONE, 0, new RequestSelector.EveryNth(4)))) {
      Cli.Result result = run(server, List.of());
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(server.faultsInjected()).containsEntry(Fault.END_WITHOUT_DONE, 3L);
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(REQUESTS);
      assertThat(summary.path("tokens").path("output_total").asInt()).isEqualTo(REQUESTS * 8);
    }
  }

  private static MockServer mock(FaultSpec... faults) {
    MockServerConfig.Builder config =
        MockServerConfig.builder().itlMillis(1).fixedOutputTokens(8).modelName("gpt2");
    for (FaultSpec fault : faults) {
      config.fault(fault);
    }
    return MockServer.start(config.build());
  }

  private Cli.Result run(MockServer server, List<String> extra) {
    List<String> args =
        new ArrayList<>(
            List.of("--input-len-mean", "16", "--num-prompts", Integer.toString(REQUESTS)));
    args.addAll(extra);
    return Cli.runSynthetic(server.baseUrl(), results, args.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}:{1} -> {2}")
  @MethodSource("faults")
  void eachFaultEndsItsRequestWithItsReasonAndSparesTheOthers(
      Fault fault, long parameter, String reason, List<String> flags) {
    // Every 4th request to arrive: 3 of 12. All are sent at once, so none reuses a connection.
    try (MockServer server =
        mock(new FaultSpec(fault, parameter, new RequestSelector.EveryNth(4)))) {
      Cli.Result result = run(server, flags);
      assertThat(result.exitCode()).as(result.err()).isEqualTo(3);
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      JsonNode requests = summary.path("requests");
      assertThat(server.faultsInjected()).containsEntry(fault, 3L);
      assertThat(requests.path("failures_by_reason").path(reason).asInt())
          .as(result.out())
          .isEqualTo(3);
      assertThat(requests.path("failed").asInt()).isEqualTo(3);
      assertThat(requests.path("succeeded").asInt()).isEqualTo(REQUESTS - 3);
      assertThat(
              requests.path("succeeded").asInt()
                  + requests.path("failed").asInt()
                  + requests.path("cancelled").asInt())
          .isEqualTo(summary.path("client").path("sent_requests").asInt())
          .isEqualTo(REQUESTS);
      // The other requests' tokens are all there.
      assertThat(summary.path("tokens").path("output_total").asInt()).isEqualTo((REQUESTS - 3) * 8);
      if (fault == Fault.HTTP_429 && parameter > 0) {
        assertThat(summary.path("requests").path("first_errors").get(0).asText())
            .contains("Retry-After: 2");
      }
      if (fault == Fault.HTML_200) {
        assertThat(requests.path("first_errors").get(0).asText())
            .contains("not an event stream")
            .contains("<!DOCTYPE html>");
      }
      if (fault == Fault.HTTP_503_HTML) {
        assertThat(requests.path("failures_by_http_status").path("503").asInt()).isEqualTo(3);
        assertThat(requests.path("first_errors").get(0).asText())
            .contains("HTTP 503")
            .containsIgnoringCase("<html");
      }
    }
  }

  @Test
  void retriesSendFailedRequestsAgainAndRecordEveryAttempt() {
    // The first three requests to arrive get a 429; their retries arrive later and succeed.
    try (MockServer server =
        mock(new FaultSpec(Fault.HTTP_429, 0, new RequestSelector.Numbers(Set.of(0L, 1L, 2L))))) {
      Cli.Result result = run(server, List.of("--retries", "2"));
      assertThat(result.exitCode()).as(result.out()).isZero();
      JsonNode requests = Cli.json(Cli.onlyFile(results, "-summary.json")).path("requests");
      assertThat(requests.path("succeeded").asInt()).isEqualTo(REQUESTS);
      assertThat(requests.path("retried").asInt()).isEqualTo(3);
      List<RequestRecord> records = new ArrayList<>();
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
      List<RequestRecord> retried =
          records.stream().filter(r -> r.outcome().attempts() > 1).toList();
      assertThat(retried).hasSize(3);
      // A retry waits its back-off (100 ms) after the failed attempt: a timer, never early.
      assertThat(retried)
          .allSatisfy(
              r ->
                  assertThat(r.stamps().sentNanos() - r.stamps().firstSentNanos())
                      .isGreaterThan(100_000_000L));
      // Lag is the client's lateness in sending the first attempt: retries and their back-off
      // are in the queue-inclusive figures, not in it. Measured to the last attempt, the lag's
      // maximum would be the largest sent - intended, 100 ms more for the retried ones.
      JsonNode latency = Cli.json(Cli.onlyFile(results, "-summary.json")).path("latency_ms");
      double firstAttemptLagMs =
          records.stream()
                  // Sent a hair early counts as on time.
                  .mapToLong(
                      r -> Math.max(0, r.stamps().firstSentNanos() - r.stamps().intendedNanos()))
                  .max()
                  .orElseThrow()
              / 1e6;
      assertThat(latency.path("schedule_lag").path("max").asDouble())
          .isCloseTo(firstAttemptLagMs, within(1e-3));
      double queueInclusiveE2eMs =
          records.stream()
                  .mapToLong(r -> r.stamps().lastTokenNanos() - r.stamps().intendedNanos())
                  .max()
                  .orElseThrow()
              / 1e6;
      assertThat(latency.path("queue_inclusive_e2e").path("max").asDouble())
          .isCloseTo(queueInclusiveE2eMs, within(1e-3))
          .isGreaterThan(100);
      assertThat(retried)
          .allSatisfy(
              r ->
                  assertThat(r.outcome().attemptErrors())
                      .singleElement()
                      .asString()
                      .startsWith("http_status: HTTP 429"));
    }
  }

  @Test
  void withoutRetriesAFailureStaysAFailure() {
    try (MockServer server =
        mock(new FaultSpec(Fault.HTTP_500, 0, new RequestSelector.Numbers(Set.of(0L))))) {
      Cli.Result result = run(server, List.of());
      assertThat(result.exitCode()).isEqualTo(3);
      assertThat(server.requestsServed()).isEqualTo(REQUESTS - 1);
    }
  }

  @Test
  void anIdleKeepAliveConnectionClosedAsItIsReusedIsRetriedTransparently() {
    // The server closes each idle connection 5 ms after its response; requests come every ~5 ms
    // on one connection at a time, so reuse races the close again and again.
    try (MockServer server =
        mock(new FaultSpec(Fault.CLOSE_IDLE_KEEPALIVE, 5, new RequestSelector.EveryNth(1)))) {
      Cli.Result result =
          run(
              server,
              List.of("--request-rate", "200", "--arrival", "constant", "--max-concurrency", "1"));
      assertThat(result.exitCode()).as(result.out()).isZero();
      JsonNode requests = Cli.json(Cli.onlyFile(results, "-summary.json")).path("requests");
      assertThat(requests.path("succeeded").asInt()).isEqualTo(REQUESTS);
      assertThat(requests.path("failed").asInt()).isZero();
    }
  }

  @Test
  void aServerThatGoesAwayMidRunRefusesTheRestAndEveryRequestIsAccountedFor() throws Exception {
    MockServer server = mock();
    try (java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor()) {
      // The server dies once it has answered three requests (of the twelve, due 125 ms apart),
      // however slow the start.
      timer.execute(
          () -> {
            try {
              Await.awaitUntil("three requests answered", () -> server.requestsServed() >= 3);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            server.close();
          });
      // A connection the dying server had just accepted may be neither answered nor closed (this
      // test process keeps it open): the TTFT limit ends such a request.
      Cli.Result result =
          run(
              server,
              List.of("--request-rate", "8", "--arrival", "constant", "--ttft-timeout", "2"));
      assertThat(result.exitCode()).isEqualTo(3);
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      JsonNode requests = summary.path("requests");
      assertThat(requests.path("failures_by_reason").path("connect").asInt()).isPositive();
      assertThat(requests.path("succeeded").asInt()).isPositive();
      assertThat(requests.path("succeeded").asInt() + requests.path("failed").asInt())
          .isEqualTo(summary.path("client").path("sent_requests").asInt())
          .isEqualTo(REQUESTS);
      assertThat(requests.path("first_errors").toString()).contains("cannot connect to");
    } finally {
      server.close();
    }
  }
}
