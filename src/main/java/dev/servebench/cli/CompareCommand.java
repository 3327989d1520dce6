package dev.servebench.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.error.InvalidInputException;
import dev.servebench.report.Comparison;
import dev.servebench.report.ComparisonHtml;
import dev.servebench.report.SummaryJson;
import dev.servebench.run.RecordsSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code servebench compare}: several runs side by side. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Compares runs side by side: a column per run, each figure's change from the first run"
            + " and the best run marked; --html overlays their CDFs and time series on one page.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  Every run of a results directory, in the order they ran:",
      "    servebench compare results/",
      "  Two runs, the first the baseline, and a page of their charts:",
      "    servebench compare base-summary.json new-records.jsonl --html compare.html"
    })
final class CompareCommand implements Callable<Integer> {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "RUN",
      description =
          "A summary JSON (*-summary.json), a records file (*-records.jsonl) or a results"
              + " directory (every run in it, by name). The first run is the baseline.")
  List<Path> inputs;

  @Option(names = "--json", description = "Print the comparison as JSON instead of a table.")
  boolean json;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description =
          "Also write the comparison as one self-contained page: the table, and every run's TTFT,"
              + " TPOT, ITL and E2E CDFs and time series overlaid.")
  Path htmlOut;

  @Override
  public Integer call() throws IOException {
    checkHtmlOut();
    List<Comparison.Run> runs = new ArrayList<>();
    PrintWriter err = spec.commandLine().getErr();
    for (Path input : inputs) {
      List<Comparison.Run> found = new ArrayList<>();
      for (Path file : runFiles(input)) {
        found.add(new Comparison.Run(null, summaryOf(file, err)));
      }
      // A directory's runs in the order they started; the command line's in its own order.
      found.sort(Comparator.comparing(CompareCommand::startedAt));
      runs.addAll(found);
    }
    Comparison comparison = new Comparison(named(runs));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(comparison.toJson()));
      out.flush();
    } else {
      comparison.print(out);
    }
    if (htmlOut != null) {
      ComparisonHtml.write(comparison, htmlOut);
      err.println("servebench: comparison page: " + htmlOut);
      err.flush();
    }
    return 0;
  }

  /** Checks the page's path before the runs are read, which can take a while. */
  private void checkHtmlOut() {
    if (htmlOut == null) {
      return;
    }
    if (Files.isDirectory(htmlOut)) {
      throw new InvalidInputException(
          "--html " + htmlOut + " is a directory: give the file to write, such as compare.html");
    }
    Path parent = htmlOut.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new InvalidInputException(
          "--html " + htmlOut + ": the directory " + parent + " does not exist; create it first");
    }
  }

  /**
   * The run files an input names: the file itself, or a directory's summaries and the records of
   * runs without one.
   */
  static List<Path> runFiles(Path input) throws IOException {
    if (!Files.exists(input)) {
      throw new InvalidInputException(
          input
              + " does not exist: pass a *-summary.json, a *-records.jsonl or a results directory");
    }
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    List<Path> files;
    try (Stream<Path> listed = Files.list(input)) {
      files = listed.filter(Files::isRegularFile).sorted().toList();
    }
    Set<String> summarized = new HashSet<>();
    List<Path> runs = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.endsWith("-summary.json")) {
        summarized.add(name.substring(0, name.length() - "-summary.json".length()));
        runs.add(file);
      }
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.endsWith("-records.jsonl")
          && !summarized.contains(name.substring(0, name.length() - "-records.jsonl".length()))) {
        runs.add(file);
      }
    }
    if (runs.isEmpty()) {
      throw new InvalidInputException(
          "directory "
              + input
              + " holds no servebench run (no *-summary.json or *-records.jsonl): pass the"
              + " --results-dir of a run");
    }
    return runs;
  }

  /** A records file's summary rebuilt as 'report' does; a summary JSON read as it is. */
  private static JsonNode summaryOf(Path file, PrintWriter err) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".jsonl")) {
      RecordsSummary.Result result = RecordsSummary.read(file, null, null);
      for (String warning : result.warnings()) {
        err.println("servebench: warning: " + file + ": " + warning);
      }
      err.flush();
      ByteArrayOutputStream summary = new ByteArrayOutputStream();
      SummaryJson.write(result.summary(), summary);
      return MAPPER.readTree(summary.toByteArray());
    }
    JsonNode summary;
    try {
      summary = MAPPER.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          file
              + " is not JSON ("
              + e.getOriginalMessage()
              + "): pass a *-summary.json, a *-records.jsonl or a results directory");
    }
    if (summary == null || !summary.path("latency_ms").isObject() || !summary.has("run_id")) {
      throw new InvalidInputException(
          file
              + " is not a servebench summary (it has no run_id and latency_ms): pass a"
              + " *-summary.json written by servebench run or report, a *-records.jsonl or a"
              + " results directory");
    }
    return summary;
  }

  private static Instant startedAt(Comparison.Run run) {
    try {
      return Instant.parse(run.summary().path("started_at").asText(""));
    } catch (DateTimeParseException unknown) {
      return Instant.MIN;
    }
  }

  /** Each run's column name: its label, else its run id; repeated names get #2, #3, ... */
  private static List<Comparison.Run> named(List<Comparison.Run> runs) {
    Map<String, Integer> seen = new HashMap<>();
    List<Comparison.Run> named = new ArrayList<>();
    for (Comparison.Run run : runs) {
      JsonNode label = run.summary().path("configuration").path("label");
      String name =
          label.isTextual() && !label.asText().isBlank()
              ? label.asText()
              : run.summary().path("run_id").asText("run");
      int count = seen.merge(name, 1, Integer::sum);
      named.add(new Comparison.Run(count > 1 ? name + " #" + count : name, run.summary()));
    }
    return named;
  }
}
