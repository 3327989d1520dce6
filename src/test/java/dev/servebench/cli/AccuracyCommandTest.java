package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import dev.servebench.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;

/** {@code servebench accuracy}: its table, its note on unlogged requests and its exit codes. */
class AccuracyCommandTest {

  @Test
  void printsOneRowPerConcurrencyAndExitsZeroWhenEveryTokenMatches() throws Exception {
    try (MockServer server = mock(1_000)) {
      Cli.Result result =
          Cli.run(
              "accuracy",
              "--server",
              server.baseUrl(),
              "--streams",
              "1,3",
              "--requests-per-stream",
              "2",
              "--output-tokens",
              "6",
              "--warmup-requests",
              "0",
              "--phases",
              "warm");
      assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
      assertThat(result.out())
          .contains("chunk delay p50/p99/max")
          .contains("send delay p50/p99")
          .contains("I/O CPU wait")
          // The wait in ms (n/a off Linux) before the verdict, which stays the last column.
          .containsPattern("(?m)^1 +2 +\\d+ .* (\\d+\\.\\d{3}|n/a) +yes$")
          .containsPattern("(?m)^3 +6 +\\d+ .* (\\d+\\.\\d{3}|n/a) +yes$")
          .doesNotContain("no server log");
    }
  }

  @Test
  void saysWhichRequestsTheServerDidNotLogAndHowToLogThem() throws Exception {
    try (MockServer server = mock(1)) {
      Cli.Result result =
          Cli.run(
              "accuracy",
              "--server",
              server.baseUrl(),
              "--streams",
              "2",
              "--requests-per-stream",
              "2",
              "--output-tokens",
              "4",
              "--warmup-requests",
              "0",
              "--phases",
              "warm");
      assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.OK);
      assertThat(result.out())
          .contains(
              "(4 requests had no server log and were left out: raise the server's"
                  + " --record-writes)");
    }
  }

  @Test
  void theColdPhaseRunsAFreshProcessPerRow() throws Exception {
    try (MockServer server = mock(100_000)) {
      Cli.Result result =
          Cli.run(
              "accuracy",
              "--server",
              server.baseUrl(),
              "--phases",
              "cold",
              "--cold-requests",
              "1,3",
              "--cold-endpoints",
              "simple",
              "--output-tokens",
              "6");
      assertThat(result.exitCode()).as(result.err() + result.out()).isEqualTo(ExitCode.OK);
      assertThat(result.out())
          .contains("TTFT error p50/p99")
          .containsPattern("(?m)^simple +http +1 +.* +1 +0$")
          .containsPattern("(?m)^simple +http +3 +.* +3 +0$")
          .doesNotContain("chunk delay p50/p99/max"); // the warm phase did not run
    }
  }

  @Test
  void anUnknownPhaseIsBadInput() {
    Cli.Result result = Cli.run("accuracy", "--phases", "tepid");
    assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err()).contains("--phases: unknown phase 'tepid'; use warm, cold");
  }

  @Test
  void aServerThatKeepsNoLogIsBadInput() {
    Cli.Result result = Cli.run("accuracy", "--server", "http://127.0.0.1:1", "--streams", "1");
    assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err()).contains("--record-writes").doesNotContain("Exception");
  }

  private static MockServer mock(int loggedRequests) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(2)
            .itlMillis(1)
            .recordWrites(loggedRequests)
            .tokenizer(Tokenizers.builtIn("r50k_base"))
            .modelName("gpt2")
            .build());
  }
}
