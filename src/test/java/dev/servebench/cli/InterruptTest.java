package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.engine.RunControl;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.run.Benchmark;
import dev.servebench.testing.Await;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stop request (what Ctrl-C sends) ends the run cleanly: drained, cancelled, accounted for. */
class InterruptTest {

  @TempDir Path results;

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
      // Stop as soon as a request has reached the server, however slow the start.
      timer.execute(
          () -> {
            try {
              Await.awaitUntil("a request at the mock", () -> server.promptTokensReceived() > 0);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
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
      // At least the one the server saw; far from the 100 planned (5 s of sending).
      assertThat(sent).isBetween(1L, 50L);
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
    // The connects are seen waiting in the kernel's socket table.
    assumeThat(Files.isReadable(Path.of("/proc/net/tcp"))).isTrue();
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
      // Spread over 1.4 s, so that the requests, not only connections opened ahead of the first
      // ones, wait on connects when the stop comes.
      command.requestRate = "5";
      command.arrival = "constant";
      command.stream = true;
      command.drainSeconds = 0.2;
      command.resultsDir = results;
      RunControl control = new RunControl();
      // Stop once all eight requests wait on their connections (a connection apiece, as none is
      // ever answered), however slow the start.
      AtomicLong stopNanos = new AtomicLong();
      timer.execute(
          () -> {
            try {
              Await.awaitUntil(
                  "the run's eight connections waiting",
                  () ->
                      Await.hasFile(results, "-records.jsonl")
                          && socketsConnectingTo(server.getLocalPort()) >= 8);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            stopNanos.set(System.nanoTime());
            control.requestStop();
          });

      Benchmark.Outcome outcome =
          assertTimeoutPreemptively(
              Duration.ofSeconds(120),
              () ->
                  Benchmark.execute(
                      command.toConfig(),
                      control,
                      new PrintWriter(new StringWriter()),
                      new PrintWriter(new StringWriter())));

      // The drain is 0.2 s; the connects would wait for minutes.
      assertThat(stopNanos.get()).isNotZero();
      assertThat(Duration.ofNanos(System.nanoTime() - stopNanos.get()))
          .isLessThan(Duration.ofSeconds(10));
      assertThat(outcome.exitCode()).isEqualTo(ExitCode.INTERRUPTED);
      JsonNode requests = Cli.json(outcome.summaryFile()).path("requests");
      assertThat(requests.path("total").asLong()).isEqualTo(8);
      assertThat(requests.path("cancelled").asLong()).isEqualTo(8);
    }
  }

  /**
   * Sockets on the host connecting or connected to {@code port}, from the kernel's tables (Linux):
   * a connect the server never accepts waits in SYN_SENT, one in its backlog is ESTABLISHED.
   */
  private static int socketsConnectingTo(int port) throws IOException {
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.isReadable(path)) {
        continue;
      }
      List<String> lines = Files.readAllLines(path);
      // sl local_address rem_address st ...: addresses as hex address:port, st 01 or 02.
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.strip().split("\\s+");
        String remote = fields[2];
        int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
        if (remotePort == port && (fields[3].equals("01") || fields[3].equals("02"))) {
          count++;
        }
      }
    }
    return count;
  }
}
