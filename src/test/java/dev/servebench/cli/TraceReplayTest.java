package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trace replayed against the mock server: sent at the trace's own times, open loop. */
class TraceReplayTest {

  /** Far more than the client ever lags; only the intended times are compared exactly. */
  private static final long GENEROUS_LAG_NANOS = 2_000_000_000L;

  @TempDir Path dir;

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder().ttftMillis(5).itlMillis(1).modelName("gpt2").build());
  }

  private Cli.Result run(MockServer server, String format, Path trace, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                server.baseUrl(),
                "--model-name",
                "gpt2",
                "--tokenizer",
                "r50k_base",
                "--dataset-format",
                format,
                "--dataset",
                trace.toString(),
                "--stream",
                "--no-prompt-cache",
                "--results-dir",
                dir.resolve("results").toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private List<RequestRecord> records() {
    List<RequestRecord> records = new ArrayList<>();
    RecordReader.read(Cli.onlyFile(dir.resolve("results"), "-records.jsonl"), records::add);
    records.sort(Comparator.comparingInt(RequestRecord::index));
    return records;
  }

  private JsonNode summary() {
    return Cli.json(Cli.onlyFile(dir.resolve("results"), "-summary.json"));
  }

  private Path mooncake() throws IOException {
    return Files.writeString(
        dir.resolve("mooncake.jsonl"),
        """
        {"timestamp": 1000, "input_length": 40, "output_length": 3, "hash_ids": [1, 2, 3]}
        {"timestamp": 1100, "input_length": 45, "output_length": 2, "hash_ids": [1, 2, 4]}
        {"timestamp": 1250, "input_length": 20, "output_length": 4, "hash_ids": [1, 5]}
        {"timestamp": 1250, "input_length": 12, "output_length": 1, "hash_ids": [6]}
        {"timestamp": 1400.5, "input_length": 33, "output_length": 2, "hash_ids": [7, 8, 9]}
        {"timestamp": 99000, "input_length": 8, "output_length": 2, "hash_ids": [10]}
        """);
  }

  @Test
  void aMooncakeTraceIsSentAtItsOwnTimesScaled() throws IOException {
    Path trace = mooncake();
    try (MockServer server = mock()) {
      Cli.Result result =
          run(
              server,
              "Mooncake",
              trace,
              "--num-prompts",
              "5",
              "--trace-time-scale",
              "0.5",
              "--trace-block-tokens",
              "16");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(server.requestsServed()).isEqualTo(5);
    }
    List<RequestRecord> records = records();
    assertThat(records).hasSize(5);
    long start = records.get(0).stamps().intendedNanos();
    // The trace's offsets (0, 100, 250, 250, 400.5 ms) at half their length.
    assertThat(records)
        .extracting(r -> r.stamps().intendedNanos() - start)
        .containsExactly(0L, 50_000_000L, 125_000_000L, 125_000_000L, 200_250_000L);
    assertThat(records)
        .allSatisfy(
            r ->
                assertThat(r.stamps().sentNanos() - r.stamps().intendedNanos())
                    .isBetween(0L, GENEROUS_LAG_NANOS));
    assertThat(records).extracting(r -> r.tokens().prompt()).containsExactly(40, 45, 20, 12, 33);
    assertThat(records)
        .extracting(r -> r.tokens().requestedOutput())
        .containsExactly(3, 2, 4, 1, 2);
    JsonNode configuration = summary().path("configuration");
    assertThat(configuration.path("request_rate").asText()).isEqualTo("trace");
    assertThat(configuration.path("trace_time_scale").asDouble()).isEqualTo(0.5);
  }

  @Test
  void aBurstGptTracesWarmupRequestsAreItsFirstRows() throws IOException {
    Path trace =
        Files.writeString(
            dir.resolve("burstgpt.csv"),
            """
            Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
            100,ChatGPT,30,3,33,Conversation log
            100.05,GPT-4,12,0,12,API log
            100.1,ChatGPT,20,2,22,Conversation log
            100.2,ChatGPT,9,4,13,API log
            """);
    try (MockServer server = mock()) {
      Cli.Result result =
          run(server, "BurstGPT", trace, "--num-prompts", "3", "--warmup-requests", "1");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(server.requestsServed()).isEqualTo(3);
    }
    JsonNode summary = summary();
    assertThat(summary.path("requests").path("total").asInt()).isEqualTo(2);
    assertThat(summary.path("requests").path("warmup_excluded").asInt()).isEqualTo(1);
    List<RequestRecord> records = records();
    long start = records.get(0).stamps().intendedNanos();
    // The row with 0 response tokens failed in the trace and is skipped.
    assertThat(records)
        .extracting(r -> r.stamps().intendedNanos() - start)
        .containsExactly(0L, 100_000_000L, 200_000_000L);
    assertThat(records).extracting(RequestRecord::warmup).containsExactly(true, false, false);
  }

  @Test
  void aRateReplacesTheTracesTimes() throws IOException {
    Path trace = mooncake();
    try (MockServer server = mock()) {
      Cli.Result result =
          run(
              server,
              "Mooncake",
              trace,
              "--num-prompts",
              "5",
              "--trace-block-tokens",
              "16",
              "--request-rate",
              "inf");

      assertThat(result.exitCode()).as(result.err()).isZero();
    }
    // Every request due at once, the rows' lengths kept.
    assertThat(records())
        .extracting(r -> r.stamps().intendedNanos())
        .containsOnly(records().get(0).stamps().intendedNanos());
    assertThat(records()).extracting(r -> r.tokens().prompt()).containsExactly(40, 45, 20, 12, 33);
    assertThat(summary().path("configuration").path("request_rate").asText()).isEqualTo("inf");
  }

  @Test
  void flagsThatContradictATraceReplayAreBadInput() throws IOException {
    Path trace = mooncake();
    try (MockServer server = mock()) {
      assertBadInput(
          run(server, "Synthesis", trace, "--trace-time-scale", "2"),
          "--trace-time-scale scales a trace's own times: use it with --dataset-format Mooncake");
      assertBadInput(
          run(server, "Mooncake", trace, "--trace-time-scale", "2", "--request-rate", "5"),
          "--trace-time-scale scales a trace's own times, and --request-rate replaces them");
      assertBadInput(
          run(server, "Mooncake", trace, "--num-prompts", "5", "--arrival", "constant"),
          "a trace replay sends at the trace's own times");
      assertBadInput(
          run(server, "Mooncake", trace, "--num-prompts", "5", "--warmup-requests", "5"),
          "--warmup-requests 5 leaves none of the trace's 5 rows");
      assertBadInput(
          run(server, "Mooncake", trace, "--trace-time-scale", "0"),
          "--trace-time-scale must be a positive number");
      assertBadInput(
          run(server, "Mooncake", trace),
          "has 6 usable rows but --num-prompts asks for 1000: lower --num-prompts to 6");
      assertThat(server.requestsServed()).isZero();
    }
  }

  private static void assertBadInput(Cli.Result result, String message) {
    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err()).contains(message).doesNotContain("\tat ");
  }
}
