package dev.servebench.cli;

import dev.servebench.error.ExitCode;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.PercentileMetric;
import dev.servebench.run.ShardMerge;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code servebench merge}: one run's report from the shards of its plan. */
@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    description =
        "Combines the results of the shards of one plan (runs with --shard I/N) into one records"
            + " file, summary JSON and HTML report, as one process sending the whole plan would"
            + " have written them, and prints the report. A missing or failed shard is named and"
            + " the result marked partial (exit 6).")
final class MergeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "SHARD",
      description =
          "A shard's results directory or records file (*-records.jsonl), or a directory whose"
              + " subdirectories are shards' results directories.")
  List<Path> inputs;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "DIR",
      required = true,
      description = "Directory for the merged records, summary JSON and HTML report.")
  Path output;

  @Override
  public Integer call() throws Exception {
    ShardMerge.Result merged = ShardMerge.merge(inputs, output, Map.of());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (String warning : merged.warnings()) {
      err.println("servebench: warning: " + warning);
    }
    for (String problem : merged.problems()) {
      err.println("servebench: warning: the merged result is partial: " + problem);
    }
    err.flush();
    // The shards' own --percentile-metrics, as a single run would have printed them.
    ConsoleReport.print(merged.summary(), PercentileMetric.stored(merged.summary()), out);
    out.flush();
    err.println("servebench: merged records: " + merged.recordsFile());
    err.println("servebench: merged summary: " + merged.summaryFile());
    err.println("servebench: merged HTML report: " + merged.htmlFile());
    err.flush();
    return merged.partial() ? ExitCode.PARTIAL : ExitCode.OK;
  }
}
