package dev.servebench.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs the servebench command line in-process and captures what it prints. */
public final class Cli {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One finished command. */
  public record Result(int exitCode, String out, String err) {}

  private Cli() {}

  public static Result run(String... args) {
    return run(System.getenv(), args);
  }

  /** Runs the command line in {@code environment} instead of the process's own. */
  public static Result run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = Main.execute(environment, new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  /**
   * The start of a command line that runs servebench's {@code Main} in a JVM of its own, with this
   * test JVM's Java and class path: for what needs a real process (signals, a terminal, stderr as a
   * pipe). The servebench arguments follow.
   */
  public static List<String> ownJvm() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    return command;
  }

  /**
   * A streamed run of synthetic prompts against {@code baseUrl} (model gpt2, tokenizer r50k_base)
   * writing its results to {@code resultsDir}; {@code extra} flags follow (counts, rates, limits).
   */
  public static Result runSynthetic(String baseUrl, Path resultsDir, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                baseUrl,
                "--model-name",
                "gpt2",
                "--tokenizer",
                "r50k_base",
                "--dataset-format",
                "Synthesis",
                "--stream",
                "--results-dir",
                resultsDir.toString()));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  /** The one file in {@code directory} whose name ends with {@code suffix}. */
  public static Path onlyFile(Path directory, String suffix) {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(suffix))
          .reduce(
              (a, b) -> {
                throw new AssertionError("more than one *" + suffix + " in " + directory);
              })
          .orElseThrow(() -> new AssertionError("no *" + suffix + " in " + directory));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode json(Path file) {
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
