package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --label} and {@code --metadata}: kept with the run and shown wherever runs are listed (the
 * console, the HTML report, the summary JSON and CSV, a report rebuilt from the records, compare),
 * and the run's file names say what the run was.
 */
class RunLabelTest {

  private static final String TIME_AND_RANDOM = "-\\d{8}-\\d{6}-[0-9a-f]{6}";

  @TempDir Path results;
  @TempDir Path elsewhere;

  @Test
  void aLabelAndMetadataGoWhereverTheRunIsListed() throws Exception {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .itlMillis(1)
                .fixedOutputTokens(4)
                .modelName("gpt2")
                .build())) {
      Cli.Result labelled =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--num-prompts",
              "4",
              "--request-rate",
              "50",
              "--label",
              "nightly run",
              "--metadata",
              "gpu=H100",
              "--metadata",
              "commit=abc123",
              "--csv");
      assertThat(labelled.exitCode()).as(labelled.err()).isZero();
      // The console's header names the run before its figures.
      assertThat(labelled.out().stripLeading())
          .startsWith("Label: nightly run\nMetadata: gpu=H100, commit=abc123\n\nTotal time: ");

      Cli.Result plain =
          Cli.runSynthetic(server.baseUrl(), results, "--num-prompts", "4", "--concurrency", "2");
      assertThat(plain.exitCode()).as(plain.err()).isZero();
      assertThat(plain.out().stripLeading())
          .startsWith("Total time: ")
          .doesNotContain("Label:", "Metadata:");
    }

    // File names: label (file-safe) or servebench, endpoint type, load, model, time, random part.
    String labelled = stem("nightly_run-openai-chat-50rps-gpt2" + TIME_AND_RANDOM);
    String plain = stem("servebench-openai-chat-c2-gpt2" + TIME_AND_RANDOM);
    for (String suffix :
        List.of(
            "-records.jsonl", "-summary.json", "-report.html", "-records.csv", "-summary.csv")) {
      assertThat(results.resolve(labelled + suffix)).exists();
    }
    assertThat(results.resolve(plain + "-records.jsonl")).exists();

    JsonNode summary = Cli.json(results.resolve(labelled + "-summary.json"));
    assertThat(summary.path("run_id").asText()).isEqualTo(labelled);
    assertThat(summary.at("/configuration/label").asText()).isEqualTo("nightly run");
    assertThat(summary.at("/configuration/metadata/gpu").asText()).isEqualTo("H100");
    assertThat(summary.at("/configuration/metadata/commit").asText()).isEqualTo("abc123");
    assertThat(
            Cli.json(results.resolve(plain + "-summary.json")).path("configuration").has("label"))
        .isFalse();

    assertThat(Files.readString(results.resolve(labelled + "-report.html")))
        .contains("<title>servebench report: nightly run</title>")
        .contains("<dt>Label</dt><dd class=\"label\">nightly run</dd>")
        .contains("<dt>gpu</dt><dd>H100</dd><dt>commit</dt><dd>abc123</dd>");
    assertThat(Files.readString(results.resolve(labelled + "-summary.csv")))
        .startsWith(
            "figure,value,unit\r\nlabel,nightly run,text\r\nmetadata_gpu,H100,text\r\n"
                + "metadata_commit,abc123,text\r\nrequests_total,");

    // Rebuilt from the records file alone: the same names, in the console and the HTML report.
    Path html = elsewhere.resolve("again.html");
    Cli.Result report =
        Cli.run(
            "report",
            results.resolve(labelled + "-records.jsonl").toString(),
            "--html",
            html.toString());
    assertThat(report.exitCode()).as(report.err()).isZero();
    assertThat(report.out().stripLeading())
        .startsWith("Label: nightly run\nMetadata: gpu=H100, commit=abc123\n");
    assertThat(Files.readString(html)).contains("<dd class=\"label\">nightly run</dd>");
    Cli.Result reportJson =
        Cli.run("report", results.resolve(labelled + "-records.jsonl").toString(), "--json");
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(reportJson.out())
                .path("configuration"))
        .isEqualTo(summary.path("configuration"));

    // compare: a column per run, named by its label (else its run id), and a row per metadata key.
    Cli.Result compare = Cli.run("compare", results.toString());
    assertThat(compare.exitCode()).as(compare.err()).isZero();
    List<String> lines = compare.out().lines().toList();
    assertThat(lines.get(0)).contains("nightly run").contains(plain.substring(0, 20));
    assertThat(lines).anySatisfy(line -> assertThat(line).matches("gpu +H100 +-"));
    assertThat(lines).anySatisfy(line -> assertThat(line).matches("commit +abc123 +-"));
  }

  /** The stem of the one records file whose name matches {@code pattern}. */
  private String stem(String pattern) throws IOException {
    try (Stream<Path> files = Files.list(results)) {
      List<String> stems =
          files
              .map(file -> file.getFileName().toString())
              .filter(name -> name.endsWith("-records.jsonl"))
              .map(name -> name.substring(0, name.length() - "-records.jsonl".length()))
              .filter(name -> name.matches(pattern))
              .toList();
      assertThat(stems).as(pattern).hasSize(1);
      return stems.get(0);
    }
  }
}
