package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.ServerStall;
import dev.servebench.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard coordinated-omission case (HdrHistogram's, wrk2's): many fast requests at a fixed
 * rate, and the server stalls for one second. A client whose concurrency cap holds new requests
 * back during the stall sees only a few slow responses; users arriving on schedule waited up to a
 * second. The queue-inclusive figures must show it, the plain ones must not, and the lag and
 * achieved-rate figures must say why.
 */
class CoordinatedOmissionTest {

  @TempDir Path results;

  @Test
  void queueInclusiveLatencyShowsAServerStallThatPlainLatencyHides() {
    long warmupMillis = 300;
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(1)
                .itlMillis(1)
                .fixedOutputTokens(2)
                .modelName("gpt2")
                .serverStall(new ServerStall(warmupMillis + 1000, warmupMillis + 2000))
                .build())) {
      Cli.Result result =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--input-len-mean",
              "8",
              "--request-rate",
              "100",
              "--arrival",
              "constant",
              "--duration",
              "3s",
              "--max-concurrency",
              "2");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      JsonNode latency = summary.path("latency_ms");
      // Only the two requests caught in flight saw the stall: plain TTFT p99 stays small.
      assertThat(latency.path("ttft").path("p99").asDouble()).isLessThan(100);
      assertThat(latency.path("ttft").path("max").asDouble()).isGreaterThan(500);
      // The ~100 requests due during the stall waited for it.
      assertThat(latency.path("queue_inclusive_ttft").path("p99").asDouble()).isGreaterThan(500);
      assertThat(latency.path("queue_inclusive_ttft").path("p90").asDouble()).isGreaterThan(100);
      assertThat(latency.path("schedule_lag").path("max").asDouble()).isGreaterThan(500);
      assertThat(summary.path("warnings").get(0).asText()).contains("--max-concurrency cap of 2");
      assertThat(result.out()).contains("WARNING:");
    }
  }
}
