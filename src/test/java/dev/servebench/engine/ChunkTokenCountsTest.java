package dev.servebench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestWrites;
import dev.servebench.mock.UsagePlacement;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tokens per chunk add up to the request's output tokens when the server cuts its events inside
 * words (as llama.cpp does around characters split between tokens): counting each event's text
 * alone found more tokens than were generated, and "ITL per token" more samples than tokens.
 */
class ChunkTokenCountsTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path results;

  private static MockServer cutWordsServer(UsagePlacement usage) {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(1)
            .itlMillis(1)
            .tokensPerChunk(1, 2, 3)
            .cutWords(true)
            .usagePlacement(usage)
            .recordWrites(1_000)
            .modelName("gpt2")
            .build());
  }

  @ParameterizedTest
  @EnumSource(
      value = UsagePlacement.class,
      names = {"SEPARATE", "ABSENT"})
  void chunksAddUpToTheOutputWhenEventsCutWords(UsagePlacement usage) throws IOException {
    try (MockServer server = cutWordsServer(usage)) {
      Cli.Result result =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--num-prompts",
              "8",
              "--input-len-mean",
              "16",
              "--output-len-mean",
              "40",
              "--output-len-stddev",
              "10");
      assertThat(result.exitCode()).as(result.err()).isZero();
      Map<String, RequestWrites> written = server.writeLog();
      int checked = 0;
      for (String line : Files.readAllLines(Cli.onlyFile(results, "-records.jsonl"))) {
        JsonNode record = MAPPER.readTree(line);
        if (!record.path("record").asText().equals("request")) {
          continue;
        }
        int sum = 0;
        for (JsonNode tokens : record.path("chunk_tokens")) {
          assertThat(tokens.asInt()).isNotNegative();
          sum += tokens.asInt();
        }
        int outputTokens = record.path("output_tokens").asInt();
        RequestWrites truth = written.get(record.path("index").asText());
        assertThat(outputTokens).isEqualTo(truth.totalTokens());
        assertThat(sum).isEqualTo(outputTokens);
        // The server's own count of the tokens that end in each event.
        List<Integer> serverCounts =
            truth.chunks().stream().map(RequestWrites.Chunk::tokens).toList();
        List<Integer> clientCounts =
            MAPPER.convertValue(
                record.path("chunk_tokens"),
                MAPPER.getTypeFactory().constructCollectionType(List.class, Integer.class));
        assertThat(clientCounts).isEqualTo(serverCounts);
        checked++;
      }
      assertThat(checked).isEqualTo(8);
    }
  }

  @Test
  void theMockCutsEventsInsideWords() throws IOException {
    try (MockServer server = cutWordsServer(UsagePlacement.SEPARATE)) {
      Cli.Result result =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--num-prompts",
              "1",
              "--input-len-mean",
              "16",
              "--output-len-mean",
              "30",
              "--output-len-stddev",
              "0",
              "--track-input-output");
      assertThat(result.exitCode()).as(result.err()).isZero();
      RequestWrites truth = server.writeLog().get("0");
      // The first event keeps back the end of its one token: no token ends in it.
      assertThat(truth.chunks().get(0).tokens()).isZero();
      assertThat(truth.chunks().stream().mapToInt(RequestWrites.Chunk::tokens).sum()).isEqualTo(30);
    }
  }
}
