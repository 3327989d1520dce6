package dev.servebench.cli;

import dev.servebench.config.Goodput;
import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Summary;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.HtmlReport;
import dev.servebench.report.PercentileMetric;
import dev.servebench.report.RecordsCsv;
import dev.servebench.report.SummaryCsv;
import dev.servebench.report.SummaryJson;
import dev.servebench.run.RecordsSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code servebench report}: rebuilds the report and summary of a run from its records file. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Rebuilds the console report and the summary JSON, and on request the HTML report and"
            + " CSV files, from a records file (*-records.jsonl).")
final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "RECORDS.jsonl",
      description = "A records file written by 'servebench run --results-dir'.")
  Path recordsFile;

  @Option(names = "--json", description = "Print the summary JSON instead of the console report.")
  boolean json;

  @Option(names = "--summary-out", description = "Also write the summary JSON to this file.")
  Path summaryOut;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write the HTML report (one self-contained page) to this file.")
  Path htmlOut;

  @Option(
      names = "--csv",
      paramLabel = "DIR",
      description =
          "Also write the records and the summary as CSV into this directory"
              + " (NAME-records.csv, NAME-summary.csv for NAME-records.jsonl).")
  Path csvDir;

  @Option(
      names = "--percentiles",
      split = ",",
      description = "Percentiles to show. Default: those the run used.")
  List<Double> percentiles;

  @Option(
      names = "--goodput",
      arity = "1..*",
      description = "Objectives in ms (ttft:200 tpot:50 ...). Default: those the run used.")
  List<String> goodput;

  @Option(
      names = {"--percentile-metrics", "--percentile_metrics"},
      split = ",",
      description =
          "The latencies the console's serving table shows, in order (as for 'run'). Default:"
              + " those the run used.")
  List<String> percentileMetrics;

  @Override
  public Integer call() throws Exception {
    checkOutputs();
    List<PercentileMetric> metrics =
        percentileMetrics == null ? null : PercentileMetric.parse(percentileMetrics);
    RecordsSummary.Result result =
        RecordsSummary.read(
            recordsFile,
            percentiles == null ? null : RunCommand.checkPercentiles(percentiles),
            goodput == null ? null : Goodput.parse(goodput));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String warning : result.warnings()) {
      err.println("servebench: warning: " + warning);
    }
    err.flush();
    Summary summary = result.summary();
    if (json) {
      ByteArrayOutputStream summaryJson = new ByteArrayOutputStream();
      SummaryJson.write(summary, summaryJson);
      out.print(summaryJson.toString(StandardCharsets.UTF_8));
      out.flush();
    } else {
      ConsoleReport.print(
          summary, metrics == null ? PercentileMetric.stored(summary) : metrics, out);
    }
    if (summaryOut != null) {
      SummaryJson.writeAtomically(summary, summaryOut);
    }
    if (htmlOut != null) {
      HtmlReport.write(
          summary, metrics == null ? PercentileMetric.stored(summary) : metrics, htmlOut);
      err.println("servebench: HTML report: " + htmlOut);
    }
    if (csvDir != null) {
      String name = runName(recordsFile);
      Path recordsCsv = csvDir.resolve(name + "-records.csv");
      Path summaryCsv = csvDir.resolve(name + "-summary.csv");
      Files.createDirectories(csvDir);
      RecordsCsv.write(recordsFile, recordsCsv);
      SummaryCsv.write(summary, summaryCsv);
      err.println("servebench: CSV: " + recordsCsv + ", " + summaryCsv);
    }
    err.flush();
    return 0;
  }

  /** Checks the output paths before the records file is read, which can take a while. */
  private void checkOutputs() {
    if (htmlOut != null) {
      if (Files.isDirectory(htmlOut)) {
        throw new InvalidInputException(
            "--html " + htmlOut + " is a directory: give the file to write, such as run.html");
      }
      Path parent = htmlOut.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new InvalidInputException(
            "--html " + htmlOut + ": the directory " + parent + " does not exist; create it first");
      }
    }
    if (csvDir != null) {
      if (Files.exists(csvDir) && !Files.isDirectory(csvDir)) {
        throw new InvalidInputException(
            "--csv " + csvDir + " is a file: give the directory to write the CSV files into");
      }
    }
  }

  /** {@code NAME} of {@code NAME-records.jsonl} (or of {@code NAME.jsonl}, or of any file). */
  static String runName(Path recordsFile) {
    String file = recordsFile.getFileName().toString();
    for (String suffix : List.of("-records.jsonl", ".jsonl")) {
      if (file.endsWith(suffix) && file.length() > suffix.length()) {
        return file.substring(0, file.length() - suffix.length());
      }
    }
    return file;
  }
}
