package dev.servebench.cli;

import dev.servebench.config.Goodput;
import dev.servebench.metrics.Summary;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.SummaryJson;
import dev.servebench.run.RecordsSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
        "Rebuilds the console report and the summary JSON from a records file (*-records.jsonl).")
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
      names = "--percentiles",
      split = ",",
      description = "Percentiles to show. Default: those the run used.")
  List<Double> percentiles;

  @Option(
      names = "--goodput",
      arity = "1..*",
      description = "Objectives in ms (ttft:200 tpot:50 ...). Default: those the run used.")
  List<String> goodput;

  @Override
  public Integer call() throws Exception {
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
      ConsoleReport.print(summary, out);
    }
    if (summaryOut != null) {
      SummaryJson.writeAtomically(summary, summaryOut);
    }
    return 0;
  }
}
