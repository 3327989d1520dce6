package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.testing.Await;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real signals to a real servebench process: SIGTERM drains and writes an incomplete summary, a
 * second Ctrl-C stops at once, and even kill -9 leaves a records file that reads line by line.
 */
class SignalsTest {

  @TempDir Path results;

  private Process start(MockServer server, String... extra) throws IOException {
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
            "8",
            "--stream",
            "--results-dir",
            results.toString(),
            "--no-prompt-cache"));
    command.addAll(List.of(extra));
    return new ProcessBuilder(command)
        .redirectOutput(results.resolve("stdout.txt").toFile())
        .redirectError(results.resolve("stderr.txt").toFile())
        .start();
  }

  /** Waits until a request of the run has reached {@code server}, however slow the start. */
  private static void awaitARequestAt(MockServer server) throws InterruptedException {
    Await.awaitUntil("a request at the mock", () -> server.promptTokensReceived() > 0);
  }

  /** Waits until the run's standard error says {@code text}. */
  private void awaitStderr(String text) throws InterruptedException {
    Await.awaitUntil(
        "\"" + text + "\" on the run's standard error",
        () -> Files.readString(results.resolve("stderr.txt")).contains(text));
  }

  private static MockServer slowMock() {
    // Every response takes 4 s: whatever is in flight when the signal comes outlives the drain.
    return MockServer.start(
        MockServerConfig.builder().itlMillis(200).fixedOutputTokens(20).modelName("gpt2").build());
  }

  private static void signal(Process process, String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
  }

  @Test
  void sigtermDrainsCancelsAndWritesAnIncompleteSummary() throws Exception {
    try (MockServer server = slowMock()) {
      Process run =
          start(server, "--request-rate", "20", "--num-prompts", "200", "--drain-timeout", "0.3");
      awaitARequestAt(server);
      run.destroy(); // SIGTERM
      assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).isEqualTo(ExitCode.INTERRUPTED);
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      assertThat(summary.path("complete").asBoolean()).isFalse();
      JsonNode requests = summary.path("requests");
      assertThat(requests.path("cancelled").asInt()).isPositive();
      assertThat(
              requests.path("succeeded").asInt()
                  + requests.path("failed").asInt()
                  + requests.path("cancelled").asInt())
          .isEqualTo(summary.path("client").path("sent_requests").asInt());
      assertThat(Files.readString(results.resolve("stderr.txt"))).contains("SIGTERM");
      assertThat(Files.readString(results.resolve("stdout.txt")))
          .contains("the run was interrupted");
    }
  }

  @Test
  void aSecondCtrlCStopsAtOnce() throws Exception {
    try (MockServer server = slowMock()) {
      Process run =
          start(server, "--request-rate", "20", "--num-prompts", "200", "--drain-timeout", "60");
      awaitARequestAt(server);
      signal(run, "INT");
      // The second only once the first has been handled: then it must stop the run at once.
      awaitStderr("SIGINT: no new requests");
      signal(run, "INT");
      // Without the second signal the drain would wait up to 60 s (and every request 4 s).
      assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(run.exitValue()).isEqualTo(ExitCode.INTERRUPTED);
      assertThat(Files.readString(results.resolve("stderr.txt"))).contains("stopped at once");
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), record -> {});
    }
  }

  @Test
  void killMinus9LeavesARecordsFileThatStillReads() throws Exception {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder().fixedOutputTokens(2).modelName("gpt2").build())) {
      Process run = start(server, "--request-rate", "200", "--num-prompts", "100000");
      // Killed once some records are on disk, whatever else is half written.
      Await.awaitUntil(
          "request records on disk",
          () ->
              Await.hasFile(results, "-records.jsonl")
                  && RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), record -> {})
                          .requestCount()
                      >= 10);
      run.destroyForcibly(); // SIGKILL: no handler runs
      assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long[] read = {0};
      RecordReader.Result result =
          RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), record -> read[0]++);
      assertThat(read[0]).isPositive();
      assertThat(result.end()).isNull();
      assertThat(result.warnings()).anyMatch(warning -> warning.contains("no closing line"));
      assertThat(Await.hasFile(results, "-summary.json")).isFalse();
      // The report command works on what survived.
      Cli.Result report = Cli.run("report", Cli.onlyFile(results, "-records.jsonl").toString());
      assertThat(report.exitCode()).isZero();
      assertThat(report.out()).contains("Successful requests:");
    }
  }
}
