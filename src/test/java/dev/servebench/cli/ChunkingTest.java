package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.UsagePlacement;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.TokenSource;
import dev.servebench.testing.Cli;
import dev.servebench.testing.ServerTruth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Token counts and per-token figures whatever the chunking and wherever the server puts usage:
 * chunks of several tokens, usage in its own event, in the last content event, in every event, or
 * nowhere (then the local tokenizer counts).
 */
class ChunkingTest {

  private static final int TOKENS = 12;

  @TempDir Path results;

  private JsonNode runAgainst(MockServer server, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input-len-mean",
                "16",
                "--num-prompts",
                "6",
                "--request-rate",
                "50",
                // The first requests of a fresh JVM pay for class loading and compilation.
                "--warmup-requests",
                "3"));
    args.addAll(List.of(extra));
    Cli.Result result = Cli.runSynthetic(server.baseUrl(), results, args.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.err()).isZero();
    return Cli.json(Cli.onlyFile(results, "-summary.json"));
  }

  @ParameterizedTest
  @EnumSource(UsagePlacement.class)
  void outputTokensEqualTheServersWhereverUsageGoes(UsagePlacement usage) {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .fixedOutputTokens(TOKENS)
                .tokensPerChunk(3)
                .usagePlacement(usage)
                .modelName("gpt2")
                .build())) {
      JsonNode summary = runAgainst(server);
      assertThat(summary.path("tokens").path("output_total").asLong())
          .isEqualTo(server.completionTokensGenerated() - 3L * TOKENS)
          .isEqualTo(6L * TOKENS);
      String source = usage == UsagePlacement.ABSENT ? "local" : "server";
      assertThat(summary.path("tokens").path("output_tokens_source").path(source).asInt())
          .isEqualTo(6);
      // Four chunks of three tokens each: three gaps per request.
      assertThat(summary.path("latency_ms").path("itl").path("count").asInt()).isEqualTo(6 * 3);
      assertThat(summary.path("latency_ms").path("itl_per_token").path("count").asInt())
          .isEqualTo(6 * 3 * 3);
      // With running counts in every event the server says how many tokens each chunk held.
      List<RequestRecord> records = new ArrayList<>();
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
      TokenSource expected =
          usage == UsagePlacement.CONTINUOUS ? TokenSource.SERVER : TokenSource.LOCAL;
      assertThat(records)
          .allSatisfy(
              record -> {
                assertThat(record.chunks().tokensSource()).isEqualTo(expected);
                assertThat(record.chunks().tokens()).containsOnly(3);
              });
    }
  }

  @Test
  void perChunkAndPerTokenItlAreNamedApartAndTimeToSecondTokenFollowsTheChunks()
      throws InterruptedException {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(30)
                .itlMillis(10)
                .fixedOutputTokens(TOKENS)
                .tokensPerChunk(2)
                .recordWrites(ServerTruth.LOGGED_REQUESTS)
                .modelName("gpt2")
                .build())) {
      JsonNode latency = runAgainst(server).path("latency_ms");
      // Compared with the gaps the mock's log shows, not the nominal 20 ms a busy machine makes it
      // miss. A chunk leaves when its second token is due: chunks about 20 ms apart, 10 ms per
      // token; the two figures mixed up would be 10 ms off.
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      assertThat(truth).hasSize(6).allSatisfy(pair -> assertThat(pair.chunks()).isEqualTo(6));
      assertThat(latency.path("itl").path("mean").asDouble())
          .isCloseTo(ServerTruth.meanServerGapMs(truth), within(ServerTruth.MEAN_GAP_TOLERANCE_MS));
      assertThat(latency.path("itl_per_token").path("mean").asDouble())
          .isCloseTo(
              ServerTruth.meanServerGapPerTokenMs(truth),
              within(ServerTruth.MEAN_GAP_TOLERANCE_MS / 2));
      // The first chunk already holds two tokens.
      assertThat(latency.path("ttst").path("mean").asDouble())
          .isCloseTo(latency.path("ttft").path("mean").asDouble(), within(0.01));
      ServerTruth.assertTtftAndE2eFollowTheServer(truth);
      // TPOT spreads the stream's time over tokens, not chunks: first to last write over 11 tokens
      // (10 ms nominal; over the 5 chunks after the first it would be twice that).
      assertThat(latency.path("tpot").path("mean").asDouble())
          .isCloseTo(
              ServerTruth.mean(truth, pair -> pair.serverSpanMs(0, 5) / (TOKENS - 1)),
              within(ServerTruth.MEAN_GAP_TOLERANCE_MS / 2));
    }
  }

  @Test
  void reasoningCountsAsOutputAndTheFirstAnswerTokenIsTimedApart() throws InterruptedException {
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(20)
                .itlMillis(10)
                .fixedOutputTokens(TOKENS)
                .reasoningTokens(5)
                .recordWrites(ServerTruth.LOGGED_REQUESTS)
                .modelName("gpt2")
                .build())) {
      JsonNode summary = runAgainst(server);
      JsonNode latency = summary.path("latency_ms");
      assertThat(summary.path("tokens").path("output_total").asLong()).isEqualTo(6L * TOKENS);
      // Five reasoning tokens, one per chunk: the answer starts with the sixth chunk.
      List<RequestRecord> records = new ArrayList<>();
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
      assertThat(records)
          .allSatisfy(
              record ->
                  assertThat(record.stamps().firstContentNanos())
                      .isEqualTo(record.chunks().nanos()[5]));
      // The answer came five writes (about 50 ms) after the first reasoning token, as the mock's
      // log has it; timed from the first token instead, the two figures would be equal.
      List<ServerTruth.Pair> truth =
          ServerTruth.measured(Cli.onlyFile(results, "-records.jsonl"), server);
      assertThat(
              latency.path("ttft_answer").path("mean").asDouble()
                  - latency.path("ttft").path("mean").asDouble())
          .isCloseTo(
              ServerTruth.mean(truth, pair -> pair.serverSpanMs(0, 5)),
              within(ServerTruth.MEAN_GAP_TOLERANCE_MS));
    }
  }
}
