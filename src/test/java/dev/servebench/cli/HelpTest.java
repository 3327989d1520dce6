package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.testing.Cli;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The help: run's flags in sections, every flag once, examples, complete command summaries. */
class HelpTest {

  private static final List<String> HEADINGS =
      List.of(
          "Endpoint:",
          "Dataset & tokenizer:",
          "Load shape:",
          "Scale-out:",
          "Requests:",
          "Measurement:",
          "Output:",
          "vLLM's result file:",
          "Help:",
          "Examples:");

  /** An option's line in the help: its names start it, after at most six spaces. */
  private static final Pattern OPTION_LINE =
      Pattern.compile("(?m)^ {2,6}(-[-\\w\\[\\]]+(?:, -[-\\w\\[\\]]+)*)");

  @Test
  void runHelpHasEachSectionInOrderAndEveryFlagExactlyOnce() {
    Cli.Result help = Cli.run("run", "--help");

    assertThat(help.exitCode()).isZero();
    String text = help.out();
    int at = -1;
    for (String heading : HEADINGS) {
      int next = text.indexOf("\n" + heading + "\n");
      assertThat(next).as(heading + " after the previous section").isGreaterThan(at);
      at = next;
    }
    // Every option a no section named would land under "Other:".
    assertThat(text).doesNotContain("\n" + GroupedOptionList.OTHER + ":\n");

    List<String> listed = new ArrayList<>();
    Matcher line = OPTION_LINE.matcher(text.substring(0, text.indexOf("\nExamples:\n")));
    while (line.find()) {
      listed.addAll(List.of(line.group(1).replace("[no-]", "").split(", ")));
    }
    CommandLine run = Main.commandLine().getSubcommands().get("run");
    for (OptionSpec option : run.getCommandSpec().options()) {
      // Each option's shortest name, which the help puts first, is listed exactly once.
      assertThat(listed).as(option.shortestName()).containsOnlyOnce(option.shortestName());
    }
    assertThat(text.substring(text.indexOf("\nExamples:\n")))
        .contains("servebench run ", "--concurrency 16", "servebench compare");
  }

  @Test
  void sectionsNameOnlyFlagsThatExistAndEachOnce() {
    CommandLine run = Main.commandLine().getSubcommands().get("run");
    List<String> named = new ArrayList<>();
    RunCommand.HELP_SECTIONS.values().forEach(named::addAll);
    for (String name : named) {
      assertThat(run.getCommandSpec().findOption(name)).as(name).isNotNull();
    }
    assertThat(named).doesNotHaveDuplicates();
  }

  @Test
  void everyCommandHasACompleteOneLineSummary() {
    Cli.Result help = Cli.run("--help");

    assertThat(help.exitCode()).isZero();
    for (CommandLine command : Main.commandLine().getSubcommands().values()) {
      String[] description = command.getCommandSpec().usageMessage().description();
      assertThat(description).as(command.getCommandName()).isNotEmpty();
      // The command list shows the first line only: it must be a whole sentence.
      assertThat(description[0]).as(command.getCommandName()).endsWith(".");
    }
    assertThat(help.out()).contains("compare", "--html", "Examples:");
    assertThat(Cli.run().out()).contains("servebench compare RUN...", "--html FILE");
  }

  @Test
  void aCommandLineBuildsOnlyTheCommandItNamesAndHelpListsThemAll() {
    assertThat(Main.commandLine("run").getSubcommands()).containsOnlyKeys("run");
    assertThat(Main.commandLine("merge").getSubcommands()).containsOnlyKeys("merge");
    assertThat(Main.commandLine().getSubcommands())
        .containsOnlyKeys(
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

    Cli.Result help = Cli.run("--help");
    for (String command : Main.commandLine().getSubcommands().keySet()) {
      assertThat(help.out()).contains("  " + command + " ");
    }
    Cli.Result helpOfOne = Cli.run("help", "merge");
    assertThat(helpOfOne.exitCode()).isZero();
    assertThat(helpOfOne.out()).startsWith("Usage: servebench merge");
  }

  @Test
  void aMistypedCommandIsNamedWithTheNearestOne() {
    Cli.Result typo = Cli.run("merg", "shards/", "-o", "merged");
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err()).contains("'merg' is not a command: did you mean 'merge'?");
    assertThat(typo.out()).isEmpty();

    Cli.Result unknown = Cli.run("benchmark", "--num-prompts", "3");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err())
        .contains("'benchmark' is not a command")
        .doesNotContain("did you mean");

    Cli.Result helpTypo = Cli.run("help", "merg");
    assertThat(helpTypo.err()).doesNotContain("servebench servebench");
  }

  @Test
  void runningOutOfMemorySaysWhichAndWhatToDo() {
    assertThat(Main.remedy(new OutOfMemoryError("Java heap space"))).contains("-Xmx");
    assertThat(Main.remedy(new OutOfMemoryError("unable to create native thread: possibly out")))
        .contains("ulimit -u");
    assertThat(Main.remedy(new OutOfMemoryError("Metaspace"))).contains("MaxMetaspaceSize");
    assertThat(Main.remedy(new OutOfMemoryError("Direct buffer memory")))
        .contains("MaxDirectMemorySize");
  }
}
