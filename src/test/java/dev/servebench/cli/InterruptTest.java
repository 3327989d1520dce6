package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.config.ExitCode;
import dev.servebench.engine.RunControl;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.run.Benchmark;
import dev.servebench.testing.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
}
