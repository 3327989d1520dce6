package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.CapacitySpec;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import dev.servebench.testing.MetricsPage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run that scrapes the server's metrics: against the mock's own {@code /metrics}, its running and
 * waiting counts held to the mock's capacity; the same section rebuilt by {@code report}; and a
 * server whose scrapes fail, which warns and still runs.
 */
class ServerMetricsTest {

  private static final int REQUESTS = 8;
  private static final int MAX_RUNNING = 2;

  @TempDir Path results;

  @Test
  void theMocksRunningAndWaitingAreScrapedAndReportRebuildsThem() throws Exception {
    Path records;
    JsonNode server;
    try (MockServer mock =
        MockServer.start(
            MockServerConfig.builder()
                .itlMillis(20)
                .fixedOutputTokens(16)
                .modelName("gpt2")
                .capacity(new CapacitySpec(MAX_RUNNING, 0, 0))
                .build())) {
      // No --server-metrics: /metrics is probed, answers, and is scraped.
      Cli.Result run =
          Cli.runSynthetic(
              mock.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              Integer.toString(REQUESTS),
              "--server-metrics-interval",
              "100ms");
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.err()).contains("scraping the server's metrics at " + mock.baseUrl());
      assertThat(run.out()).contains("Server (its own metrics)", "Running requests:");
      records = Cli.onlyFile(results, "-records.jsonl");
      server = Cli.json(Cli.onlyFile(results, "-summary.json")).path("server_metrics");
    }
    assertThat(server.path("servers").get(0).asText()).isEqualTo("vLLM");
    assertThat(server.path("failed_scrapes").asLong()).isZero();
    JsonNode running = server.path("figures").path("running");
    JsonNode waiting = server.path("figures").path("waiting");
    // The mock never runs more than its capacity, nor holds more than the run sent.
    assertThat(running.path("max").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(MAX_RUNNING);
    assertThat(running.path("max").asDouble() + waiting.path("max").asDouble())
        .isLessThanOrEqualTo(REQUESTS);
    assertThat(server.path("figures").path("kv_cache_usage").path("max").asDouble())
        .isBetween(0.0, 1.0);
    assertThat(server.path("time_series").size()).isPositive();
    assertThat(server.path("raw_series").toString()).contains("vllm:request_success_total");
    assertThat(Files.readString(records)).contains("\"record\":\"server_metrics\"");

    Path again = results.resolve("again.json");
    Cli.Result report = Cli.run("report", records.toString(), "--summary-out", again.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.out()).contains("Server (its own metrics)");
    JsonNode rebuilt = Cli.json(again).path("server_metrics");
    assertThat(rebuilt).isEqualTo(server);
  }

  @Test
  void failedScrapesWarnAndTheRunStillSucceeds() throws Exception {
    try (MockServer mock =
            MockServer.start(
                MockServerConfig.builder()
                    .itlMillis(5)
                    .fixedOutputTokens(4)
                    .modelName("gpt2")
                    .build());
        MetricsPage page = MetricsPage.start("")) {
      page.answer(503);
      Cli.Result run =
          Cli.runSynthetic(
              mock.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              "4",
              "--server-metrics",
              page.url());
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out())
          .contains("scrapes of the server's metrics at " + page.url(), "HTTP 503");
      JsonNode server = Cli.json(Cli.onlyFile(results, "-summary.json")).path("server_metrics");
      assertThat(server.path("failed_scrapes").asLong())
          .isEqualTo(server.path("scrapes").asLong())
          .isPositive();
      assertThat(server.path("first_error").asText()).isEqualTo("HTTP 503");
    }
  }

  @Test
  void aMetricsPageThatStallsAfterItsHeadersLetsTheRunFinish() throws Exception {
    try (MockServer mock =
            MockServer.start(
                MockServerConfig.builder()
                    .itlMillis(5)
                    .fixedOutputTokens(4)
                    .modelName("gpt2")
                    .build());
        MetricsPage page = MetricsPage.start("up 1\n")) {
      page.stallAfterHeaders();
      Cli.Result run =
          Cli.runSynthetic(
              mock.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              "4",
              "--server-metrics",
              page.url());
      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode server = Cli.json(Cli.onlyFile(results, "-summary.json")).path("server_metrics");
      assertThat(server.path("failed_scrapes").asLong())
          .isEqualTo(server.path("scrapes").asLong())
          .isPositive();
    }
  }

  @Test
  void noServerMetricsNeitherProbesNorScrapes() throws Exception {
    try (MockServer mock =
        MockServer.start(
            MockServerConfig.builder()
                .itlMillis(1)
                .fixedOutputTokens(2)
                .modelName("gpt2")
                .build())) {
      Cli.Result run =
          Cli.runSynthetic(mock.baseUrl(), results, "--num-prompts", "2", "--no-server-metrics");
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out()).doesNotContain("Server (its own metrics)");
      assertThat(Cli.json(Cli.onlyFile(results, "-summary.json")).has("server_metrics")).isFalse();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--server-metrics-interval|10ms|at least 100ms",
        "--server-metrics|ftp://host/metrics|not an http:// or https:// URL",
        "--server-metrics|http://[bad|is not a URL",
      })
  void badServerMetricsSettingsAreNamed(String flag, String value, String message) {
    Cli.Result run = Cli.runSynthetic("http://127.0.0.1:9", results, flag, value);
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(flag).contains(message).doesNotContain("Exception");
  }

  @Test
  void askingForAndAgainstServerMetricsIsRefused() {
    Cli.Result run =
        Cli.runSynthetic("http://127.0.0.1:9", results, "--server-metrics", "--no-server-metrics");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--server-metrics and --no-server-metrics contradict");
  }
}
