package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.SharedTestData;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import dev.servebench.testing.ServerTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole tool against the mock server, whose token counts are known and whose latencies it logs
 * as it writes: every endpoint type, streamed and not, every dataset format. Latency checks compare
 * with that log, not with the configured latencies a busy machine makes the mock miss: nothing
 * below the truth, since a response can never beat the server, and little above it for the median
 * request (see {@link ServerTruth}). The absolute figures on a quiet machine are {@code bench/}'s.
 */
class RunEndToEndTest {

  private static final double TTFT_MS = 50;
  private static final double ITL_MS = 20;
  private static final int OUTPUT_TOKENS = 8;

  @TempDir Path results;

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(TTFT_MS)
            .itlMillis(ITL_MS)
            .fixedOutputTokens(OUTPUT_TOKENS)
            .recordWrites(ServerTruth.LOGGED_REQUESTS)
            .modelName("gpt2")
            .build());
  }

  private List<String> baseArgs(MockServer server, String endpointType, boolean stream) {
    List<String> args = new ArrayList<>();
    args.add("--model-endpoint-base");
    args.add(server.baseUrl());
    args.add("--model-name");
    args.add("gpt2");
    args.add("--endpoint-type");
    args.add(endpointType);
    args.add(stream ? "--stream" : "--no-stream");
    args.add("--results-dir");
    args.add(results.toString());
    return args;
  }

  private Cli.Result run(List<String> args) {
    Cli.Result result = Cli.run(args.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.err()).isZero();
    return result;
  }

  private JsonNode summary() {
    return Cli.json(Cli.onlyFile(results, "-summary.json"));
  }

  @ParameterizedTest
  @CsvSource({"openai-chat", "openai-completions", "simple"})
  void streamsMeasureTheServersKnownLatencies(String endpointType) throws InterruptedException {
    try (MockServer server = mock()) {
      List<String> args = baseArgs(server, endpointType, true);
      args.addAll(
          List.of(
              "--dataset-format",
              "Synthesis",
              "--num-prompts",
              "40",
              "--request-rate",
              "100",
              "--input-len-mean",
              "64",
              "--input-len-stddev",
              "8",
              "--tokenizer",
              "r50k_base",
              // A fresh JVM's first requests pay for class loading and compilation on both sides.
              "--warmup-requests",
              "3"));
      Cli.Result result = run(args);
      JsonNode summary = summary();
      JsonNode latency = summary.path("latency_ms");

      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(40);
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      assertThat(truth).hasSize(40);
      // Each request's TTFT and E2E: never below the server's, near it for the median request.
      // TTFT taken from a later chunk would be 20 ms (one gap) over it, from the headers 50 below.
      ServerTruth.assertTtftAndE2eFollowTheServer(truth);
      // The summary reports exactly those figures.
      assertThat(latency.path("ttft").path("mean").asDouble())
          .isCloseTo(ServerTruth.mean(truth, ServerTruth.Pair::clientTtftMs), within(1e-3));
      assertThat(latency.path("e2e").path("mean").asDouble())
          .isCloseTo(ServerTruth.mean(truth, ServerTruth.Pair::clientE2eMs), within(1e-3));
      // Gaps: one per chunk after the first, their mean the server's.
      assertThat(latency.path("itl").path("count").asInt()).isEqualTo(40 * (OUTPUT_TOKENS - 1));
      assertThat(latency.path("itl").path("mean").asDouble())
          .isCloseTo(ServerTruth.meanServerGapMs(truth), within(ServerTruth.MEAN_GAP_TOLERANCE_MS));
      // TPOT: each request's first-to-last span over its tokens after the first, as written.
      assertThat(latency.path("tpot").path("mean").asDouble())
          .isCloseTo(
              ServerTruth.mean(
                  truth, pair -> pair.serverSpanMs(0, pair.chunks() - 1) / (OUTPUT_TOKENS - 1)),
              within(ServerTruth.MEAN_GAP_TOLERANCE_MS));
      assertThat(summary.path("tokens").path("output_total").asLong())
          .isEqualTo(server.completionTokensGenerated() - 3L * OUTPUT_TOKENS)
          .isEqualTo(40L * OUTPUT_TOKENS);
      if (!endpointType.equals("simple")) { // the simple stream reports no prompt count
        JsonNode check = summary.path("tokens").path("prompt_server_vs_local");
        assertThat(check.path("compared").asInt()).isEqualTo(40);
        assertThat(check.path("max_abs_difference").asInt()).isZero();
      }
      // Seed figures are the same quantities in seconds.
      assertThat(summary.path("avg_first_token_latency").asDouble())
          .isCloseTo(latency.path("ttft").path("mean").asDouble() / 1000, within(1e-9));
      // One token per chunk: the mean gap per request is its TPOT.
      assertThat(summary.path("avg_next_token_latency").asDouble())
          .isCloseTo(latency.path("tpot").path("mean").asDouble() / 1000, within(1e-9));
      assertThat(summary.path("num_prompts").asInt()).isEqualTo(40);
      // The console shows both the original's lines and the vLLM-style table.
      assertThat(result.out())
          .contains("Request Throughput (QPS):")
          .contains("Average latency for First Tokens:")
          .contains("Serving Benchmark Result")
          .contains("Mean TTFT (ms):")
          .contains("P99 ITL (ms):")
          // The default --percentiles 50,99: 50 is the Median line, printed once, no P50.
          .containsOnlyOnce("Median TTFT (ms):")
          .doesNotContain("P50 TTFT");
    }
  }

  @ParameterizedTest(name = "{0}, stream={1}")
  @CsvSource({
    "openai-chat, true", "openai-chat, false",
    "openai-completions, true", "openai-completions, false",
    "simple, true", "simple, false"
  })
  void everyEndpointTypeWithShareGpt(String endpointType, boolean stream)
      throws IOException, InterruptedException {
    try (MockServer server = mock()) {
      List<String> args = baseArgs(server, endpointType, stream);
      args.addAll(
          List.of(
              "--dataset",
              SharedTestData.data("sharegpt-v3-sample50.json").toString(),
              "--dataset-format",
              "ShareGPT",
              "--num-prompts",
              "10",
              "--request-rate",
              "50",
              "--warmup-requests",
              "2",
              "--max-input-tokens-len",
              "4096",
              "--max-length",
              "8192",
              "--min-output-tokens-len",
              "1",
              "--tokenizer",
              "r50k_base",
              "--track-input-output"));
      run(args);
      JsonNode summary = summary();
      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(10);
      assertThat(summary.path("tokens").path("output_total").asLong())
          .isEqualTo(server.completionTokensGenerated() - 2L * OUTPUT_TOKENS)
          .isEqualTo(10L * OUTPUT_TOKENS);
      // Long prompts (the mock tokenizes them after it read them: its log has that time too) in
      // ten requests after two warm-ups, on what may be the JVM's first, cold run, whose median
      // request's excess over the server can pass ServerTruth.MEDIAN_EXCESS_MS when other work
      // holds the cores. So this only catches gross errors (any figure below the server's, or
      // 100 ms over it); the test above is the precise one.
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      assertThat(truth).hasSize(10);
      ServerTruth.assertTtftAndE2eFollowTheServer(truth, 100);
      assertThat(summary.path("latency_ms").path("e2e").path("mean").asDouble())
          .isCloseTo(ServerTruth.mean(truth, ServerTruth.Pair::clientE2eMs), within(1e-3));
      if (stream) {
        assertThat(summary.path("latency_ms").path("ttft").path("mean").asDouble())
            .isCloseTo(ServerTruth.mean(truth, ServerTruth.Pair::clientTtftMs), within(1e-3));
      } else {
        assertThat(summary.path("latency_ms").path("ttft").path("count").asInt()).isZero();
        assertThat(summary.path("avg_first_token_latency").isNull()).isTrue();
      }
      // The simple stream has no usage: its counts come from the local tokenizer, and still match.
      String outputSource = endpointType.equals("simple") && stream ? "local" : "server";
      assertThat(summary.path("tokens").path("output_tokens_source").path(outputSource).asInt())
          .isEqualTo(10);
      List<String> lines =
          new ArrayList<>(Files.readAllLines(Cli.onlyFile(results, "-records.jsonl")));
      // The mock's /metrics is scraped too: ServerMetricsTest checks those lines.
      lines.removeIf(line -> line.startsWith("{\"record\":\"server_metrics\""));
      // The run header, two warm-up and ten measured requests, the closing line.
      assertThat(lines).hasSize(14);
      assertThat(lines.get(1)).contains("\"prompt\":").contains("\"output\":");
      assertThat(lines.get(13)).startsWith("{\"record\":\"end\"");
    }
  }

  @Test
  void ipexPromptOnTheSimpleEndpoint() {
    try (MockServer server = mock()) {
      List<String> args = baseArgs(server, "simple", true);
      args.addAll(
          List.of(
              "--dataset",
              SharedTestData.data("ipex-prompt.json").toString(),
              "--dataset-format",
              "IPEX",
              "--input-tokens",
              "32",
              "--max-new-tokens",
              "8",
              "--num-prompts",
              "5",
              "--model-type",
              "gpt-j",
              "--tokenizer",
              "r50k_base"));
      run(args);
      JsonNode summary = summary();
      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(5);
      assertThat(summary.path("min_prompt_len").asInt())
          .isEqualTo(summary.path("max_prompt_len").asInt());
      assertThat(summary.path("tokens").path("output_total").asLong())
          .isEqualTo(server.completionTokensGenerated());
    }
  }

  @Test
  void jsonlPromptsOnCompletions() throws IOException {
    Path prompts = results.resolve("prompts.jsonl");
    Files.writeString(
        prompts,
        "{\"prompt\": \"Tell me a story\", \"output_len\": 8}\n{\"prompt\": \"Why is the sky blue?\", \"output_len\": 8}\n");
    Path out = results.resolve("out");
    try (MockServer server = mock()) {
      Cli.Result result =
          Cli.run(
              "--model-endpoint-base",
              server.baseUrl(),
              "--endpoint-type",
              "openai-completions",
              "--dataset",
              prompts.toString(),
              "--dataset-format",
              "JSONL",
              "--num-prompts",
              "2",
              "--tokenizer",
              "r50k_base",
              "--track-token-latency",
              "--results-dir",
              out.toString());
      assertThat(result.exitCode()).as(result.err()).isZero();
      // No --model-name: the server's /v1/models named it.
      assertThat(result.err()).contains("the server lists 'gpt2'");
      JsonNode summary = Cli.json(Cli.onlyFile(out, "-summary.json"));
      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(2);
      assertThat(summary.path("configuration").path("model_name").asText()).isEqualTo("gpt2");
    }
  }

  /** A streamed chat run of {@code prompts} synthetic prompts, its files in the results folder. */
  private Cli.Result runSyntheticChat(MockServer server, int prompts) {
    List<String> args = baseArgs(server, "openai-chat", true);
    args.addAll(
        List.of(
            "--dataset-format",
            "Synthesis",
            "--num-prompts",
            Integer.toString(prompts),
            "--tokenizer",
            "r50k_base"));
    return run(args);
  }

  @Test
  void reportRebuildsTheSameSummaryFromTheRecordsFile() throws IOException {
    try (MockServer server = mock()) {
      Cli.Result original = runSyntheticChat(server, 20);
      Path records = Cli.onlyFile(results, "-records.jsonl");
      Path rebuilt = results.resolve("rebuilt.json");
      Cli.Result report =
          Cli.run("report", records.toString(), "--summary-out", rebuilt.toString());
      assertThat(report.exitCode()).as(report.err()).isZero();
      // A summary that cannot be written is an I/O error with its own exit code, not a bug.
      Cli.Result unwritable =
          Cli.run(
              "report",
              records.toString(),
              "--summary-out",
              results.resolve("no/such/dir/x.json").toString());
      assertThat(unwritable.exitCode()).isEqualTo(5);
      assertThat(unwritable.err()).contains("servebench: error:").contains("no/such/dir");
      assertThat(unwritable.err()).doesNotContain("bug");
      JsonNode first = summary();
      JsonNode second = Cli.json(rebuilt);
      assertThat(second).isEqualTo(first);
      // The console report too, from its title on.
      String table = original.out().substring(original.out().indexOf("Total time"));
      assertThat(report.out()).isEqualTo(table);
    }
  }

  @Test
  void aRecordsFileFromBeforeTheIoWaitFigureReportsItAsUnknown() throws IOException {
    try (MockServer server = mock()) {
      assertThat(runSyntheticChat(server, 3).exitCode()).isZero();
      Path records = Cli.onlyFile(results, "-records.jsonl");
      // The closing line as servebench wrote it before it kept the figure.
      String written = Files.readString(records);
      String old = written.replaceFirst(",\"io_threads_cpu_wait_ns\":-?\\d+", "");
      assertThat(old).isNotEqualTo(written);
      Files.writeString(records, old);
      Path rebuilt = results.resolve("rebuilt.json");
      Cli.Result report =
          Cli.run("report", records.toString(), "--summary-out", rebuilt.toString());
      assertThat(report.exitCode()).as(report.err()).isZero();
      assertThat(Cli.json(rebuilt).path("client").path("io_threads_cpu_wait_ms").isNull()).isTrue();
      assertThat(report.out()).containsPattern("I/O threads' wait for a CPU \\(ms\\): +n/a");
    }
  }

  @Test
  void failedRequestsAreReportedByReasonAndTheExitCodeSaysSo() {
    try (MockServer server = mock()) {
      // Under /not-openai the mock speaks the simple protocol, which rejects a chat body.
      Cli.Result result =
          Cli.run(
              "--model-endpoint-base",
              server.baseUrl() + "/not-openai",
              "--model-name",
              "gpt2",
              "--dataset-format",
              "Synthesis",
              "--num-prompts",
              "3",
              "--tokenizer",
              "r50k_base",
              "--results-dir",
              results.toString());
      assertThat(result.exitCode()).isEqualTo(3);
      assertThat(result.out())
          .contains("Failed requests: 3 of 3")
          .containsPattern("over time \\(second:failures\\): 0s:3")
          .contains("http_status 3")
          .contains("HTTP 500");
      JsonNode summary = summary();
      assertThat(summary.path("requests").path("failed").asInt()).isEqualTo(3);
      assertThat(summary.path("requests").path("failures_by_http_status").path("500").asInt())
          .isEqualTo(3);
      assertThat(summary.path("throughput_requests_per_s").isNull()).isFalse();
      assertThat(summary.path("throughput_requests_per_s").asDouble()).isZero();
    }
  }
}
