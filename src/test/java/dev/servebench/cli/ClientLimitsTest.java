package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Time and size limits each fail requests with their own reason; secrets never leak. */
class ClientLimitsTest {

  @TempDir Path results;

  private Cli.Result run(MockServer server, String... extra) {
    return run(server, results, extra);
  }

  private static Cli.Result run(MockServer server, Path resultsDir, String... extra) {
    List<String> args = new ArrayList<>(List.of("--num-prompts", "3", "--input-len-mean", "16"));
    args.addAll(List.of(extra));
    return Cli.runSynthetic(server.baseUrl(), resultsDir, args.toArray(String[]::new));
  }

  private static MockServer mock(double ttftMillis, double itlMillis, int tokens) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(ttftMillis)
            .itlMillis(itlMillis)
            .fixedOutputTokens(tokens)
            .modelName("gpt2")
            .build());
  }

  private JsonNode failures() {
    return Cli.json(Cli.onlyFile(results, "-summary.json"))
        .path("requests")
        .path("failures_by_reason");
  }

  @Test
  void firstTokenTimeout() {
    try (MockServer server = mock(2000, 1, 2)) {
      Cli.Result result = run(server, "--ttft-timeout", "0.1");
      assertThat(result.exitCode()).isEqualTo(ExitCode.REQUESTS_FAILED);
      assertThat(failures().path("ttft_timeout").asInt()).isEqualTo(3);
      assertThat(result.out()).contains("ttft_timeout 3");
    }
  }

  @Test
  void idleTimeoutBetweenChunks() {
    try (MockServer server = mock(0, 2000, 3)) {
      Cli.Result result = run(server, "--idle-timeout", "0.2");
      assertThat(result.exitCode()).isEqualTo(ExitCode.REQUESTS_FAILED);
      assertThat(failures().path("idle_timeout").asInt()).isEqualTo(3);
    }
  }

  @Test
  void wholeRequestTimeout() {
    try (MockServer server = mock(0, 100, 50)) {
      Cli.Result result = run(server, "--timeout", "0.3");
      assertThat(result.exitCode()).isEqualTo(ExitCode.REQUESTS_FAILED);
      assertThat(failures().path("timeout").asInt()).isEqualTo(3);
    }
  }

  @Test
  void responseLargerThanTheLimit() {
    try (MockServer server = mock(0, 0, 500)) {
      Cli.Result result = run(server, "--max-response-bytes", "2000");
      assertThat(result.exitCode()).isEqualTo(ExitCode.REQUESTS_FAILED);
      assertThat(failures().path("response_too_large").asInt()).isEqualTo(3);
    }
  }

  @Test
  void theApiKeyAppearsInNoOutputAndNoFile() throws IOException {
    String key = "sk-servebench-test-7f3a9c";
    Path keyFile = results.resolve("key.txt");
    Files.writeString(keyFile, key + "\n");
    Path out = results.resolve("out");
    try (MockServer server = mock(0, 0, 2)) {
      Cli.Result withFlag = run(server, out.resolve("a"), "--api-key", key, "--track-input-output");
      Cli.Result withFile = run(server, out.resolve("b"), "--api-key-file", keyFile.toString());
      // A failing run too: its error messages must not carry the key either.
      Cli.Result failing =
          Cli.run(
              "--model-endpoint-base",
              server.baseUrl() + "/not-openai",
              "--model-name",
              "gpt2",
              "--api-key",
              key,
              "--tokenizer",
              "r50k_base",
              "--dataset-format",
              "Synthesis",
              "--num-prompts",
              "2",
              "--results-dir",
              out.resolve("c").toString());
      for (Cli.Result result : List.of(withFlag, withFile, failing)) {
        assertThat(result.out()).doesNotContain(key);
        assertThat(result.err()).doesNotContain(key);
      }
      assertThat(withFlag.exitCode()).isZero();
      assertThat(withFile.exitCode()).isZero();
      assertThat(failing.exitCode()).isEqualTo(ExitCode.REQUESTS_FAILED);
      try (Stream<Path> files = Files.walk(out)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          assertThat(Files.readString(file)).as(file.toString()).doesNotContain(key);
        }
      }
      JsonNode configuration =
          Cli.json(Cli.onlyFile(out.resolve("a"), "-summary.json")).path("configuration");
      assertThat(configuration.path("api_key").asText()).isEqualTo("set (not shown)");
    }
  }

  @Test
  void anEmptyKeyFileIsBadInput() throws IOException {
    Path keyFile = results.resolve("empty.txt");
    Files.writeString(keyFile, "\n");
    try (MockServer server = mock(0, 0, 2)) {
      Cli.Result result = run(server, "--api-key-file", keyFile.toString());
      assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
      assertThat(result.err()).contains("--api-key-file").contains("empty");
    }
  }
}
