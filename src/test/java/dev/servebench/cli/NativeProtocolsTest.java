package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.TokenSource;
import dev.servebench.testing.Cli;
import dev.servebench.testing.ServerTruth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native protocols (TGI, SGLang, Triton) and OpenAI embeddings end to end against the mock
 * server speaking each: records' token counts and where they came from, and TTFT and E2E against
 * the mock's log of its writes.
 */
class NativeProtocolsTest {

  private static final int OUTPUT_TOKENS = 6;
  private static final int REQUESTS = 12;

  @TempDir Path results;

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(20)
            .itlMillis(5)
            .fixedOutputTokens(OUTPUT_TOKENS)
            .recordWrites(ServerTruth.LOGGED_REQUESTS)
            .modelName("gpt2")
            .build());
  }

  private Cli.Result run(MockServer server, String endpointType, boolean stream) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                server.baseUrl(),
                "--endpoint-type",
                endpointType,
                "--model-name",
                "gpt2",
                "--tokenizer",
                "r50k_base",
                "--dataset-format",
                "Synthesis",
                "--input-len-mean",
                "16",
                "--input-len-stddev",
                "0",
                "--num-prompts",
                Integer.toString(REQUESTS),
                "--request-rate",
                "100",
                "--results-dir",
                results.toString()));
    if (stream) {
      args.add("--stream");
    }
    return Cli.run(args.toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0}, streamed: {1}")
  @CsvSource({
    "tgi, true, server",
    "tgi, false, server",
    "sglang, true, server",
    "sglang, false, server",
    "triton, true, local",
    "triton, false, local"
  })
  void eachRequestCountsItsTokensAndFollowsTheServersTiming(
      String endpointType, boolean stream, String outputSource) throws InterruptedException {
    try (MockServer server = mock()) {
      Cli.Result result = run(server, endpointType, stream);
      assertThat(result.exitCode()).as(result.err() + result.out()).isZero();
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      assertThat(truth).hasSize(REQUESTS);
      for (ServerTruth.Pair pair : truth) {
        assertThat(pair.client().streamed()).isEqualTo(stream);
        assertThat(pair.client().tokens().output()).isEqualTo(OUTPUT_TOKENS);
        assertThat(pair.client().tokens().outputSource())
            .isEqualTo(TokenSource.fromLabel(outputSource));
        if (stream) {
          // One chunk per token, as the mock wrote them.
          assertThat(pair.client().chunks().tokens()).containsOnly(1);
        }
      }
      ServerTruth.assertTtftAndE2eFollowTheServer(truth);
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      assertThat(summary.path("tokens").path("output_total").asInt())
          .isEqualTo(REQUESTS * OUTPUT_TOKENS);
    }
  }

  @Test
  void embeddingsReportLatencyAndThroughputWithoutTokenLatencies() throws InterruptedException {
    try (MockServer server = mock()) {
      Cli.Result result = run(server, "openai-embeddings", false);
      assertThat(result.exitCode()).as(result.err() + result.out()).isZero();
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      for (ServerTruth.Pair pair : truth) {
        assertThat(pair.client().tokens().output()).isZero();
        assertThat(pair.client().tokens().promptSource()).isEqualTo(TokenSource.SERVER);
        // The mock takes its TTFT to answer: the request's latency is that prefill.
        assertThat(pair.serverE2eMs()).isGreaterThanOrEqualTo(19);
      }
      ServerTruth.assertTtftAndE2eFollowTheServer(truth);
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      assertThat(summary.path("requests").path("succeeded").asInt()).isEqualTo(REQUESTS);
      assertThat(summary.path("latency_ms").path("ttft").path("count").asInt()).isZero();
      assertThat(summary.path("latency_ms").path("ttft").path("mean").isNull()).isTrue();
      assertThat(summary.path("latency_ms").path("e2e").path("count").asInt()).isEqualTo(REQUESTS);
      assertThat(result.out()).containsPattern("Mean TTFT \\(ms\\): +n/a");
      assertThat(result.out()).containsPattern("Mean ITL \\(ms\\): +n/a");
    }
  }

  @Test
  void embeddingsRefuseAStream() {
    try (MockServer server = mock()) {
      Cli.Result result = run(server, "openai-embeddings", true);
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err()).contains("never streamed").contains("drop --stream");
    }
  }

  @Test
  void tritonNeedsTheModelForItsRoute() {
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            "http://127.0.0.1:9",
            "--endpoint-type",
            "triton",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--model-name").contains("ensemble");
  }
}
