package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Await;
import dev.servebench.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view as users meet it, in a fresh servebench process: through a pipe (plain lines at the
 * interval asked for), in a real terminal (tmux: one block redrawn in place, gone before the
 * report), and not at all with {@code --quiet}.
 */
class LiveOutputTest {

  private static final Pattern LINE =
      Pattern.compile(
          "(?m)^servebench: \\[(\\d+\\.\\d) s\\] (warm-up|measuring|draining): sent \\d+");

  /** The block's second line, one per block drawn. */
  private static final String BLOCK_REQUESTS = "  requests      sent ";

  private static final Pattern BLOCK_HEAD =
      Pattern.compile("servebench: (warm-up|measuring|draining), (\\d+\\.\\d) s elapsed");

  @TempDir Path work;

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder().ttftMillis(20).itlMillis(10).modelName("gpt2").build());
  }

  /** {@code servebench run} in a JVM of its own, against {@code server}, with {@code extra}. */
  private List<String> command(MockServer server, String... extra) {
    List<String> command = Cli.ownJvm();
    command.addAll(
        List.of(
            "--model-endpoint-base",
            server.baseUrl(),
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--input-len-mean",
            "16",
            "--output-len-mean",
            "20",
            "--output-len-stddev",
            "0",
            "--stream",
            "--arrival",
            "constant",
            "--no-prompt-cache"));
    command.addAll(List.of(extra));
    return command;
  }

  @Test
  void throughAPipeAPlainLineComesEveryInterval() throws Exception {
    try (MockServer server = mock()) {
      // 30 requests at 10/s: the plan alone lasts 3 s, whatever the host's speed.
      Process run =
          new ProcessBuilder(
                  command(
                      server,
                      "--num-prompts",
                      "30",
                      "--request-rate",
                      "10",
                      "--live-interval",
                      "500ms"))
              .redirectOutput(work.resolve("stdout.txt").toFile())
              .start(); // stderr is a pipe
      String stderr = readAll(run.getErrorStream());
      assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).isZero();

      List<Double> elapsed = new ArrayList<>();
      for (String line : stderr.lines().toList()) {
        Matcher matcher = LINE.matcher(line);
        if (matcher.find()) {
          elapsed.add(Double.parseDouble(matcher.group(1)));
        }
      }
      assertThat(elapsed).as("live lines in:\n%s", stderr).hasSizeGreaterThanOrEqualTo(3);
      assertThat(elapsed).isSorted().doesNotHaveDuplicates();
      assertThat(stderr).doesNotContain("\033"); // no cursor movements into a pipe or a file
      assertThat(Files.readString(work.resolve("stdout.txt")))
          .contains("Serving Benchmark Result")
          .doesNotContain("measuring");
    }
  }

  @Test
  void quietShowsNoLiveViewAndNoInformationalLines() throws Exception {
    try (MockServer server = mock()) {
      Cli.Result result =
          Cli.runSynthetic(
              server.baseUrl(), work, "--num-prompts", "20", "--request-rate", "20", "--quiet");
      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).isEmpty();
      assertThat(result.out()).contains("Serving Benchmark Result");

      Cli.Result noisy =
          Cli.runSynthetic(
              server.baseUrl(),
              work.resolve("noisy"),
              "--num-prompts",
              "20",
              "--request-rate",
              "20",
              "--live-interval",
              "100ms");
      assertThat(noisy.err()).contains("servebench: sending to").containsPattern(LINE);
    }
  }

  @Test
  void contradictoryProgressFlagsAreRefused() {
    Cli.Result quietProgress = Cli.run("--dataset-format", "Synthesis", "--quiet", "--progress");
    assertThat(quietProgress.exitCode()).isEqualTo(2);
    assertThat(quietProgress.err())
        .contains("--progress shows progress and --quiet hides it: give one of them");
    Cli.Result quietInterval =
        Cli.run("--dataset-format", "Synthesis", "--quiet", "--live-interval", "1s");
    assertThat(quietInterval.exitCode()).isEqualTo(2);
    Cli.Result zero = Cli.run("--dataset-format", "Synthesis", "--live-interval", "0s");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.err()).contains("--live-interval must be longer than 0");
  }

  @Test
  void inATerminalOneBlockIsRedrawnInPlaceAndClearedBeforeTheReport() throws Exception {
    Assumptions.assumeTrue(
        tmuxInstalled(),
        "tmux is not installed: the terminal test needs it (apt-get install tmux)");
    String socket = "servebench-test-" + ProcessHandle.current().pid();
    String session = "live";
    try (MockServer server = mock()) {
      // 80 requests at 10/s: 8 s of plan, time enough to see the block redrawn.
      List<String> command = command(server, "--num-prompts", "80", "--request-rate", "10");
      Path script = work.resolve("run.sh");
      StringBuilder line = new StringBuilder();
      for (String word : command) {
        line.append('\'').append(word.replace("'", "'\\''")).append("' ");
      }
      Files.writeString(
          script, line + "\necho servebench-exit-$?\nsleep 600\n", StandardCharsets.UTF_8);
      tmux(socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh " + script);
      try {
        Await.awaitUntil(
            "the live block in the pane", () -> capture(socket, session).contains(BLOCK_REQUESTS));
        String first = capture(socket, session);
        assertThat(count(first, BLOCK_REQUESTS)).as("blocks in:\n%s", first).isEqualTo(1);
        String firstElapsed = elapsed(first);
        // Redrawn: the elapsed time changes, and still one block, no scrolled copies above it.
        String[] later = new String[1];
        Await.awaitUntil(
            "the block redrawn",
            () -> {
              later[0] = capture(socket, session);
              String now = elapsed(later[0]);
              return now != null && !now.equals(firstElapsed);
            });
        assertThat(count(later[0], BLOCK_REQUESTS)).as("blocks in:\n%s", later[0]).isEqualTo(1);
        assertThat(count(later[0], "  TTFT          p50")).isEqualTo(1);

        Await.awaitUntil(
            "the run's end",
            () -> capture(socket, session).contains("servebench-exit-"),
            Duration.ofSeconds(120));
        String end = capture(socket, session);
        assertThat(end).as(end).contains("servebench-exit-0").contains("Serving Benchmark Result");
        assertThat(end).doesNotContain(BLOCK_REQUESTS); // erased before the report
        assertThat(end.indexOf("servebench: sending to"))
            .isLessThan(end.indexOf("Serving Benchmark Result"));
      } finally {
        tmux(socket, "kill-server");
      }
    }
  }

  private static boolean tmuxInstalled() {
    try {
      return new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
    } catch (IOException | InterruptedException absent) {
      return false;
    }
  }

  /** The pane's whole text, its scrolled-off history included. */
  private static String capture(String socket, String session) throws Exception {
    return tmux(socket, "capture-pane", "-p", "-S", "-", "-t", session);
  }

  private static String tmux(String socket, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", socket));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = readAll(process.getInputStream());
    process.waitFor(30, TimeUnit.SECONDS);
    return output;
  }

  private static String elapsed(String pane) {
    Matcher matcher = BLOCK_HEAD.matcher(pane);
    return matcher.find() ? matcher.group(2) : null;
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
