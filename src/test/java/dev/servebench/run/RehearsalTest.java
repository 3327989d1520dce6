package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.config.HttpTarget;
import dev.servebench.endpoint.EndpointType;
import dev.servebench.endpoint.RequestOptions;
import dev.servebench.engine.BenchmarkRunner;
import dev.servebench.metrics.Summary;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rehearsal's server answers every protocol the way the client reads it: were a canned answer
 * malformed, the rehearsal would exercise the failure path instead of the run's, and quietly.
 */
class RehearsalTest {

  @ParameterizedTest
  @CsvSource({
    "openai-chat, true",
    "openai-chat, false",
    "openai-completions, true",
    "openai-completions, false",
    "simple, true",
    "simple, false",
    "tgi, true",
    "tgi, false",
    "sglang, true",
    "sglang, false",
    "triton, true",
    "triton, false",
    "openai-embeddings, false"
  })
  void everyProtocolIsAnsweredInFull(String endpoint, boolean stream) throws Exception {
    BenchmarkRunner.Settings settings =
        BenchmarkRunner.Settings.builder(
                HttpTarget.parse("http://127.0.0.1:1"),
                EndpointType.parse(endpoint).adapter(null),
                new RequestOptions("gpt2", stream, null, null, null, null, false, false))
            .timeout(Duration.ofSeconds(10))
            .maxResponseBytes(1 << 20)
            .userAgent("test")
            .build();
    Rehearsal.WordTokenizer tokenizer = new Rehearsal.WordTokenizer();
    try (CannedServer server = CannedServer.start()) {
      for (boolean closedLoop : new boolean[] {true, false}) {
        Summary summary =
            Rehearsal.rehearse(
                    settings,
                    server,
                    tokenizer,
                    Rehearsal.prompts(tokenizer),
                    closedLoop,
                    closedLoop ? 4 : 0,
                    12,
                    System.nanoTime() + Duration.ofSeconds(60).toNanos())
                .get();
        assertThat(summary.counts().failed())
            .as(summary.failures().firstErrors().toString())
            .isZero();
        assertThat(summary.counts().succeeded()).isEqualTo(12);
        int outputTokensEach = endpoint.equals("openai-embeddings") ? 0 : CannedServer.WORDS.length;
        assertThat(summary.throughput().outputTokens()).isEqualTo(12L * outputTokensEach);
        if (stream) {
          assertThat(summary.counts().streamedChunks()).isEqualTo(12L * CannedServer.WORDS.length);
        }
      }
    }
  }
}
