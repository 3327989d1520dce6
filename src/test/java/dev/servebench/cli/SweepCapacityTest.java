package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.CapacitySpec;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep and the SLO search against the mock's capacity model, whose answers are known
 * (docs/metrics.md, The mock server's capacity model): judged against the model, never the clock.
 */
class SweepCapacityTest {

  private static final double TTFT_MS = 20;
  private static final double ITL_MS = 5;
  private static final int OUTPUT_TOKENS = 8;

  @TempDir Path results;

  private static MockServer mock(CapacitySpec capacity) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(TTFT_MS)
            .itlMillis(ITL_MS)
            .fixedOutputTokens(OUTPUT_TOKENS)
            .capacity(capacity)
            .modelName("gpt2")
            .build());
  }

  private Cli.Result sweep(MockServer server, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sweep",
                "--model-endpoint-base",
                server.baseUrl(),
                "--model-name",
                "gpt2",
                "--tokenizer",
                "r50k_base",
                "--dataset-format",
                "Synthesis",
                "--input-len-mean",
                "16",
                "--stream",
                "--quiet",
                "--results-dir",
                results.toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void theThroughputStepFindsTheConfiguredCapacity() {
    // Four at once, each 20 + 7 * 5 = 55 ms: 72.7 requests a second at most.
    CapacitySpec capacity = new CapacitySpec(4, 0, 0);
    double capacityPerSecond =
        capacity.saturatedRequestsPerSecond(TTFT_MS, ITL_MS, 16, OUTPUT_TOKENS);
    try (MockServer server = mock(capacity)) {
      Cli.Result result = sweep(server, "--profile", "throughput", "--num-prompts", "40");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode sweep = Cli.json(results.resolve("sweep.json"));
      assertThat(sweep.path("max_request_throughput").path("request_throughput_per_s").asDouble())
          .isBetween(0.9 * capacityPerSecond, 1.1 * capacityPerSecond);
    }
  }

  @Test
  void aRateAboveCapacitySaturatesAndEndsTheSweep() {
    CapacitySpec capacity = new CapacitySpec(4, 0, 0);
    double capacityPerSecond =
        capacity.saturatedRequestsPerSecond(TTFT_MS, ITL_MS, 16, OUTPUT_TOKENS);
    String below = String.valueOf(Math.round(0.4 * capacityPerSecond));
    String above = String.valueOf(Math.round(2 * capacityPerSecond));
    try (MockServer server = mock(capacity)) {
      Cli.Result result =
          sweep(
              server,
              "--rates",
              below + "," + above + ",1000",
              "--arrival",
              "constant",
              "--num-prompts",
              "40");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode sweep = Cli.json(results.resolve("sweep.json"));
      JsonNode steps = sweep.path("steps");
      assertThat(steps).hasSize(2);
      assertThat(steps.get(0).path("saturated").isNull()).as(steps.get(0).toString()).isTrue();
      assertThat(steps.get(1).path("saturated").path("reason").asText())
          .isIn("rate", "ttft_growth");
      // Four at a time can finish no faster than the model allows, however fast they are sent.
      assertThat(steps.get(1).path("completion_rate_per_s").asDouble())
          .isLessThan(1.1 * capacityPerSecond);
      assertThat(sweep.path("stopped_early").path("step").asInt()).isEqualTo(2);
      assertThat(sweep.path("stopped_early").path("steps_left").asInt()).isEqualTo(1);
      assertThat(result.out()).contains("Stopped after step 2, 1 step early");
    }
  }

  @Test
  void theSloSearchFindsTheConcurrencyTheTokenBudgetAllows() {
    // 200 decode tokens a second shared by the running requests: with c of them in a closed loop
    // each gap is max(5 ms, c / 200 s) = 5c ms. A TPOT objective of 32.5 ms holds up to c = 6
    // (30 ms) and fails at 7 (35 ms).
    CapacitySpec capacity = new CapacitySpec(16, 200, 0);
    double sloMs = 32.5;
    int predicted = (int) Math.floor(sloMs / 1000 * capacity.tokensPerSecond());
    try (MockServer server = mock(capacity)) {
      Cli.Result result =
          sweep(
              server,
              "--goodput",
              "tpot:" + sloMs,
              "--target",
              "90%",
              "--search",
              "concurrency",
              "--num-prompts",
              "24");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode search = Cli.json(results.resolve("sweep.json")).path("slo_search");
      assertThat(search.path("outcome").asText()).isEqualTo("found");
      assertThat(search.path("passed").asInt()).isEqualTo(predicted);
      assertThat(search.path("failed").asInt()).isEqualTo(predicted + 1);
      assertThat(result.out())
          .contains(
              "SLO search: the largest concurrency with 90 % of requests meeting tpot <= 32.5 ms is 6 (7 failed");
    }
  }
}
