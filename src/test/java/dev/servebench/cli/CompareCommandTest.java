package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs against mocks of known, different speeds, compared every way the command reads them. */
class CompareCommandTest {

  @TempDir static Path results;

  @BeforeAll
  static void twoRuns() {
    // The first server answers in 300 ms, the second in 10: the comparison must say the second is
    // faster in TTFT. The slow one goes first, where a cold JVM's own delays fall.
    for (double ttftMillis : new double[] {300, 10}) {
      try (MockServer server =
          MockServer.start(
              MockServerConfig.builder()
                  .ttftMillis(ttftMillis)
                  .itlMillis(2)
                  .fixedOutputTokens(4)
                  .modelName("gpt2")
                  .build())) {
        Cli.Result result =
            Cli.runSynthetic(
                server.baseUrl(),
                results,
                "--input-len-mean",
                "16",
                "--input-len-stddev",
                "0",
                "--num-prompts",
                "20",
                "--request-rate",
                "100");
        assertThat(result.exitCode()).as(result.err()).isZero();
      }
    }
  }

  private static List<Path> files(String suffix) throws IOException {
    try (Stream<Path> listed = Files.list(results)) {
      return listed.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  @Test
  void directoryComparesItsRunsInTheOrderTheyRan() throws IOException {
    Cli.Result result = Cli.run("compare", "--json", results.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode comparison = new ObjectMapper().readTree(result.out());
    List<Path> summaries = new java.util.ArrayList<>(files("-summary.json"));
    summaries.sort(
        java.util.Comparator.comparing(
            p -> java.time.Instant.parse(Cli.json(p).path("started_at").asText())));
    assertThat(comparison.path("runs")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(comparison.path("runs").get(i).path("run_id").asText())
          .isEqualTo(Cli.json(summaries.get(i)).path("run_id").asText());
    }
    JsonNode ttft = figure(comparison, "latency_ms/ttft/p50");
    double slow = ttft.path("values").get(0).asDouble();
    double fast = ttft.path("values").get(1).asDouble();
    assertThat(slow).isEqualTo(Cli.json(summaries.get(0)).at("/latency_ms/ttft/p50").asDouble());
    assertThat(slow).isGreaterThan(fast);
    assertThat(ttft.path("best").asInt()).isEqualTo(1);
    assertThat(ttft.path("better").asText()).isEqualTo("lower");
    assertThat(ttft.path("change_percent").get(1).asDouble())
        .isCloseTo((fast - slow) / slow * 100, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(figure(comparison, "requests/succeeded").path("values").get(1).asInt())
        .isEqualTo(20);
  }

  @Test
  void recordsFilesGiveTheSameFiguresAsTheirSummaries() throws IOException {
    List<Path> records = files("-records.jsonl");
    List<Path> summaries = files("-summary.json");

    JsonNode fromRecords =
        new ObjectMapper()
            .readTree(
                Cli.run("compare", "--json", records.get(0).toString(), records.get(1).toString())
                    .out());
    JsonNode fromSummaries =
        new ObjectMapper()
            .readTree(
                Cli.run(
                        "compare",
                        "--json",
                        summaries.get(0).toString(),
                        summaries.get(1).toString())
                    .out());

    assertThat(fromRecords.path("figures")).isEqualTo(fromSummaries.path("figures"));
  }

  @Test
  void tablePrintsAColumnPerRunWithChangesAndTheBestMarked() {
    Cli.Result result = Cli.run("compare", results.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    String line =
        result
            .out()
            .lines()
            .filter(l -> l.startsWith("Median TTFT (ms)"))
            .findFirst()
            .orElseThrow();
    // The slower run first; the faster one shows a negative change and is marked best.
    assertThat(line)
        .matches("Median TTFT \\(ms\\) +\\d+\\.\\d\\d +\\d+\\.\\d\\d \\(-\\d+\\.\\d%\\) \\*");
  }

  @Test
  void htmlPageHoldsTheTableAndEveryRunsLines(@TempDir Path pages) throws IOException {
    Path page = pages.resolve("compare.html");
    Cli.Result result = Cli.run("compare", results.toString(), "--html", page.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("comparison page: " + page);
    String html = Files.readString(page);
    // The table, with the faster (second) run's median TTFT marked best.
    assertThat(html)
        .containsPattern(
            "<td>Median TTFT \\(ms\\)</td><td class=\"num\">[^<]+</td>"
                + "<td class=\"num best\">[^<]+ \\*</td>");
    String json =
        html.substring(
            html.indexOf("id=\"report-data\">") + "id=\"report-data\">".length(),
            html.indexOf("</script>", html.indexOf("id=\"report-data\">")));
    JsonNode charts = new ObjectMapper().readTree(json).path("charts");
    List<Path> summaries = files("-summary.json");
    for (String id : List.of("cdf-ttft", "cdf-tpot", "cdf-itl", "cdf-e2e", "ts-finished")) {
      JsonNode series = charts.path(id).path("series");
      assertThat(series).as(id).hasSize(2);
      for (JsonNode line : series) {
        assertThat(line.path("x").size()).as(id).isPositive().isEqualTo(line.path("y").size());
      }
    }
    // A CDF ends at the run's maximum, at the share 1; a time series has a point per second.
    JsonNode slowTtft = charts.at("/cdf-ttft/series/0");
    JsonNode slowSummary =
        summaries.stream()
            .map(Cli::json)
            .filter(s -> s.at("/latency_ms/ttft/p50").asDouble() > 100)
            .findFirst()
            .orElseThrow();
    assertThat(slowTtft.path("x").get(slowTtft.path("x").size() - 1).asDouble())
        .isEqualTo(slowSummary.at("/latency_ms/ttft/max").asDouble());
    assertThat(slowTtft.path("y").get(slowTtft.path("y").size() - 1).asDouble()).isEqualTo(1.0);
    assertThat(charts.at("/ts-finished/series/0/x").size())
        .isEqualTo(slowSummary.path("time_series").size());

    Cli.Result directory = Cli.run("compare", results.toString(), "--html", pages.toString());
    assertThat(directory.exitCode()).isEqualTo(2);
    assertThat(directory.err()).contains("--html " + pages + " is a directory");
  }

  @Test
  void aDamagedHistogramDrawsAnEmptyLineWithANote(@TempDir Path pages) throws IOException {
    List<Path> summaries = files("-summary.json");
    Path damaged = pages.resolve("damaged-summary.json");
    com.fasterxml.jackson.databind.node.ObjectNode summary =
        (com.fasterxml.jackson.databind.node.ObjectNode) Cli.json(summaries.get(0));
    ((com.fasterxml.jackson.databind.node.ObjectNode) summary.at("/latency_ms/ttft"))
        .put("hdr_histogram_ns", "bm90IGEgaGlzdG9ncmFt");
    new ObjectMapper().writeValue(damaged.toFile(), summary);
    Path page = pages.resolve("compare.html");

    Cli.Result result =
        Cli.run(
            "compare", damaged.toString(), summaries.get(1).toString(), "--html", page.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).doesNotContain("Exception", "internal error");
    String html = Files.readString(page);
    assertThat(html)
        .contains("(histogram damaged)")
        .contains("hdr_histogram_ns of ")
        .contains("cannot be decoded (the summary file is damaged): its line is empty.");
  }

  @Test
  void badInputsAreNamedWithWhatToPass() throws IOException {
    Path notJson = Files.writeString(results.resolve("notes.txt"), "not json");
    Path otherJson = Files.writeString(results.resolve("other.json"), "{\"a\": 1}");
    Path empty = Files.createDirectories(results.resolve("empty"));

    for (Path input : List.of(notJson, otherJson, empty, results.resolve("missing"))) {
      Cli.Result result = Cli.run("compare", input.toString());
      assertThat(result.exitCode()).as(input.toString()).isEqualTo(2);
      assertThat(result.err()).contains(input.toString()).contains("pass");
      assertThat(result.err()).doesNotContain("Exception");
    }
    Files.delete(notJson);
    Files.delete(otherJson);
    Files.delete(empty);
  }

  private static JsonNode figure(JsonNode comparison, String path) {
    for (JsonNode figure : comparison.path("figures")) {
      if (figure.path("path").asText().equals(path)) {
        return figure;
      }
    }
    throw new AssertionError("no figure " + path + " in " + comparison);
  }
}
