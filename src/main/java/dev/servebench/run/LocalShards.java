package dev.servebench.run;

import dev.servebench.engine.RunControl;
import dev.servebench.error.ExitCode;
import dev.servebench.report.ConsoleReport;
import dev.servebench.report.RecordsCsv;
import dev.servebench.report.SummaryCsv;
import dev.servebench.schedule.Shard;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code run --processes N}: the plan as N shards ({@code --shard I/N}) in N child JVMs of this
 * one's Java and class path, started together at one {@code --start-at}, their results merged
 * ({@link ShardMerge}) into the results directory. Each launch gets a folder of its own under it,
 * {@code shards-<yyyyMMdd-HHmmss>-<6 hex>/}, so that a second launch into the same results
 * directory never merges the first one's shards; each shard writes into {@code shard-I-of-N/} in
 * that folder (its console report into {@code console.txt} there); its standard error is passed on,
 * each line prefixed with {@code [shard I/N]}.
 *
 * <p>A stop (Ctrl-C, SIGTERM) goes to every shard: a shard in the same process group as a
 * terminal's Ctrl-C already has it, which it says on its standard error; one that has not said so
 * within {@link #STOP_FORWARD_GRACE} is sent SIGTERM, so no shard gets a second signal, which would
 * stop it at once.
 */
public final class LocalShards {

  /** Most processes: each is a whole client (JVM, I/O threads), more only compete for the cores. */
  public static final int MAX_PROCESSES = 256;

  /**
   * The time from the launch to the common start when none is given: a child JVM starts, loads its
   * tokenizer and prompts and rehearses the request path in this; one that is not ready says how
   * late it was (its first requests are late with it), and {@code --start-at} gives more.
   */
  static final Duration START_LEAD = Duration.ofSeconds(10);

  private static final DateTimeFormatter LAUNCH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  static final Duration STOP_FORWARD_GRACE = Duration.ofSeconds(1);

  /**
   * What a shard prints on standard error once it stops sending after a signal (cli.Interrupts).
   */
  private static final String STOP_ACKNOWLEDGED = ": no new requests; waiting for those in flight";

  /** Flags a launch sets per shard itself, with a value each. */
  private static final Set<String> PER_SHARD_FLAGS =
      Set.of("--processes", "--shard", "--start-at", "--results-dir", "--results_dir");

  /**
   * Switches (no value) the launcher acts on itself from the merge, not passed to the shards:
   * vLLM's result file and the CSV are the whole run's, written once from the merged records.
   */
  private static final Set<String> LAUNCHER_SWITCHES =
      Set.of("--save-result", "--save_result", "--append-result", "--append_result", "--csv");

  /** Flags with a value the launcher acts on itself (vLLM's result file's place). */
  private static final Set<String> LAUNCHER_FLAGS =
      Set.of("--result-dir", "--result_dir", "--result-filename", "--result_filename");

  /**
   * One launch.
   *
   * @param arguments the run's command line without the per-shard flags ({@link #shardArguments})
   * @param processes how many shards
   * @param config the settings as checked, for the results directory, the start and the report
   */
  public record Launch(List<String> arguments, int processes, RunConfig config) {}

  private LocalShards() {}

  /**
   * {@code arguments} without {@code --processes}, {@code --shard}, {@code --start-at} and {@code
   * --results-dir} and their values, which each shard is given its own of, and without vLLM's
   * result file's flags and {@code --csv}, which the launcher writes from the merge.
   */
  public static List<String> shardArguments(List<String> arguments) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < arguments.size(); i++) {
      String argument = arguments.get(i);
      int equals = argument.indexOf('=');
      String name = equals > 0 ? argument.substring(0, equals) : argument;
      if (LAUNCHER_SWITCHES.contains(name)) {
        continue;
      }
      if (PER_SHARD_FLAGS.contains(name) || LAUNCHER_FLAGS.contains(name)) {
        if (equals < 0) {
          i++; // its value is the next argument
        }
        continue;
      }
      kept.add(argument);
    }
    return List.copyOf(kept);
  }

  /**
   * {@code arguments} with {@code --server-metrics [URL]} replaced by {@code --no-server-metrics}
   * (once): a shard that leaves the server's metrics to shard 1.
   */
  public static List<String> notScraping(List<String> arguments) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < arguments.size(); i++) {
      String argument = arguments.get(i);
      String name =
          argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
      if (name.equals("--server-metrics") || name.equals("--server_metrics")) {
        if (!argument.contains("=")
            && i + 1 < arguments.size()
            && !arguments.get(i + 1).startsWith("-")) {
          i++; // its optional URL
        }
        continue;
      }
      if (name.equals("--no-server-metrics") || name.equals("--no_server_metrics")) {
        continue;
      }
      kept.add(argument);
    }
    kept.add("--no-server-metrics");
    return List.copyOf(kept);
  }

  /**
   * Runs the shards, merges them, prints the merged report on {@code out}; returns the exit code.
   */
  public static int run(Launch launch, RunControl control, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    RunConfig config = launch.config();
    Path resultsDir = config.output().resultsDir();
    Instant startAt =
        config.sharding().startAt() != null
            ? config.sharding().startAt()
            : Instant.now().plus(START_LEAD);
    int count = launch.processes();
    if (config.output().vllmResult() != null) {
      Benchmark.prepareVllmResultDir(config.output().vllmResult());
    }
    Path launchDir = launchDir(resultsDir, Instant.now());
    List<Child> children = new ArrayList<>();
    List<Path> shardDirs = new ArrayList<>();
    err.println(
        "servebench: "
            + count
            + " shards start at "
            + startAt
            + "; each one's results in "
            + launchDir.resolve("shard-I-of-" + count));
    err.flush();
    try {
      for (int index = 0; index < count; index++) {
        Shard shard = new Shard(index, count);
        Path dir = launchDir.resolve("shard-" + (index + 1) + "-of-" + count);
        Files.createDirectories(dir);
        shardDirs.add(dir);
        List<String> command = new ArrayList<>(ColdAccuracyCheck.javaCommand());
        command.add("run");
        // Every shard would scrape the same server: shard 1 alone does, and the merge carries its
        // scrapes.
        command.addAll(index == 0 ? launch.arguments() : notScraping(launch.arguments()));
        command.addAll(
            List.of(
                "--shard",
                shard.label(),
                "--start-at",
                startAt.toString(),
                "--results-dir",
                dir.toString()));
        Process process =
            new ProcessBuilder(command)
                .redirectOutput(dir.resolve("console.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        process.getOutputStream().close();
        children.add(new Child(shard, process, err));
      }
      awaitAll(children, control);
    } finally {
      for (Child child : children) {
        if (child.process.isAlive()) {
          child.process.destroyForcibly(); // the launcher itself failed: leave no shard behind
        }
        child.pump.join();
      }
    }

    List<Integer> exitCodes = children.stream().map(child -> child.process.exitValue()).toList();
    Map<Integer, String> failed = failedShards(exitCodes);
    if (failed.size() == count) {
      err.println("servebench: every shard failed; their lines above say why");
      err.flush();
      return control.stopRequested() ? ExitCode.INTERRUPTED : exitCodes.get(0);
    }
    ShardMerge.Result merged = ShardMerge.merge(shardDirs, resultsDir, failed);
    for (String warning : merged.warnings()) {
      err.println("servebench: warning: " + warning);
    }
    for (String problem : merged.problems()) {
      err.println("servebench: warning: the merged result is partial: " + problem);
    }
    out.println();
    ConsoleReport.print(merged.summary(), config.output().percentileMetrics(), out);
    out.flush();
    err.println("servebench: merged records: " + merged.recordsFile());
    err.println("servebench: merged summary: " + merged.summaryFile());
    err.println("servebench: merged HTML report: " + merged.htmlFile());
    if (config.output().csv()) {
      String stem = merged.recordsFile().getFileName().toString().replace("-records.jsonl", "");
      Path recordsCsv = resultsDir.resolve(stem + "-records.csv");
      Path summaryCsv = resultsDir.resolve(stem + "-summary.csv");
      RecordsCsv.write(merged.recordsFile(), recordsCsv);
      SummaryCsv.write(merged.summary(), summaryCsv);
      err.println("servebench: merged CSV: " + recordsCsv + ", " + summaryCsv);
    }
    if (config.output().vllmResult() != null) {
      // The whole plan's rate and caps (the launcher's settings), the merged run's figures.
      Object tokenizer = merged.summary().run().configuration().get("tokenizer");
      Benchmark.writeVllmResult(
          merged.summary(), config, tokenizer == null ? "" : tokenizer.toString(), null, err);
    }
    err.flush();
    if (control.stopRequested() || exitCodes.contains(ExitCode.INTERRUPTED)) {
      return ExitCode.INTERRUPTED;
    }
    if (merged.partial()) {
      return ExitCode.PARTIAL;
    }
    return merged.summary().counts().failed() > 0 ? ExitCode.REQUESTS_FAILED : ExitCode.OK;
  }

  /**
   * The shards whose process failed, by index from 0, with why. A shard that exited 0, 3 (some
   * requests failed) or interrupted (it stopped sending on a signal and drained, and its records'
   * closing line says interrupted) is merged: the merge names an interrupted one itself.
   */
  static Map<Integer, String> failedShards(List<Integer> exitCodes) {
    Map<Integer, String> failed = new TreeMap<>();
    for (int index = 0; index < exitCodes.size(); index++) {
      int code = exitCodes.get(index);
      if (code != ExitCode.OK && code != ExitCode.REQUESTS_FAILED && code != ExitCode.INTERRUPTED) {
        failed.put(index, "failed (exit " + code + "; its lines above say why)");
      }
    }
    return failed;
  }

  /**
   * A new folder for one launch's shards under {@code resultsDir}, {@code
   * shards-<yyyyMMdd-HHmmss>-<6 hex>} (UTC): a launch merges only its own shards' files, however
   * many launches went into the results directory before.
   */
  static Path launchDir(Path resultsDir, Instant now) throws IOException {
    Files.createDirectories(resultsDir);
    while (true) {
      byte[] random = new byte[3];
      ThreadLocalRandom.current().nextBytes(random);
      Path dir =
          resultsDir.resolve(
              "shards-" + LAUNCH_TIME.format(now) + "-" + HexFormat.of().formatHex(random));
      try {
        return Files.createDirectory(dir);
      } catch (FileAlreadyExistsException taken) {
        // Another launch drew the same name in the same second: draw again.
      }
    }
  }

  /** Waits for every shard to end, passing a stop on to those that have not seen it. */
  private static void awaitAll(List<Child> children, RunControl control)
      throws InterruptedException {
    long stopSeenNanos = 0;
    boolean forwarded = false;
    for (Child child : children) {
      while (!child.process.waitFor(100, TimeUnit.MILLISECONDS)) {
        if (!control.stopRequested() || forwarded) {
          continue;
        }
        if (stopSeenNanos == 0) {
          stopSeenNanos = System.nanoTime();
        } else if (System.nanoTime() - stopSeenNanos >= STOP_FORWARD_GRACE.toNanos()) {
          for (Child other : children) {
            if (other.process.isAlive() && !other.stopAcknowledged) {
              other.process.destroy(); // SIGTERM: a graceful stop, as Ctrl-C
            }
          }
          forwarded = true;
        }
      }
    }
  }

  /** One shard's process and the thread that passes its standard error on. */
  private static final class Child {
    final Shard shard;
    final Process process;
    final Thread pump;
    volatile boolean stopAcknowledged;

    Child(Shard shard, Process process, PrintWriter err) {
      this.shard = shard;
      this.process = process;
      String prefix = "[shard " + shard.label() + "] ";
      this.pump =
          Thread.ofPlatform()
              .name("shard-" + shard.label() + "-stderr")
              .daemon()
              .start(
                  () -> {
                    try (BufferedReader lines =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getErrorStream(), StandardCharsets.UTF_8))) {
                      String line;
                      while ((line = lines.readLine()) != null) {
                        if (line.contains(STOP_ACKNOWLEDGED)) {
                          stopAcknowledged = true;
                        }
                        synchronized (err) {
                          err.println(prefix + line);
                          err.flush();
                        }
                      }
                    } catch (IOException gone) {
                      // The shard's stream closed under the reader: the process is gone, and its
                      // exit code says how it ended.
                    }
                  });
    }
  }
}
