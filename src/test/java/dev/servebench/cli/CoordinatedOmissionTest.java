package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.ServerStall;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    // The stall is timed from the server's start, the run from its first send: the run starts
    // sending within 3 s (a loaded machine's start-up included) and sends for 6 s, so the stall
    // falls inside it.
    long startupMillis = 3000;
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(1)
                .itlMillis(1)
                .fixedOutputTokens(2)
                .modelName("gpt2")
                .serverStall(new ServerStall(startupMillis, startupMillis + 1000))
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
              "6s",
              "--max-concurrency",
              "2");
      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      JsonNode latency = summary.path("latency_ms");
      // Only the requests caught in flight (two at most, the cap) saw the stall in their plain
      // TTFT; measured from the intended time, about a hundred would have.
      List<RequestRecord> records = new ArrayList<>();
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
      assertThat(records.stream().filter(r -> r.ttftNanos() > 500_000_000L).count())
          .isBetween(1L, 2L);
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
