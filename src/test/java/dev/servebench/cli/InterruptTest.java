package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.config.ExitCode;
import dev.servebench.engine.RunControl;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.run.Benchmark;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stop request (what Ctrl-C sends) ends the run cleanly: drained, cancelled, accounted for. */
class InterruptTest {

  @TempDir Path results;

  private boolean hasRecordsFile() throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(results)) {
      return files.anyMatch(file -> file.toString().endsWith("-records.jsonl"));
    }
  }

  @Test
  void stoppingMidRunCancelsWhatOutlivesTheDrainAndMarksTheSummaryIncomplete() throws Exception {
    try (MockServer server =
            MockServer.start(
                MockServerConfig.builder()
                    .itlMillis(200)
                    .fixedOutputTokens(20)
                    .modelName("gpt2")
                    .build());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
      RunCommand command = new RunCommand();
      command.endpointBase = server.baseUrl();
      command.modelName = "gpt2";
      command.tokenizer = "r50k_base";
      command.datasetFormat = "Synthesis";
      command.numPrompts = 100;
      command.requestRate = "20";
      command.stream = true;
      command.drainSeconds = 0.2;
      command.resultsDir = results;
      RunControl control = new RunControl();
      // Stop half a second into sending: the records file appears just before the first send.
      timer.execute(
          () -> {
            try {
              while (!hasRecordsFile()) {
                Thread.sleep(10);
              }
              Thread.sleep(500);
            } catch (InterruptedException | java.io.IOException e) {
              throw new IllegalStateException(e);
            }
            control.requestStop();
          });

      StringWriter out = new StringWriter();
      Benchmark.Outcome outcome =
          Benchmark.execute(
              command.toConfig(),
              control,
              new PrintWriter(out),
              new PrintWriter(new StringWriter()));

      assertThat(outcome.exitCode()).isEqualTo(ExitCode.INTERRUPTED);
      JsonNode summary = Cli.json(outcome.summaryFile());
      assertThat(summary.path("complete").asBoolean()).isFalse();
      JsonNode requests = summary.path("requests");
      long sent = summary.path("client").path("sent_requests").asLong();
      assertThat(sent).isBetween(3L, 30L);
      assertThat(
              requests.path("succeeded").asLong()
                  + requests.path("failed").asLong()
                  + requests.path("cancelled").asLong())
          .isEqualTo(requests.path("total").asLong())
          .isEqualTo(sent);
      // Every request takes 4 s and the drain is 0.2 s: all were cut off.
      assertThat(requests.path("cancelled").asLong()).isEqualTo(sent);
      assertThat(out.toString())
          .contains("the run was interrupted")
          .contains("Cancelled requests (interrupted):");
      RecordReader.Result records = RecordReader.read(outcome.recordsFile(), record -> {});
      assertThat(records.requestCount()).isEqualTo(sent);
      assertThat(records.end().interrupted()).isTrue();
    }
  }

  @Test
  void stoppingWhileConnectsWaitOnAServerThatStoppedAcceptingEndsAtOnce() throws Exception {
    // Backlog 1, and only the reachability check's connection is accepted: later connects fill
    // the backlog, and after that the kernel drops their SYNs, leaving them waiting for minutes.
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket check = server.accept()) {
                  check.getInputStream().readAllBytes();
                } catch (IOException closed) {
                  // the test ended
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      RunCommand command = new RunCommand();
      command.endpointBase = "http://127.0.0.1:" + server.getLocalPort();
      command.modelName = "gpt2";
      command.tokenizer = "r50k_base";
      command.datasetFormat = "Synthesis";
      command.numPrompts = 8;
      command.stream = true;
      command.drainSeconds = 0.2;
      command.resultsDir = results;
      RunControl control = new RunControl();
      timer.schedule(control::requestStop, 1500, TimeUnit.MILLISECONDS);

      long startNanos = System.nanoTime();
      Benchmark.Outcome outcome =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  Benchmark.execute(
                      command.toConfig(),
                      control,
                      new PrintWriter(new StringWriter()),
                      new PrintWriter(new StringWriter())));

      assertThat(Duration.ofNanos(System.nanoTime() - startNanos))
          .isLessThan(Duration.ofSeconds(10));
      assertThat(outcome.exitCode()).isEqualTo(ExitCode.INTERRUPTED);
      JsonNode requests = Cli.json(outcome.summaryFile()).path("requests");
      assertThat(requests.path("total").asLong()).isEqualTo(8);
      assertThat(requests.path("cancelled").asLong()).isEqualTo(8);
    }
  }
}
