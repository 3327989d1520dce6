package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.mock.CapturedRequest;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestWrites;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Await;
import dev.servebench.testing.Cli;
import dev.servebench.testing.ServerTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --multi-turn}: ShareGPT conversations replayed turn by turn against the mock server. */
class MultiTurnTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long THINK_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

  @TempDir Path dir;

  /** Three conversations of three question-and-answer turns each. */
  private Path conversations() throws IOException {
    StringBuilder json = new StringBuilder("[");
    for (int c = 0; c < 3; c++) {
      json.append(c == 0 ? "" : ",").append("{\"id\": \"c").append(c).append("\", ");
      json.append("\"conversations\": [");
      for (int t = 0; t < 3; t++) {
        json.append(t == 0 ? "" : ",")
            .append("{\"from\": \"human\", \"value\": \"Question ")
            .append(t + 1)
            .append(" of conversation ")
            .append(c)
            .append(", asked in a few words.\"},")
            .append("{\"from\": \"gpt\", \"value\": \"An answer of several words to question ")
            .append(t + 1)
            .append(".\"}");
      }
      json.append("]}");
    }
    return Files.writeString(dir.resolve("sharegpt.json"), json.append("]").toString());
  }

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(20)
            .itlMillis(5)
            .fixedOutputTokens(4)
            .recordWrites(ServerTruth.LOGGED_REQUESTS)
            .captureRequests(100)
            .modelName("gpt2")
            .build());
  }

  private Cli.Result run(MockServer server, Path dataset, Path results, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-endpoint-base",
                server.baseUrl(),
                "--model-name",
                "gpt2",
                "--tokenizer",
                "r50k_base",
                "--dataset",
                dataset.toString(),
                "--dataset-format",
                "ShareGPT",
                "--num-prompts",
                "3",
                "--multi-turn",
                "--stream",
                "--track-input-output",
                "--results-dir",
                results.toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private static Map<Integer, List<RequestRecord>> bySession(Path recordsFile) {
    List<RequestRecord> records = new ArrayList<>();
    RecordReader.read(recordsFile, records::add);
    return records.stream()
        .collect(
            Collectors.groupingBy(
                record -> record.turn().session(),
                Collectors.collectingAndThen(
                    Collectors.toList(),
                    turns -> {
                      turns.sort(Comparator.comparingInt(record -> record.turn().number()));
                      return turns;
                    })));
  }

  @Test
  void eachTurnFollowsThePreviousAnswerWithTheConversationSoFar() throws Exception {
    Path dataset = conversations();
    Path results = Files.createDirectory(dir.resolve("results"));
    try (MockServer server = mock()) {
      Cli.Result result =
          run(server, dataset, results, "--concurrency", "2", "--think-time", "0.15");
      assertThat(result.exitCode()).as(result.err()).isZero();

      Path recordsFile = Cli.onlyFile(results, "-records.jsonl");
      Map<Integer, List<RequestRecord>> sessions = bySession(recordsFile);
      assertThat(sessions).hasSize(3);
      Await.awaitUntil("the mock's log of every turn", () -> server.writeLog().size() >= 9);
      Map<String, RequestWrites> log = server.writeLog();
      Map<String, JsonNode> bodies = new HashMap<>();
      for (CapturedRequest request : server.capturedRequests()) {
        if (request.uri().endsWith("/chat/completions")) {
          bodies.put(request.header("X-Servebench-Request-Id"), JSON.readTree(request.body()));
        }
      }

      for (List<RequestRecord> turns : sessions.values()) {
        assertThat(turns).extracting(record -> record.turn().number()).containsExactly(1, 2, 3);
        for (int k = 0; k < turns.size(); k++) {
          RequestRecord turn = turns.get(k);
          assertThat(turn.succeeded()).isTrue();
          assertThat(turn.turn().turns()).isEqualTo(3);
          JsonNode messages = bodies.get(Integer.toString(turn.index())).path("messages");
          // The conversation so far: each earlier question and the server's own answer to it.
          assertThat(messages.size()).isEqualTo(2 * k + 1);
          for (int m = 0; m < k; m++) {
            RequestRecord earlier = turns.get(m);
            assertThat(messages.get(2 * m).path("role").asText()).isEqualTo("user");
            assertThat(messages.get(2 * m).path("content").asText())
                .isEqualTo(earlier.texts().prompt());
            assertThat(messages.get(2 * m + 1).path("role").asText()).isEqualTo("assistant");
            assertThat(messages.get(2 * m + 1).path("content").asText())
                .isEqualTo(earlier.texts().output());
          }
          assertThat(messages.get(2 * k).path("content").asText())
              .isEqualTo(turn.texts().prompt())
              .startsWith("Question " + (k + 1));
          if (k == 0) {
            continue;
          }
          RequestRecord previous = turns.get(k - 1);
          // Due when the previous answer ended plus the think time, and not sent before.
          assertThat(turn.stamps().intendedNanos())
              .isEqualTo(previous.stamps().endNanos() + THINK_NANOS);
          assertThat(turn.stamps().sentNanos())
              .isGreaterThanOrEqualTo(turn.stamps().intendedNanos());
          // The mock read the turn at least the think time after it wrote the previous answer.
          RequestWrites before = log.get(Integer.toString(previous.index()));
          RequestWrites after = log.get(Integer.toString(turn.index()));
          long lastWriteNanos = before.chunks().get(before.chunks().size() - 1).writeNanos();
          assertThat(after.receivedNanos() - lastWriteNanos).isGreaterThanOrEqualTo(THINK_NANOS);
          // The prompt grows with the history.
          assertThat(turn.tokens().prompt()).isGreaterThan(previous.tokens().prompt());
        }
      }

      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json")).path("sessions");
      assertThat(summary.path("sessions").asInt()).isEqualTo(3);
      assertThat(summary.path("completed").asInt()).isEqualTo(3);
      assertThat(summary.path("mean_turns_completed").asDouble()).isEqualTo(3.0);
      assertThat(summary.path("first_turn_ttft").path("count").asInt()).isEqualTo(3);
      assertThat(summary.path("later_turns_ttft").path("count").asInt()).isEqualTo(6);
      assertThat(summary.path("duration").path("min").asDouble())
          .isGreaterThanOrEqualTo(2 * THINK_NANOS / 1e6);
      assertThat(result.out()).contains("Multi-turn sessions").contains("TTFT, later turns:");

      // The records alone give the same figures.
      Path rebuilt = dir.resolve("rebuilt.json");
      Cli.Result report =
          Cli.run("report", recordsFile.toString(), "--summary-out", rebuilt.toString());
      assertThat(report.exitCode()).as(report.err()).isZero();
      assertThat(Cli.json(rebuilt).path("sessions")).isEqualTo(summary);
    }
  }

  @Test
  void aSessionHoldsItsConcurrencySlotThroughItsThinkTime() throws Exception {
    Path dataset = conversations();
    Path results = Files.createDirectory(dir.resolve("results"));
    try (MockServer server = mock()) {
      Cli.Result result =
          run(server, dataset, results, "--concurrency", "1", "--think-time", "0.05");
      assertThat(result.exitCode()).as(result.err()).isZero();

      // One session at a time: every turn of one session ends before the next session starts.
      List<RequestRecord> records = new ArrayList<>();
      RecordReader.read(Cli.onlyFile(results, "-records.jsonl"), records::add);
      records.sort(Comparator.comparingLong(record -> record.stamps().sentNanos()));
      assertThat(records).hasSize(9);
      for (int i = 0; i < records.size(); i++) {
        assertThat(records.get(i).turn().session()).isEqualTo(i / 3);
        assertThat(records.get(i).turn().number()).isEqualTo(i % 3 + 1);
      }
      JsonNode summary = Cli.json(Cli.onlyFile(results, "-summary.json"));
      assertThat(summary.path("client").path("peak_in_flight").asInt()).isEqualTo(1);
      assertThat(summary.path("client").path("planned_requests").asInt()).isEqualTo(9);
    }
  }

  @Test
  void anOpenLoopStartsSessionsAtThePlansTimes() throws Exception {
    Path dataset = conversations();
    Path results = Files.createDirectory(dir.resolve("results"));
    try (MockServer server = mock()) {
      Cli.Result result =
          run(server, dataset, results, "--request-rate", "20", "--arrival", "constant");
      assertThat(result.exitCode()).as(result.err()).isZero();

      Map<Integer, List<RequestRecord>> sessions =
          bySession(Cli.onlyFile(results, "-records.jsonl"));
      assertThat(sessions).hasSize(3);
      for (int session = 0; session < 3; session++) {
        List<RequestRecord> turns = sessions.get(session);
        assertThat(turns).hasSize(3);
        // The plan's constant gaps start the sessions; without think time each later turn is due
        // when the previous answer ended.
        assertThat(
                turns.get(0).stamps().intendedNanos()
                    - sessions.get(0).get(0).stamps().intendedNanos())
            .isEqualTo(TimeUnit.MILLISECONDS.toNanos(50) * session);
        for (int k = 1; k < 3; k++) {
          assertThat(turns.get(k).stamps().intendedNanos())
              .isEqualTo(turns.get(k - 1).stamps().endNanos());
        }
      }
    }
  }

  @Test
  void multiTurnNeedsShareGpt() {
    Cli.Result result =
        Cli.run(
            "--dataset-format",
            "Synthesis",
            "--tokenizer",
            "r50k_base",
            "--model-name",
            "gpt2",
            "--multi-turn");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--multi-turn").contains("ShareGPT");
  }

  @Test
  void multiTurnNeedsAnEndpointThatAnswers() {
    Cli.Result result =
        Cli.run(
            "--dataset",
            dev.servebench.SharedTestData.data("sharegpt-v3-sample50.json").toString(),
            "--dataset-format",
            "ShareGPT",
            "--endpoint-type",
            "openai-embeddings",
            "--tokenizer",
            "r50k_base",
            "--model-name",
            "gpt2",
            "--multi-turn");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--multi-turn").contains("openai-embeddings answers none");
  }

  @Test
  void thinkTimeWithoutMultiTurnIsRefused() {
    Cli.Result result =
        Cli.run("--dataset-format", "Synthesis", "--tokenizer", "r50k_base", "--think-time", "1");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--think-time").contains("--multi-turn");
  }
}
