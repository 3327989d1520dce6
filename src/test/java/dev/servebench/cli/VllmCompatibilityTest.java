package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.CapturedRequest;
import dev.servebench.mock.FaultSpec;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A {@code vllm bench serve} command line with the program name replaced runs against the mock and
 * writes vLLM's result file: its keys, in its order, holding the figures of servebench's own
 * summary; its name; its appended lines; its per-request lists.
 */
class VllmCompatibilityTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static MockServer server;

  @TempDir Path vllmDir;
  @TempDir Path resultsDir;

  @BeforeAll
  static void startMock() {
    server =
        MockServer.start(
            MockServerConfig.builder()
                .modelName("m")
                .ttftMillis(2)
                .itlMillis(1)
                .captureRequests(4)
                .build());
  }

  @AfterAll
  static void stopMock() {
    server.close();
  }

  /**
   * vLLM's command line for its random dataset, with --tokenizer since "m" has none; {@code extra}
   * flags replace the value of the same flag, or follow.
   */
  private static List<String> vllmCommandLine(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--backend",
                "vllm",
                "--base-url",
                server.baseUrl(),
                "--model",
                "m",
                "--tokenizer",
                "r50k_base",
                "--dataset-name",
                "random",
                "--random-input-len",
                "64",
                "--random-output-len",
                "16",
                "--num-prompts",
                "20",
                "--request-rate",
                "50"));
    for (int i = 0; i < extra.length; i++) {
      boolean hasValue = i + 1 < extra.length && !extra[i + 1].startsWith("--");
      int existing = args.indexOf(extra[i]);
      if (existing >= 0 && hasValue) {
        args.set(existing + 1, extra[++i]);
      } else {
        args.add(extra[i]);
        if (hasValue) {
          args.add(extra[++i]);
        }
      }
    }
    return args;
  }

  private static Cli.Result run(List<String> args) {
    return Cli.run(args.toArray(String[]::new));
  }

  private static List<String> keys(JsonNode object) {
    List<String> keys = new ArrayList<>();
    object.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static Path onlyJson(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> json = files.filter(file -> file.toString().endsWith(".json")).toList();
      assertThat(json).hasSize(1);
      return json.get(0);
    }
  }

  @Test
  void aTypicalVllmCommandLineWritesVllmsKeysHoldingTheSummarysFigures() throws IOException {
    Cli.Result result =
        run(
            vllmCommandLine(
                "--save-result",
                "--result-dir",
                vllmDir.toString(),
                "--percentile-metrics",
                "ttft,tpot,itl,e2el",
                "--metric-percentiles",
                "50,90,99",
                "--results-dir",
                resultsDir.toString()));
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);

    // vLLM's vllm backend: streamed completions at /v1/completions, ignore_eos for random.
    CapturedRequest last = server.capturedRequests().getLast();
    assertThat(last.uri()).isEqualTo("/v1/completions");
    JsonNode body = MAPPER.readTree(last.body());
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("ignore_eos").asBoolean()).isTrue();
    assertThat(body.path("model").asText()).isEqualTo("m");

    Path file = onlyJson(vllmDir);
    assertThat(file.getFileName().toString()).matches("vllm-50\\.0qps-m-\\d{8}-\\d{6}\\.json");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    JsonNode vllm = MAPPER.readTree(lines.get(0));
    assertThat(keys(vllm))
        .containsExactly(
            "date",
            "endpoint_type",
            "backend",
            "label",
            "model_id",
            "tokenizer_id",
            "num_prompts",
            "request_rate",
            "burstiness",
            "max_concurrency",
            "duration",
            "completed",
            "failed",
            "total_input_tokens",
            "total_output_tokens",
            "request_throughput",
            "request_goodput",
            "output_throughput",
            "total_token_throughput",
            "max_output_tokens_per_s",
            "max_concurrent_requests",
            "mean_ttft_ms",
            "median_ttft_ms",
            "std_ttft_ms",
            "p50_ttft_ms",
            "p90_ttft_ms",
            "p99_ttft_ms",
            "mean_tpot_ms",
            "median_tpot_ms",
            "std_tpot_ms",
            "p50_tpot_ms",
            "p90_tpot_ms",
            "p99_tpot_ms",
            "mean_itl_ms",
            "median_itl_ms",
            "std_itl_ms",
            "p50_itl_ms",
            "p90_itl_ms",
            "p99_itl_ms",
            "mean_e2el_ms",
            "median_e2el_ms",
            "std_e2el_ms",
            "p50_e2el_ms",
            "p90_e2el_ms",
            "p99_e2el_ms");
    assertThat(vllm.path("date").asText()).matches("\\d{8}-\\d{6}");
    assertThat(file.getFileName().toString()).contains(vllm.path("date").asText());
    assertThat(vllm.path("backend").asText()).isEqualTo("vllm");
    assertThat(vllm.path("label").isNull()).isTrue();
    assertThat(vllm.path("model_id").asText()).isEqualTo("m");
    assertThat(vllm.path("tokenizer_id").asText()).isEqualTo("r50k_base");
    assertThat(vllm.path("request_rate").asDouble()).isEqualTo(50.0);
    assertThat(vllm.path("burstiness").asDouble()).isEqualTo(1.0);
    assertThat(vllm.path("max_concurrency").isNull()).isTrue();
    assertThat(vllm.path("request_goodput").isNull()).isTrue();
    assertThat(vllm.path("num_prompts").asInt()).isEqualTo(20);
    assertThat(vllm.path("completed").asInt()).isEqualTo(20);
    assertThat(vllm.path("failed").asInt()).isZero();
    // ignore_eos: every request generated the 16 tokens it asked for.
    assertThat(vllm.path("total_output_tokens").asLong()).isEqualTo(20 * 16);

    // The same figures as servebench's own summary, to the last digit.
    JsonNode summary = Cli.json(Cli.onlyFile(resultsDir, "-summary.json"));
    assertThat(vllm.path("duration").asDouble()).isEqualTo(summary.path("duration_s").asDouble());
    assertThat(vllm.path("total_input_tokens").asLong())
        .isEqualTo(summary.path("tokens").path("input_total").asLong());
    JsonNode throughput = summary.path("throughput");
    assertThat(vllm.path("request_throughput").asDouble())
        .isEqualTo(throughput.path("requests_per_s").asDouble());
    assertThat(vllm.path("output_throughput").asDouble())
        .isEqualTo(throughput.path("output_tokens_per_s").asDouble());
    assertThat(vllm.path("total_token_throughput").asDouble())
        .isEqualTo(throughput.path("total_tokens_per_s").asDouble());
    assertThat(vllm.path("max_output_tokens_per_s").asDouble())
        .isEqualTo(throughput.path("peak_output_tokens_per_s").asDouble())
        .isPositive();
    assertThat(vllm.path("max_concurrent_requests").asLong())
        .isEqualTo(throughput.path("peak_concurrent_requests").asLong())
        .isBetween(1L, 20L);
    for (String[] metric :
        new String[][] {{"ttft", "ttft"}, {"tpot", "tpot"}, {"itl", "itl"}, {"e2el", "e2e"}}) {
      JsonNode distribution = summary.path("latency_ms").path(metric[1]);
      assertThat(vllm.path("mean_" + metric[0] + "_ms").asDouble())
          .isEqualTo(distribution.path("mean").asDouble())
          .isPositive();
      assertThat(vllm.path("median_" + metric[0] + "_ms").asDouble())
          .isEqualTo(distribution.path("p50").asDouble());
      assertThat(vllm.path("std_" + metric[0] + "_ms").asDouble())
          .isEqualTo(distribution.path("std").asDouble());
      for (String level : List.of("50", "90", "99")) {
        assertThat(vllm.path("p" + level + "_" + metric[0] + "_ms").asDouble())
            .isEqualTo(distribution.path("p" + level).asDouble());
      }
    }

    // The console has vLLM's peak lines, with the summary's figures.
    assertThat(result.out())
        .containsPattern("Peak output token throughput \\(tok/s\\):\\s+\\d+\\.\\d{2}")
        .contains(
            String.format(
                java.util.Locale.ROOT,
                "%-40s %.2f",
                "Peak concurrent requests:",
                (double) vllm.path("max_concurrent_requests").asLong()))
        .contains("P90 TTFT (ms):");
  }

  @Test
  void percentileMetricsChooseTheConsolesLatencyBlocks() {
    Cli.Result result =
        run(vllmCommandLine("--percentile-metrics", "e2el", "--metric-percentiles", "99.9"));
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
    assertThat(result.out())
        .contains("End-to-end Latency", "Mean E2EL (ms):", "P99.9 E2EL (ms):")
        .doesNotContain("Mean TTFT (ms):")
        .doesNotContain("Mean ITL (ms):")
        .doesNotContain("P99 E2EL (ms):");
  }

  @Test
  void appendResultAddsALineAndSaveResultReplacesTheFile() throws IOException {
    List<String> args =
        vllmCommandLine(
            "--append-result",
            "--result-dir",
            vllmDir.toString(),
            "--result-filename",
            "runs.json",
            "--num-prompts",
            "3",
            "--request-rate",
            "inf");
    for (int run = 1; run <= 2; run++) {
      Cli.Result result = run(args);
      assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
    }
    Path file = vllmDir.resolve("runs.json");
    String text = Files.readString(file);
    assertThat(text).doesNotEndWith("\n");
    List<String> lines = text.lines().toList();
    assertThat(lines).hasSize(2);
    for (String line : lines) {
      JsonNode result = MAPPER.readTree(line);
      assertThat(result.path("completed").asInt()).isEqualTo(3);
      assertThat(result.path("request_rate").asText()).isEqualTo("inf");
    }

    List<String> replace = new ArrayList<>(args);
    replace.set(replace.indexOf("--append-result"), "--save-result");
    Cli.Result result = run(replace);
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
    assertThat(Files.readAllLines(file)).hasSize(1);
  }

  @Test
  void saveDetailedListsOneEntryPerRequestInThePlansOrder() throws IOException {
    Path faultyDir = vllmDir.resolve("faulty");
    try (MockServer faulty =
        MockServer.start(
            MockServerConfig.builder()
                .modelName("m")
                .ttftMillis(2)
                .itlMillis(1)
                .fault(FaultSpec.parse("http-500@every:4"))
                .build())) {
      List<String> args =
          vllmCommandLine(
              "--save-result",
              "--save-detailed",
              "--result-dir",
              faultyDir.toString(),
              "--num-prompts",
              "12");
      args.set(args.indexOf("--base-url") + 1, faulty.baseUrl());
      Cli.Result result = run(args);
      assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.REQUESTS_FAILED);
    }
    JsonNode vllm = MAPPER.readTree(onlyJson(faultyDir).toFile());
    int completed = vllm.path("completed").asInt();
    int failed = vllm.path("failed").asInt();
    assertThat(failed).isPositive();
    assertThat(completed + failed).isEqualTo(12);
    for (String list :
        List.of(
            "input_lens",
            "output_lens",
            "ttfts",
            "itls",
            "latencies",
            "start_times",
            "generated_texts",
            "errors")) {
      assertThat(vllm.path(list).size()).as(list).isEqualTo(12);
    }
    long inputTokens = 0;
    long outputTokens = 0;
    double ttftSumSeconds = 0;
    int failures = 0;
    for (int i = 0; i < 12; i++) {
      String error = vllm.path("errors").get(i).asText();
      int output = vllm.path("output_lens").get(i).asInt();
      if (error.isEmpty()) {
        inputTokens += vllm.path("input_lens").get(i).asInt();
        outputTokens += output;
        ttftSumSeconds += vllm.path("ttfts").get(i).asDouble();
        assertThat(output).isEqualTo(16);
        // One token per event: a gap between each two of them.
        assertThat(vllm.path("itls").get(i).size()).isEqualTo(15);
        assertThat(vllm.path("generated_texts").get(i).asText()).isNotEmpty();
        // Events that arrive in one read share its stamp, so the gaps may be 0.
        assertThat(vllm.path("latencies").get(i).asDouble())
            .isGreaterThanOrEqualTo(vllm.path("ttfts").get(i).asDouble())
            .isPositive();
      } else {
        failures++;
        assertThat(error).startsWith("http_status");
        assertThat(output).isZero();
        assertThat(vllm.path("itls").get(i).size()).isZero();
      }
    }
    assertThat(failures).isEqualTo(failed);
    assertThat(inputTokens).isEqualTo(vllm.path("total_input_tokens").asLong());
    assertThat(outputTokens).isEqualTo(vllm.path("total_output_tokens").asLong());
    assertThat(ttftSumSeconds * 1000 / completed)
        .isCloseTo(vllm.path("mean_ttft_ms").asDouble(), within(1e-6));
    // Entry i is request i of the plan. Its send time is stamped on the I/O thread that wrote it,
    // so two requests due close together may be stamped out of order: only the span is checked.
    for (int i = 0; i < 12; i++) {
      assertThat(vllm.path("start_times").get(i).asDouble()).isNotNegative();
    }
    assertThat(vllm.path("start_times").get(11).asDouble())
        .isGreaterThan(vllm.path("start_times").get(0).asDouble());
  }

  @Test
  void hostPortEndpointLabelAndConcurrencyShapeTheRequestAndTheFileName() throws IOException {
    Cli.Result result =
        Cli.run(
            "--backend",
            "openai-chat",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(server.port()),
            "--endpoint",
            "/v1/chat/completions",
            "--model",
            "org/m",
            "--tokenizer",
            "r50k_base",
            "--dataset-name",
            "random",
            "--random-input-len",
            "16",
            "--random-output-len",
            "4",
            "--num-prompts",
            "4",
            "--max-concurrency",
            "2",
            "--label",
            "nightly",
            "--save-result",
            "--result-dir",
            vllmDir.toString());
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
    CapturedRequest last = server.capturedRequests().getLast();
    assertThat(last.uri()).isEqualTo("/v1/chat/completions");
    assertThat(MAPPER.readTree(last.body()).has("messages")).isTrue();
    Path file = onlyJson(vllmDir);
    assertThat(file.getFileName().toString())
        .matches("nightly-infqps-concurrency2-m-\\d{8}-\\d{6}\\.json");
    JsonNode vllm = MAPPER.readTree(file.toFile());
    assertThat(vllm.path("label").asText()).isEqualTo("nightly");
    assertThat(vllm.path("backend").asText()).isEqualTo("openai-chat");
    assertThat(vllm.path("max_concurrency").asInt()).isEqualTo(2);
  }

  @Test
  void withoutAModelNameTheFileIsNamedByTheModelTheServerLists() throws IOException {
    List<String> args = vllmCommandLine("--save-result", "--result-dir", vllmDir.toString());
    int model = args.indexOf("--model");
    args.remove(model + 1);
    args.remove(model);
    Cli.Result result = run(args);
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
    assertThat(onlyJson(vllmDir).getFileName().toString())
        .matches("vllm-50\\.0qps-m-\\d{8}-\\d{6}\\.json");
  }

  @Test
  void aRampOverTheRequestsNamesTheFileAndIsRecorded() throws IOException {
    List<String> args =
        vllmCommandLine(
            "--ramp-up-strategy",
            "linear",
            "--ramp-up-start-rps",
            "20",
            "--ramp-up-end-rps",
            "200",
            "--save-result",
            "--result-dir",
            vllmDir.toString());
    int rate = args.indexOf("--request-rate");
    args.remove(rate + 1);
    args.remove(rate);
    Cli.Result result = run(args);
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
    Path file = onlyJson(vllmDir);
    assertThat(file.getFileName().toString())
        .matches("vllm-ramp-up-linear-20qps-200qps-m-\\d{8}-\\d{6}\\.json");
    JsonNode vllm = MAPPER.readTree(file.toFile());
    assertThat(vllm.path("ramp_up_strategy").asText()).isEqualTo("linear");
    assertThat(vllm.path("ramp_up_start_rps").asInt()).isEqualTo(20);
    assertThat(vllm.path("ramp_up_end_rps").asInt()).isEqualTo(200);
    assertThat(vllm.path("request_rate").asText()).isEqualTo("inf");
    assertThat(vllm.path("completed").asInt()).isEqualTo(20);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--backend deepspeed-mii | --backend 'deepspeed-mii' is not a protocol",
        "--percentile-metrics ttft,goodness | unknown metric 'goodness'",
        "--percentile-metrics ttft,ttft | names ttft twice",
        "--metric-percentiles 0 | --percentiles (--metric-percentiles) takes levels between 0 and"
            + " 100",
        "--metric-percentiles ninety | --metric-percentiles",
        "--ramp-up-strategy sideways | --ramp-up-strategy 'sideways': use linear or exponential",
        "--ramp-up-strategy linear --ramp-up-end-rps 5 | needs both --ramp-up-start-rps and",
        "--ramp-up-start-rps 1 --ramp-up-end-rps 5 | add --ramp-up-strategy",
        "--ramp-up-strategy linear --ramp-up-start-rps 9 --ramp-up-end-rps 5 | is above"
            + " --ramp-up-end-rps 5",
        "--ramp-up-strategy exponential --ramp-up-start-rps 0 --ramp-up-end-rps 5 | must then be"
            + " 1 or more",
        "--ramp-up-strategy linear --ramp-up-start-rps 1 --ramp-up-end-rps 5 --request-rate 3 |"
            + " drop --request-rate",
        "--save-detailed | add --save-result",
        "--result-dir results | add --save-result",
        "--label a/b | --label 'a/b' must be a non-empty name without '/'",
        "--host 127.0.0.1 | --base-url (--model-endpoint-base) and --host/--port both name",
        "--endpoint-type openai-chat | --backend (vLLM's name) and --endpoint-type both",
        "--ready-check-timeout-sec -1 | --ready-check-timeout-sec must be 0",
        "--ready-check-timeout-sec 5 --wait-for-server 5 | give one of them",
      })
  void badValuesOfVllmsFlagsSayWhatToDo(String flags, String message) {
    List<String> args = vllmCommandLine(flags.strip().split(" "));
    long served = server.requestsServed();
    Cli.Result result = run(args);
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err())
        .contains(message.strip())
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(server.requestsServed()).isEqualTo(served);
  }

  @Test
  void anUnwritableResultDirIsRefusedBeforeAnythingIsSent() throws IOException {
    Path notADirectory = Files.writeString(vllmDir.resolve("plain-file"), "x");
    long served = server.requestsServed();
    Cli.Result result =
        run(vllmCommandLine("--save-result", "--result-dir", notADirectory.toString()));
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err()).contains("--result-dir " + notADirectory, "cannot be written");
    assertThat(server.requestsServed()).isEqualTo(served);
  }
}
