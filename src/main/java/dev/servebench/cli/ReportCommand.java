package dev.servebench.cli;

import dev.servebench.config.Goodput;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RunInfo;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.SummaryJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    // The objectives and percentiles come from the header, so the aggregator is made on first use.
    Aggregator[] aggregator = new Aggregator[1];
    RecordReader.Result result =
        RecordReader.read(
            recordsFile,
            run -> aggregator[0] = new Aggregator(options(run)),
            record -> aggregator[0].add(record));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String warning : result.warnings()) {
      err.println("servebench: warning: " + warning);
    }
    err.flush();
    if (aggregator[0] == null) {
      aggregator[0] = new Aggregator(options(result.run()));
    }
    Summary summary = aggregator[0].summarize(result.run(), result.end());
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

  /** The run's own percentiles and objectives unless the command line overrides them. */
  private Aggregator.Options options(RunInfo run) {
    List<Double> levels = percentiles == null ? null : RunCommand.checkPercentiles(percentiles);
    if (levels == null) {
      levels = new ArrayList<>();
      if (run.configuration().get("percentiles") instanceof List<?> stored) {
        // A hand-edited header may hold anything: only valid levels are taken.
        for (Object level : stored) {
          if (level instanceof Number number
              && number.doubleValue() > 0
              && number.doubleValue() < 100) {
            levels.add(number.doubleValue());
          }
        }
      }
      if (levels.isEmpty()) {
        levels = Aggregator.Options.DEFAULT.percentiles();
      }
    }
    Map<String, Double> objectives = new LinkedHashMap<>();
    if (goodput != null) {
      objectives = Goodput.parse(goodput);
    } else if (run.configuration().get("goodput_slo_ms") instanceof Map<?, ?> stored) {
      for (Map.Entry<?, ?> entry : stored.entrySet()) {
        String metric = String.valueOf(entry.getKey());
        if (Goodput.METRICS.contains(metric)
            && entry.getValue() instanceof Number limit
            && limit.doubleValue() > 0) {
          objectives.put(metric, limit.doubleValue());
        }
      }
    }
    return new Aggregator.Options(List.copyOf(levels), Map.copyOf(objectives));
  }
}
