package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.config.HttpTarget;
import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.tokenizer.Tokenizers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A recorder thread that dies (a bug in a sink, or an Error such as running out of heap) ends the
 * run with that failure: the drain used to wait for records that could no longer come.
 */
class RecorderFailureTest {

  private static RunEnd runWith(BenchmarkRunner.RecordSink sink) throws Exception {
    MockServerConfig config =
        MockServerConfig.builder()
            .ttftMillis(5)
            .itlMillis(5)
            .fixedOutputTokens(4)
            .modelName("m")
            .build();
    try (MockServer server = MockServer.start(config)) {
      BenchmarkRunner runner =
          new BenchmarkRunner(
              BenchmarkRunner.Settings.builder(
                      HttpTarget.parse(server.baseUrl()),
                      EndpointType.OPENAI_CHAT.adapter(null),
                      new RequestOptions("m", true, null, null, null, null, false, false))
                  .build(),
              Tokenizers.builtIn("r50k_base"));
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        // 40 requests at 200 req/s: the failure comes while most are still to be sent or in flight.
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
        Future<RunEnd> run =
            caller.submit(
                () ->
                    runner.run(
                        RunClock.start(),
                        List.of(new Prompt("Hello there.", 3, 4)),
                        () -> next.getAndAdd(5_000_000L),
                        new BenchmarkRunner.Bounds(40, -1, 0, 0, Duration.ofSeconds(5)),
                        sink,
                        new RunControl(),
                        null,
                        null));
        // Waiting on the run itself: a hang is the failure this test is about.
        return run.get(120, TimeUnit.SECONDS);
      } finally {
        caller.shutdownNow();
      }
    }
  }

  @Test
  void anErrorOnTheRecorderThreadEndsTheRunWithIt() {
    AtomicInteger seen = new AtomicInteger();
    BenchmarkRunner.RecordSink dying =
        (RequestRecord record) -> {
          if (seen.incrementAndGet() == 3) {
            throw new OutOfMemoryError("Java heap space (a test)");
          }
        };

    assertThatThrownBy(() -> runWith(dying))
        .hasRootCauseInstanceOf(OutOfMemoryError.class)
        .hasRootCauseMessage("Java heap space (a test)");
    assertThat(seen.get()).isEqualTo(3);
  }

  @Test
  void aRuntimeExceptionOnTheRecorderThreadEndsTheRunWithIt() {
    AtomicInteger seen = new AtomicInteger();
    BenchmarkRunner.RecordSink broken =
        (RequestRecord record) -> {
          if (seen.incrementAndGet() == 2) {
            throw new IllegalStateException("a broken sink");
          }
        };

    assertThatThrownBy(() -> runWith(broken)).hasRootCauseMessage("a broken sink");
  }
}
