package dev.servebench.cli;

import dev.servebench.config.Version;
import dev.servebench.error.ExitCode;
import dev.servebench.error.InvalidInputException;
import dev.servebench.error.UnreachableEndpointException;
import io.netty.util.ResourceLeakDetector;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code servebench} command. A bare {@code servebench <flags>} means {@code servebench run
 * <flags>}, so the original script's command lines work as they are. Exit codes are in {@link
 * ExitCode}; no error reaches the user as a stack trace (set {@code SERVEBENCH_DEBUG=1} to see
 * one).
 */
@Command(
    name = "servebench",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description =
        "Benchmarks LLM serving endpoints: throughput, TTFT, TPOT, ITL and end-to-end latency.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  servebench demo",
      "  servebench --base-url http://127.0.0.1:8000 --dataset-format Synthesis \\",
      "      --request-rate 5 --stream --label baseline --results-dir results/",
      "  servebench compare results/ --html compare.html",
      "",
      "'servebench run --help' lists every flag of a run, in sections."
    })
public final class Main {

  /**
   * The commands, in the order help lists them. Only the one a command line names is built (see
   * {@link #commandLine(String)}): picocli reads every option of every command it is given, and
   * sweep holds all of run's, which a fresh process would otherwise read over again before its
   * first request. {@link #newCommand} makes each with {@code new}, which loads its class only when
   * it runs (a method reference would load and verify every command's class up front).
   */
  private static final List<String> COMMANDS =
      List.of(
          "run",
          "sweep",
          "report",
          "merge",
          "k8s",
          "compare",
          "mock-server",
          "demo",
          "accuracy",
          "help");

  private static Object newCommand(String name) {
    return switch (name) {
      case "run" -> new RunCommand();
      case "sweep" -> new SweepCommand();
      case "report" -> new ReportCommand();
      case "merge" -> new MergeCommand();
      case "k8s" -> new K8sCommand();
      case "compare" -> new CompareCommand();
      case "mock-server" -> new MockServerCommand();
      case "demo" -> new DemoCommand();
      case "accuracy" -> new AccuracyCommand();
      case "help" -> new CommandLine.HelpCommand();
      default -> throw new IllegalArgumentException("no command " + name);
    };
  }

  /** The words besides the commands that a command line may begin with for the top level. */
  private static final Set<String> TOP_LEVEL_FLAGS = Set.of("-h", "--help", "-V", "--version");

  /** What a bare {@code servebench} prints: what it is, the commands, a few command lines. */
  static final String USAGE =
      """
      servebench: benchmarks LLM serving endpoints (throughput, TTFT, TPOT, ITL, E2E latency).

      Usage: servebench [run] [FLAGS]     benchmark an endpoint (run is the default command)
             servebench sweep [FLAGS]     a run per step at rising load, or an SLO search
             servebench demo              benchmark the built-in mock server and print the report
             servebench report RECORDS    re-report a run from its records file
             servebench merge SHARD... -o DIR  merge the shards of one plan (run --shard I/N)
             servebench k8s --shards N -- FLAGS  the shards as a Kubernetes Indexed Job
             servebench compare RUN...    compare runs side by side (summaries, records, dirs);
                                          --html FILE overlays their CDFs and time series
             servebench mock-server       serve the built-in mock LLM
             servebench accuracy          check servebench's own timing where it runs

      Examples:
        servebench demo
        servebench --model-endpoint-base http://127.0.0.1:8000 --tokenizer cl100k_base \\
            --dataset ShareGPT_V3_unfiltered_cleaned_split.json --dataset-format ShareGPT \\
            --num-prompts 200 --request-rate 5 --stream --results-dir results/
        servebench --model_endpoint_base http://127.0.0.1:8000 --model_name gpt-j-6b --simple \\
            --dataset prompt.json --dataset-format IPEX --model-type gpt-j --num-prompts 10
        servebench compare results/ --html compare.html

      'servebench run --help' lists every flag, in sections; 'servebench COMMAND --help' each
      command's.
      """;

  public static void main(String[] args) {
    // Netty's leak detector records a stack trace for a sample of buffers, time taken from the
    // I/O thread for a check a run does not need. The tests, which call execute(), keep it on; so
    // does -Dio.netty.leakDetection.level=... when given.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
    System.exit(execute(args));
  }

  /** Runs the command line on the process's stdout and stderr and returns its exit code. */
  public static int execute(String... args) {
    return execute(
        System.getenv(),
        new PrintWriter(System.out, true, java.nio.charset.StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8),
        stderrIsTerminal(),
        args);
  }

  /**
   * Whether the process's standard error is a terminal, which can show the live view's block. On
   * Linux, where file descriptor 2 leads ({@code /proc/self/fd/2}); elsewhere the JDK's console,
   * which asks about standard input and output instead.
   */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException | SecurityException noProc) {
      Console console = System.console();
      if (console == null) {
        return false;
      }
      try {
        // JDK 22 and later return a console even when redirected, and say whether it is one.
        return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
      } catch (ReflectiveOperationException olderJdk) {
        return true;
      }
    }
  }

  /** Runs the command line writing to {@code out} and {@code err} (tests capture both). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return execute(System.getenv(), out, err, args);
  }

  /**
   * Runs the command line in {@code environment} instead of the process's: tests point a run at a
   * Hugging Face cache of their own without changing the process's variables.
   */
  public static int execute(
      Map<String, String> environment, PrintWriter out, PrintWriter err, String... args) {
    return execute(environment, out, err, false, args);
  }

  private static int execute(
      Map<String, String> environment,
      PrintWriter out,
      PrintWriter err,
      boolean errIsTerminal,
      String... args) {
    if (args.length == 0) {
      out.print(USAGE);
      out.flush();
      return ExitCode.OK;
    }
    // (picocli reads an @FILE argument as the flags in FILE: a run's, when it comes first.)
    if (!args[0].startsWith("-") && !args[0].startsWith("@") && !COMMANDS.contains(args[0])) {
      // A run takes flags only, so a first word that is neither a flag nor a command is a
      // mistyped command.
      String near = nearestCommand(args[0]);
      err.println(
          "servebench: '"
              + args[0]
              + "' is not a command"
              + (near != null ? ": did you mean '" + near + "'?" : "")
              + " ('servebench --help' lists the commands; a run needs no command, only flags)");
      err.flush();
      return ExitCode.BAD_INPUT;
    }
    String[] effective = args;
    if (!COMMANDS.contains(args[0]) && !TOP_LEVEL_FLAGS.contains(args[0])) {
      effective = new String[args.length + 1];
      effective[0] = "run";
      System.arraycopy(args, 0, effective, 1, args.length);
    }
    CommandLine commandLine =
        commandLine(
            COMMANDS.contains(effective[0]) && !effective[0].equals("help") ? effective[0] : null);
    Map<String, CommandLine> commands = commandLine.getSubcommands();
    if (commands.containsKey("run")) {
      RunCommand run = (RunCommand) commands.get("run").getCommand();
      run.environment = environment;
      run.stderrTerminal = errIsTerminal;
      run.arguments = List.of(effective).subList(1, effective.length);
    }
    if (commands.containsKey("sweep")) {
      RunCommand sweepRun = ((SweepCommand) commands.get("sweep").getCommand()).run;
      sweepRun.environment = environment;
      sweepRun.stderrTerminal = errIsTerminal;
    }
    if (commands.containsKey("demo")) {
      ((DemoCommand) commands.get("demo").getCommand()).stderrTerminal = errIsTerminal;
    }
    commandLine.setOut(out);
    commandLine.setErr(err);
    int exitCode;
    try {
      exitCode = commandLine.execute(effective);
    } catch (OutOfMemoryError outOfMemory) {
      // Not a bug but a heap too small for the work (a merge of millions of records, tens of
      // thousands of streams): what was held is unreachable once the command has unwound.
      err.println(
          "servebench: out of memory (" + outOfMemory.getMessage() + "): " + remedy(outOfMemory));
      exitCode = ExitCode.INTERNAL_ERROR;
    }
    out.flush();
    err.flush();
    return exitCode;
  }

  /** The command line with every command: for help, and for tests that look at them all. */
  static CommandLine commandLine() {
    return commandLine(null);
  }

  /**
   * The command line with the command {@code only} alone, or with every command when it is null
   * (help, the version, a bare {@code servebench}).
   */
  static CommandLine commandLine(String only) {
    CommandLine commandLine = new CommandLine(new Main());
    for (String name : COMMANDS) {
      if (only == null || only.equals(name)) {
        commandLine.addSubcommand(name, newCommand(name));
      }
    }
    commandLine.setExecutionExceptionHandler(Main::handleError);
    commandLine.setParameterExceptionHandler(Main::handleUsageError);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    if (commandLine.getSubcommands().containsKey("run")) {
      GroupedOptionList.install(commandLine.getSubcommands().get("run"), RunCommand.HELP_SECTIONS);
    }
    return commandLine;
  }

  /** What to do about {@code outOfMemory}, by which memory ran out. */
  static String remedy(OutOfMemoryError outOfMemory) {
    String what = String.valueOf(outOfMemory.getMessage());
    if (what.contains("native thread")) {
      return "the system refused another thread; raise the process limit (ulimit -u) or the"
          + " memory the process may use";
    }
    if (what.contains("Metaspace")) {
      return "raise -XX:MaxMetaspaceSize in SERVEBENCH_JAVA_OPTS";
    }
    if (what.contains("Direct buffer")) {
      return "raise -XX:MaxDirectMemorySize in SERVEBENCH_JAVA_OPTS";
    }
    return "the JVM's heap of "
        + Runtime.getRuntime().maxMemory() / (1 << 20)
        + " MiB is too small for this; give it more with SERVEBENCH_JAVA_OPTS=-Xmx<size>, e.g."
        + " -Xmx4g (docs/scale-out.md, Sizing, says how much)";
  }

  /** The command {@code word} is most likely a typo of (at most 2 edits away), or null. */
  static String nearestCommand(String word) {
    String nearest = null;
    int best = 3;
    for (String command : COMMANDS) {
      int distance = editDistance(word.toLowerCase(java.util.Locale.ROOT), command);
      if (distance < best) {
        best = distance;
        nearest = command;
      }
    }
    return nearest;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static int handleUsageError(CommandLine.ParameterException error, String[] args) {
    CommandLine command = error.getCommandLine();
    PrintWriter err = command.getErr();
    err.println("servebench: " + error.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(error, err);
    err.println(
        "See 'servebench "
            + (command.getParent() == null ? "" : command.getCommandName() + " ")
            + "--help' for every flag.");
    err.flush();
    return ExitCode.BAD_INPUT;
  }

  private static int handleError(
      Exception error, CommandLine command, CommandLine.ParseResult parsed) {
    PrintWriter err = command.getErr();
    int exitCode;
    if (error instanceof InvalidInputException) {
      err.println("servebench: error: " + error.getMessage());
      exitCode = ExitCode.BAD_INPUT;
    } else if (error instanceof java.io.IOException
        || error instanceof java.io.UncheckedIOException) {
      Throwable cause =
          error instanceof java.io.UncheckedIOException unchecked ? unchecked.getCause() : error;
      err.println(
          "servebench: error: "
              + (error instanceof java.io.UncheckedIOException ? error.getMessage() + ": " : "")
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage());
      exitCode = ExitCode.IO_ERROR;
    } else if (error instanceof UnreachableEndpointException) {
      err.println("servebench: error: " + error.getMessage());
      exitCode = ExitCode.ENDPOINT_UNREACHABLE;
    } else if (error instanceof InterruptedException) {
      // Stopped before the run began (Ctrl-C while waiting for the server): nothing was sent.
      err.println(
          "servebench: " + (error.getMessage() == null ? "interrupted" : error.getMessage()));
      exitCode = ExitCode.INTERRUPTED;
    } else {
      err.println(
          "servebench: internal error: "
              + error
              + " (this is a bug in servebench: please report it with the command line; set"
              + " SERVEBENCH_DEBUG=1 for the stack trace)");
      exitCode = ExitCode.INTERNAL_ERROR;
    }
    if (System.getenv("SERVEBENCH_DEBUG") != null) {
      error.printStackTrace(err);
    }
    err.flush();
    return exitCode;
  }

  /** The version from the jar's manifest. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"servebench " + Version.current() + " (Java " + Runtime.version() + ")"};
    }
  }
}
