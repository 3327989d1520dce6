package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report files beside the records: the HTML report a run with {@code --results-dir} always
 * writes, the CSV files of {@code --csv}, and the same files rebuilt by {@code servebench report}.
 */
class ReportOutputsTest {

  private static final int REQUESTS = 6;

  @TempDir Path results;
  @TempDir Path elsewhere;

  @Test
  void aRunsCsvFilesAreTheOnesItsRecordsFileRebuilds() throws Exception {
    Path records;
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .itlMillis(1)
                .fixedOutputTokens(4)
                .modelName("gpt2")
                .build())) {
      Cli.Result run =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              Integer.toString(REQUESTS),
              "--csv");
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.err()).contains("-report.html", "-records.csv", "-summary.csv");
      records = Cli.onlyFile(results, "-records.jsonl");
    }
    String name = records.getFileName().toString().replace("-records.jsonl", "");
    Path recordsCsv = results.resolve(name + "-records.csv");
    Path summaryCsv = results.resolve(name + "-summary.csv");
    assertThat(results.resolve(name + "-report.html")).exists();
    List<String> rows = Files.readAllLines(recordsCsv, StandardCharsets.UTF_8);
    assertThat(rows).hasSize(REQUESTS + 1);
    assertThat(rows.subList(1, rows.size())).allSatisfy(row -> assertThat(row).contains(",ok,"));
    assertThat(Files.readString(summaryCsv)).contains("\r\nrequests_succeeded,6,requests\r\n");

    Path html = elsewhere.resolve("again.html");
    Path csvDir = elsewhere.resolve("csv");
    Cli.Result report =
        Cli.run(
            "report", records.toString(), "--html", html.toString(), "--csv", csvDir.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(Files.readString(html))
        .contains("Serving Benchmark Result", "data-chart=\"cdf-ttft\"");
    assertThat(csvDir.resolve(name + "-records.csv")).hasSameBinaryContentAs(recordsCsv);
    // Rebuilt from the file, without the live run's closing figures: the same figures otherwise.
    assertThat(Files.readString(csvDir.resolve(name + "-summary.csv")))
        .startsWith(Files.readString(summaryCsv).substring(0, 200));
  }

  @Test
  void reportPrintsTheRunsOwnPercentileMetricsUnlessTold() throws Exception {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .itlMillis(1)
                .fixedOutputTokens(4)
                .modelName("gpt2")
                .build())) {
      Cli.Result run =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              Integer.toString(REQUESTS),
              "--percentile-metrics",
              "e2el,ttft");
      assertThat(run.exitCode()).as(run.err()).isZero();
      Path records = Cli.onlyFile(results, "-records.jsonl");

      Cli.Result report = Cli.run("report", records.toString());
      assertThat(report.exitCode()).as(report.err()).isZero();
      assertThat(report.out())
          .contains("End-to-end Latency", "Time to First Token")
          .doesNotContain("Inter-token Latency", "Time per Output Token");
      assertThat(report.out().indexOf("End-to-end Latency"))
          .isLessThan(report.out().indexOf("Time to First Token"));

      Cli.Result told = Cli.run("report", records.toString(), "--percentile-metrics", "itl");
      assertThat(told.exitCode()).as(told.err()).isZero();
      assertThat(told.out())
          .contains("Inter-token Latency")
          .doesNotContain("End-to-end Latency", "Time to First Token");

      Cli.Result bad = Cli.run("report", records.toString(), "--percentile-metrics", "nope");
      assertThat(bad.exitCode()).isEqualTo(dev.servebench.error.ExitCode.BAD_INPUT);
      assertThat(bad.err()).contains("--percentile-metrics: unknown metric 'nope'");
    }
  }

  @Test
  void csvWithoutAResultsDirectoryIsRefusedBeforeAnythingIsSent() {
    Cli.Result result =
        Cli.run(
            "--model-endpoint-base",
            "http://127.0.0.1:9",
            "--dataset-format",
            "Synthesis",
            "--csv");
    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err()).contains("--csv", "--results-dir").doesNotContain("Exception");
  }

  @Test
  void reportOutputsThatCannotBeWrittenAreRefusedWithTheirReason() throws Exception {
    Path records = elsewhere.resolve("x-records.jsonl");
    Files.writeString(records, "");
    Cli.Result missingDirectory =
        Cli.run(
            "report",
            records.toString(),
            "--html",
            elsewhere.resolve("no/such/dir/r.html").toString());
    assertThat(missingDirectory.exitCode()).isEqualTo(2);
    assertThat(missingDirectory.err())
        .contains("--html", "does not exist")
        .doesNotContain("Exception");

    Path file = elsewhere.resolve("a-file");
    Files.writeString(file, "");
    Cli.Result csvIntoAFile = Cli.run("report", records.toString(), "--csv", file.toString());
    assertThat(csvIntoAFile.exitCode()).isEqualTo(2);
    assertThat(csvIntoAFile.err()).contains("--csv", "is a file").doesNotContain("Exception");
  }
}
