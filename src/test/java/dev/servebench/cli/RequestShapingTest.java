package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.mock.CapturedRequest;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --header}, {@code --extra-body} and {@code --request-id-prefix} end to end: what the mock
 * server received is what the flags asked for, and secret header values appear in no output.
 */
class RequestShapingTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String SECRET = "sk-header-secret-4711";

  @TempDir Path results;

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder().modelName("gpt2").captureRequests(64).build());
  }

  private static List<CapturedRequest> posts(MockServer server) {
    return server.capturedRequests().stream().filter(r -> r.method().equals("POST")).toList();
  }

  @Test
  void headersBodyAndRequestIdsReachTheServer() throws IOException {
    try (MockServer server = mock()) {
      // No --model-name: the model listing is asked with the headers too.
      Cli.Result result =
          Cli.run(
              "--model-endpoint-base",
              server.baseUrl(),
              "--tokenizer",
              "r50k_base",
              "--dataset-format",
              "Synthesis",
              "--input-len-mean",
              "8",
              "--input-len-stddev",
              "0",
              "--output-len-mean",
              "5",
              "--output-len-stddev",
              "0",
              "--num-prompts",
              "3",
              "--stream",
              "--track-input-output",
              "--results-dir",
              results.toString(),
              "--header",
              "X-Tenant=acme",
              "--header",
              "X-Api-Key=" + SECRET,
              "--header",
              "User-Agent=custom-agent/1",
              "--extra-body",
              "{\"max_tokens\": 2, \"top_p\": 0.5,"
                  + " \"stream_options\": {\"continuous_usage_stats\": true}}",
              "--request-id-prefix",
              "bench-7-");
      assertThat(result.exitCode()).as(result.err()).isZero();

      CapturedRequest listing = server.capturedRequests().get(0);
      assertThat(listing.method() + " " + listing.uri()).isEqualTo("GET /v1/models");
      assertThat(listing.header("X-Tenant")).isEqualTo("acme");
      assertThat(listing.header("X-Api-Key")).isEqualTo(SECRET);

      List<CapturedRequest> generations = posts(server);
      assertThat(generations).hasSize(3);
      for (CapturedRequest request : generations) {
        assertThat(request.uri()).isEqualTo("/v1/chat/completions");
        assertThat(request.header("X-Tenant")).isEqualTo("acme");
        assertThat(request.header("X-Api-Key")).isEqualTo(SECRET);
        // The user's User-Agent replaces servebench's; header() fails if both went out.
        assertThat(request.header("User-Agent")).isEqualTo("custom-agent/1");
        assertThat(request.header("x-request-id"))
            .isEqualTo("bench-7-" + request.header("X-Servebench-Request-Id"));
        JsonNode body = MAPPER.readTree(request.body());
        assertThat(body.path("model").asText()).isEqualTo("gpt2");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(2);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.5);
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("continuous_usage_stats").asBoolean()).isTrue();
      }
      assertThat(generations.stream().map(r -> r.header("x-request-id")))
          .containsExactlyInAnyOrder("bench-7-0", "bench-7-1", "bench-7-2");

      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      // The merged max_tokens decided the output length.
      assertThat(summary.path("tokens").path("output_total").asInt()).isEqualTo(3 * 2);
      JsonNode configuration = summary.path("configuration");
      assertThat(configuration.path("headers").path("X-Tenant").asText()).isEqualTo("acme");
      assertThat(configuration.path("headers").path("X-Api-Key").asText())
          .isEqualTo("set (not shown)");
      assertThat(configuration.path("extra_body").path("max_tokens").asInt()).isEqualTo(2);
      assertThat(configuration.path("request_id_prefix").asText()).isEqualTo("bench-7-");

      assertThat(result.err())
          .contains("the value of --header X-Api-Key is visible to every user of this machine");
      assertNowhere(SECRET, result);
    }
  }

  @Test
  void theSimpleEndpointMergesIntoItsConfigAndTakesAnAuthorizationField() throws IOException {
    try (MockServer server = mock()) {
      Cli.Result result =
          Cli.run(
              "--model-endpoint-base",
              server.baseUrl(),
              "--model-name",
              "gpt2",
              "--simple",
              "--tokenizer",
              "r50k_base",
              "--dataset-format",
              "Synthesis",
              "--input-len-mean",
              "8",
              "--output-len-mean",
              "4",
              "--output-len-stddev",
              "0",
              "--num-prompts",
              "2",
              "--results-dir",
              results.toString(),
              "--header",
              "Authorization=Bearer " + SECRET,
              "--extra-body",
              "{\"config\": {\"repetition_penalty\": 1.1}}");
      assertThat(result.exitCode()).as(result.err()).isZero();
      List<CapturedRequest> generations = posts(server);
      assertThat(generations).hasSize(2);
      for (CapturedRequest request : generations) {
        assertThat(request.uri()).isEqualTo("/gpt2");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + SECRET);
        assertThat(request.header("x-request-id")).isNull();
        JsonNode config = MAPPER.readTree(request.body()).path("config");
        assertThat(config.path("max_new_tokens").asInt()).isEqualTo(4);
        assertThat(config.path("repetition_penalty").asDouble()).isEqualTo(1.1);
        assertThat(config.path("do_sample").asBoolean(true)).isFalse();
      }
      assertThat(result.err()).contains("--api-key-file or OPENAI_API_KEY keep it out");
      assertNowhere(SECRET, result);
    }
  }

  /** Neither the console nor any file of the run holds {@code secret}. */
  private void assertNowhere(String secret, Cli.Result result) throws IOException {
    assertThat(result.out()).doesNotContain(secret);
    assertThat(result.err()).doesNotContain(secret);
    try (Stream<Path> files = Files.walk(results)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(secret);
      }
    }
  }
}
