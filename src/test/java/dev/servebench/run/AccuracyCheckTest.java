package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.servebench.error.InvalidInputException;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.tokenizer.Tokenizers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * servebench's stamps against the mock server's own write times. The bounds here are loose on
 * purpose (a shared CI machine can stall any thread for a few ms); {@code servebench accuracy}
 * prints the real figures, which bench/README.md quotes (Accuracy).
 */
class AccuracyCheckTest {

  @Test
  void oneStreamArrivesJustAfterEachWrite() throws Exception {
    AccuracyCheck.Result result =
        AccuracyCheck.run(new AccuracyCheck.Load(1, 5, 20, 10, 5, 2, 200, 0));
    assertThat(result.failedRequests()).isZero();
    assertThat(result.unloggedRequests()).isZero();
    assertThat(result.tokenCountsMatch()).isTrue();
    assertThat(result.requests()).isEqualTo(5);
    // Output lengths are spread over 10..30 tokens, one chunk each.
    assertThat(result.chunks()).isBetween(5L * 10, 5L * 30);
    assertThat(result.chunkDelay().p50Nanos()).isLessThan(2_000_000);
    assertThat(result.sendDelay().p50Nanos()).isLessThan(2_000_000);
    // The errors include the send delay and a chunk delay, so they are at least each.
    assertThat(result.ttftError().p50Nanos()).isGreaterThan(0);
    assertThat(result.itlError().p50Nanos()).isLessThan(2_000_000);
    // Linux keeps the I/O thread's wait for a CPU; elsewhere it is unknown (-1).
    assertThat(result.ioThreadsCpuWaitNanos())
        .isGreaterThanOrEqualTo(Files.isReadable(Path.of("/proc/thread-self/schedstat")) ? 0 : -1);
  }

  @Test
  void manyStreamsKeepEveryChunkAndItsTiming() throws Exception {
    AccuracyCheck.Result result =
        AccuracyCheck.run(new AccuracyCheck.Load(100, 2, 20, 10, 10, 3, 0, 0));
    assertThat(result.failedRequests()).isZero();
    assertThat(result.tokenCountsMatch()).isTrue();
    assertThat(result.requests()).isEqualTo(200);
    assertThat(result.chunks()).isBetween(200L * 10, 200L * 30);
    assertThat(result.chunkDelay().p50Nanos()).isLessThan(5_000_000);
  }

  @Test
  void anOpenLoopRateSpreadsTheRequestsOverTime() throws Exception {
    long startNanos = System.nanoTime();
    // 20 streams, 2 measured requests each after a round that opens the connections: 60 sends at
    // 100 req/s, the last not before 590 ms, however fast the machine.
    AccuracyCheck.Result result =
        AccuracyCheck.run(new AccuracyCheck.Load(20, 2, 10, 0, 2, 0, 0, 100));
    long elapsedNanos = System.nanoTime() - startNanos;
    assertThat(result.failedRequests()).isZero();
    assertThat(result.tokenCountsMatch()).isTrue();
    assertThat(result.requests()).isEqualTo(40);
    assertThat(elapsedNanos).isGreaterThanOrEqualTo(590_000_000L);
  }

  @Test
  void aNegativeRateIsRefused() {
    assertThatThrownBy(() -> new AccuracyCheck.Load(1, 1, 5, 0, 0, 0, 0, -1))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("--request-rate");
  }

  @Test
  void aServerInAnotherProcessHandsItsLogOverHttp() throws Exception {
    try (MockServer server = separateServer(1_000)) {
      AccuracyCheck.Result result =
          AccuracyCheck.runAgainst(
              server.baseUrl(), new AccuracyCheck.Load(4, 3, 10, 0, 0, 0, 0, 0));
      assertThat(result.failedRequests()).isZero();
      assertThat(result.unloggedRequests()).isZero();
      assertThat(result.tokenCountsMatch()).isTrue();
      assertThat(result.requests()).isEqualTo(12);
      assertThat(result.chunks()).isBetween(12L * 5, 12L * 15);
      // The log was handed out and forgotten: nothing is left for a second reader.
      assertThat(server.takeAllWrites()).isEmpty();
    }
  }

  @Test
  void requestsPastTheServersLogBoundAreCountedApartNotCompared() throws Exception {
    try (MockServer server = separateServer(3)) {
      // The 4 warm-up requests (one per stream) take the 3 log entries; no measured one has any.
      AccuracyCheck.Result result =
          AccuracyCheck.runAgainst(
              server.baseUrl(), new AccuracyCheck.Load(4, 3, 10, 0, 0, 0, 0, 0));
      assertThat(result.failedRequests()).isZero();
      assertThat(result.unloggedRequests()).isEqualTo(12);
      assertThat(result.chunks()).isZero();
    }
  }

  @Test
  void anAddressWhereNothingListensIsNamedWithWhatToDo() {
    assertThatThrownBy(
            () ->
                AccuracyCheck.runAgainst(
                    "http://127.0.0.1:1", new AccuracyCheck.Load(1, 1, 5, 0, 0, 0, 0, 0)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cannot read the write log")
        .hasMessageContaining("--record-writes");
  }

  @Test
  void aServerWithoutAWriteLogIsNamedWithWhatToDo() throws Exception {
    HttpServer other =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    other.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    other.start();
    try {
      String url = "http://127.0.0.1:" + other.getAddress().getPort();
      assertThatThrownBy(
              () -> AccuracyCheck.runAgainst(url, new AccuracyCheck.Load(1, 1, 5, 0, 0, 0, 0, 0)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("HTTP 404")
          .hasMessageContaining("--record-writes");
    } finally {
      other.stop(0);
    }
  }

  /** A mock the check reaches only over HTTP, as it would one in another process. */
  private static MockServer separateServer(int loggedRequests) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(5)
            .itlMillis(2)
            .recordWrites(loggedRequests)
            .tokenizer(Tokenizers.builtIn("r50k_base"))
            .modelName("gpt2")
            .build());
  }
}
