package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.SharedTestData;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed script's command lines keep their meaning: its flags, its console lines character for
 * character, and its own result files for its downstream scripts.
 */
class SeedCompatibilityTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Path SHAREGPT = SharedTestData.data("sharegpt-v3-sample50.json");

  @TempDir Path results;

  @Test
  void aBareCommandPrintsAShortUsageWithExamples() {
    Cli.Result result = Cli.run();
    assertThat(result.exitCode()).isEqualTo(ExitCode.OK);
    assertThat(result.out())
        .contains("Usage: servebench [run] [FLAGS]")
        .contains("servebench demo")
        .contains("--dataset-format ShareGPT")
        .doesNotContain("servebench servebench");
  }

  @Test
  void aMissingDatasetIsReportedAsSuchEvenWithNoServer() {
    Path missing = results.resolve("no-such.json");
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            "http://127.0.0.1:1",
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset",
            missing.toString(),
            "--dataset-format",
            "ShareGPT");
    assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err()).contains("dataset file " + missing + " does not exist");
  }

  @Test
  void theSeedsShareGptCommandLineAsksForMaxNewTokensAndWritesItsFiles() throws IOException {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder().ttftMillis(2).itlMillis(1).modelName("gpt2").build())) {
      Cli.Result result =
          Cli.run(
              "--model_endpoint_base",
              server.baseUrl(),
              "--model_name",
              "gpt2",
              "--tokenizer",
              "r50k_base",
              "--dataset",
              SHAREGPT.toString(),
              "--dataset-format",
              "ShareGPT",
              "--num-prompts",
              "5",
              "--max-new-tokens",
              "7",
              "--trust-remote-code",
              "--track-token-latency",
              "--results-dir",
              results.toString());
      assertThat(result.exitCode()).as(result.err()).isZero();

      // Every request asked for 7 tokens, and the mock generated 7.
      int requests = 0;
      for (String line : Files.readAllLines(Cli.onlyFile(results, "-records.jsonl"))) {
        JsonNode record = MAPPER.readTree(line);
        if (record.path("record").asText().equals("request")) {
          assertThat(record.path("requested_output_tokens").asInt()).isEqualTo(7);
          assertThat(record.path("output_tokens").asInt()).isEqualTo(7);
          requests++;
        }
      }
      assertThat(requests).isEqualTo(5);

      // The seed's lines, in its order and format.
      List<String> seedLines =
          result.out().lines().filter(line -> !line.isBlank()).limit(9).toList();
      assertThat(seedLines.get(0)).matches("Total time: \\d+\\.\\d{3} s");
      assertThat(seedLines.get(1)).matches("Prompt Length \\(Min/Med/Max\\): \\d+ / \\d+ / \\d+");
      assertThat(seedLines.get(2))
          .matches("Request Throughput \\(QPS\\): \\d+\\.\\d{3} requests/s");
      assertThat(seedLines.get(3)).matches("Input Token Throughput: \\d+\\.\\d{3} tokens/s");
      assertThat(seedLines.get(4)).matches("output Token Throughput: \\d+\\.\\d{3} tokens/s");
      assertThat(seedLines.get(5)).matches("Average latency per Request: \\d+\\.\\d{3} s");
      assertThat(seedLines.get(6)).matches("Average latency per Token: \\d+\\.\\d{3} s");
      assertThat(seedLines.get(7)).matches("Average latency for First Tokens: \\d+\\.\\d{3} s");
      assertThat(seedLines.get(8)).matches("Average latency for Next Tokens: \\d+\\.\\d{3} s");

      // The seed's summary: its twelve keys, rounded to three decimals.
      JsonNode summary = MAPPER.readTree(seedFile("summary_").toFile());
      List<String> keys = new ArrayList<>();
      summary.fieldNames().forEachRemaining(keys::add);
      assertThat(keys)
          .containsExactly(
              "num_prompts",
              "benchmark_time",
              "min_prompt_len",
              "med_prompt_len",
              "max_prompt_len",
              "throughput_requests_per_s",
              "input_throughput_tokens_per_s",
              "output_throughput_tokens_per_s",
              "avg_latency",
              "avg_per_token_latency",
              "avg_first_token_latency",
              "avg_next_token_latency");
      assertThat(summary.path("num_prompts").asInt()).isEqualTo(5);
      double latency = summary.path("avg_latency").asDouble();
      assertThat(latency).isPositive().isEqualTo(Math.round(latency * 1e3) / 1e3);

      // The seed's latency tracking: one 6-element entry per request, a latency per chunk.
      JsonNode tracking = MAPPER.readTree(seedFile("latency_tracking_").toFile());
      assertThat(tracking.size()).isEqualTo(5);
      for (Iterator<JsonNode> it = tracking.elements(); it.hasNext(); ) {
        JsonNode entry = it.next();
        assertThat(entry.size()).isEqualTo(6);
        assertThat(entry.get(0).isNull()).isTrue(); // no --track-input-output
        assertThat(entry.get(3).asInt()).isEqualTo(7);
        assertThat(entry.get(4).asDouble()).isPositive();
        assertThat(entry.get(5).size()).isEqualTo(7); // one token per chunk from the mock
      }
    }
  }

  private Path seedFile(String prefix) throws IOException {
    try (Stream<Path> files = Files.list(results)) {
      List<Path> matching =
          files.filter(file -> file.getFileName().toString().startsWith(prefix)).toList();
      assertThat(matching).hasSize(1);
      return matching.get(0);
    }
  }
}
