package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.error.ExitCode;
import dev.servebench.mock.CapturedRequest;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Await;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --wait-for-server}: a server that starts listening while the client waits is benchmarked;
 * one that never does fails after the wait with the unreachable endpoint's exit code.
 */
class WaitForServerTest {

  @TempDir Path results;

  /** A port nothing listens on now, for a server started later. */
  private static int reservedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private List<String> args(int port, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                "http://127.0.0.1:" + port,
                "--tokenizer",
                "r50k_base",
                "--dataset-format",
                "Synthesis",
                "--input-len-mean",
                "8",
                "--output-len-mean",
                "3",
                "--output-len-stddev",
                "0",
                "--num-prompts",
                "2",
                "--results-dir",
                results.toString()));
    args.addAll(List.of(extra));
    return args;
  }

  /** Starts the client, starts the mock once the client says it waits, returns the mock. */
  private static MockServer runWhileTheServerComesUp(
      int port, List<String> args, StringWriter err, CompletableFuture<Integer> exitCode)
      throws Exception {
    StringWriter out = new StringWriter();
    CompletableFuture.runAsync(
        () -> {
          try {
            exitCode.complete(
                Main.execute(
                    new PrintWriter(out, true),
                    new PrintWriter(err, true),
                    args.toArray(String[]::new)));
          } catch (Throwable t) {
            exitCode.completeExceptionally(t);
          }
        });
    Await.awaitUntil(
        "the client to say it waits for the server",
        () -> err.toString().contains("(--wait-for-server)") || exitCode.isDone());
    assertThat(exitCode).as(err.toString()).isNotDone();
    return MockServer.start(
        MockServerConfig.builder().port(port).modelName("gpt2").captureRequests(16).build());
  }

  @Test
  void anOpenAiServerThatComesUpLaterIsWaitedForAndItsModelListed() throws Exception {
    int port = reservedPort();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    try (MockServer server =
        runWhileTheServerComesUp(port, args(port, "--wait-for-server", "60"), err, exitCode)) {
      assertThat(exitCode.get(Await.GENEROUS.toSeconds(), TimeUnit.SECONDS))
          .as(err.toString())
          .isZero();
      assertThat(err.toString())
          .containsOnlyOnce("servebench: http://127.0.0.1:" + port + "/v1/models is not ready (")
          .containsOnlyOnce("waiting up to 60 s for it (--wait-for-server)")
          .contains("/v1/models answered after")
          .contains("model not named; the server lists 'gpt2'");
      assertThat(server.requestsServed()).isEqualTo(2);
    }
  }

  @Test
  void theSimpleEndpointIsProbedWithAOneTokenRequest() throws Exception {
    int port = reservedPort();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    List<String> args = args(port, "--simple", "--model-name", "gpt2", "--wait-for-server", "60");
    try (MockServer server = runWhileTheServerComesUp(port, args, err, exitCode)) {
      assertThat(exitCode.get(Await.GENEROUS.toSeconds(), TimeUnit.SECONDS))
          .as(err.toString())
          .isZero();
      assertThat(err.toString()).containsOnlyOnce("/gpt2 is not ready (");
      CapturedRequest probe = server.capturedRequests().get(0);
      assertThat(probe.uri()).isEqualTo("/gpt2");
      assertThat(probe.body()).contains("\"max_new_tokens\":1").contains("\"stream\":false");
      // The probe, then the run's two requests.
      assertThat(server.requestsServed()).isEqualTo(3);
    }
  }

  @Test
  void nothingListeningFailsAfterTheWaitWithTheUnreachableExitCode() throws Exception {
    int port = reservedPort();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        Main.execute(
            new PrintWriter(out),
            new PrintWriter(err),
            args(port, "--model-name", "gpt2", "--wait-for-server", "1").toArray(String[]::new));
    assertThat(exitCode).as(err.toString()).isEqualTo(ExitCode.ENDPOINT_UNREACHABLE);
    assertThat(err.toString())
        .containsOnlyOnce("waiting up to 1 s for it (--wait-for-server)")
        .contains("cannot connect to http://127.0.0.1:" + port)
        .contains("after waiting 1 s (--wait-for-server)")
        .contains("is the server running")
        .doesNotContain("\tat ");
  }
}
