package dev.servebench.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.InvalidInputException;
import dev.servebench.testing.Records;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordRoundTripTest {

  @TempDir Path directory;

  private static final RunEnd END =
      new RunEnd(false, 3, 3, 2, 1_500_000_000L, 2_000_000_000L, 2, 0, 12_345_000L, 0);

  private Path writeRecords(List<RequestRecord> records) throws IOException {
    Path file = directory.resolve("run-records.jsonl");
    try (RecordWriter writer = RecordWriter.create(file, Records.run(Double.POSITIVE_INFINITY))) {
      for (RequestRecord record : records) {
        writer.write(record);
      }
      writer.writeEnd(END);
    }
    return file;
  }

  @Test
  void everyFieldSurvivesWriteAndRead() throws IOException {
    RequestRecord streamed = Records.streamed(0, 0, 3, 12, 4, 50, 60, 70);
    RequestRecord failed =
        Records.failed(1, 10, 503, FailureReason.HTTP_STATUS, "HTTP 503: \"busy\"\nretry");
    RequestRecord withText =
        RequestRecord.builder()
            .index(2)
            .warmup(true)
            .attempts(3, List.of("http_status: HTTP 429", "stream_cut: closed"))
            .intendedNanos(0)
            .sentNanos(1)
            .firstSentNanos(0)
            .headersNanos(2)
            .endNanos(9)
            .promptTokens(3, TokenSource.LOCAL)
            .localPromptTokens(3)
            .requestedOutputTokens(8)
            .outputTokens(8, TokenSource.LOCAL)
            .httpStatus(200)
            .texts("the prompt ü", "out\tput")
            .build();
    Path file = writeRecords(List.of(streamed, failed, withText));

    List<RequestRecord> read = new ArrayList<>();
    RecordReader.Result result = RecordReader.read(file, read::add);
    assertThat(result.requestCount()).isEqualTo(3);
    assertThat(result.warnings()).isEmpty();
    assertThat(result.end()).isEqualTo(END);
    assertThat(result.run().runId()).isEqualTo("test-run");
    assertThat(result.run().configuredRatePerSecond()).isInfinite();
    assertThat(result.run().configuration()).containsEntry("k", "v");
    assertThat(read).hasSize(3);
    assertThat(read.get(0)).usingRecursiveComparison().isEqualTo(streamed);
    assertThat(read.get(1)).usingRecursiveComparison().isEqualTo(failed);
    assertThat(read.get(2)).usingRecursiveComparison().isEqualTo(withText);
  }

  @Test
  void aSessionsTurnSurvivesAndOtherRecordsCarryNone() throws IOException {
    RequestRecord turn =
        RequestRecord.builder()
            .index(4)
            .turn(1, 2, 3)
            .intendedNanos(10)
            .sentNanos(11)
            .firstSentNanos(11)
            .endNanos(20)
            .promptTokens(30, TokenSource.LOCAL)
            .localPromptTokens(30)
            .outputTokens(4, TokenSource.LOCAL)
            .httpStatus(200)
            .build();
    RequestRecord alone = Records.streamed(5, 0, 3, 12, 4, 50, 60, 70);
    Path file = writeRecords(List.of(turn, alone));

    List<RequestRecord> read = new ArrayList<>();
    RecordReader.read(file, read::add);
    assertThat(read.get(0)).usingRecursiveComparison().isEqualTo(turn);
    assertThat(read.get(0).turn()).isEqualTo(new RequestRecord.Turn(1, 2, 3));
    assertThat(read.get(1).turn()).isNull();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines.get(1)).contains("\"session\":1,\"turn\":2,\"session_turns\":3");
    // Records of single requests are written as before: no session fields.
    assertThat(lines.get(2)).doesNotContain("session");
  }

  @Test
  void fileHasOneJsonObjectPerLineWithNullForMissingStamps() throws IOException {
    Path file = writeRecords(List.of(Records.failed(0, 1, -1, FailureReason.CONNECT, "refused")));
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).startsWith("{\"record\":\"end\"").contains("\"peak_in_flight\":2");
    assertThat(lines.get(0))
        .startsWith("{\"record\":\"run\"")
        .contains("\"configured_rate_per_s\":\"inf\"");
    assertThat(lines.get(1))
        .startsWith("{\"record\":\"request\"")
        .contains("\"first_token_ns\":null")
        .contains("\"http_status\":null")
        .contains("\"failure_reason\":\"connect\"")
        .doesNotContain("NaN")
        .doesNotContain("Infinity");
  }

  /**
   * A request line as servebench wrote it before retries, local and server prompt counts, chunk
   * token sources and answer-text stamps existed: the grouped record reads it with the same values.
   */
  @Test
  void aRequestLineFromAnEarlierVersionStillReads() throws IOException {
    Path file = writeRecords(List.of());
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String old =
        "{\"record\":\"request\",\"index\":7,\"warmup\":false,\"streamed\":true,"
            + "\"intended_ns\":1000,\"sent_ns\":1500,\"headers_ns\":2000,"
            + "\"first_token_ns\":51500,\"last_token_ns\":91500,\"end_ns\":92000,"
            + "\"chunk_ns\":[51500,71500,91500],\"chunk_tokens\":[1,2,1],"
            + "\"prompt_tokens\":32,\"prompt_tokens_source\":\"server\","
            + "\"output_tokens\":4,\"output_tokens_source\":\"server\","
            + "\"http_status\":200,\"failure_reason\":null,\"error\":null}";
    Files.writeString(file, lines.get(0) + "\n" + old + "\n" + lines.get(1) + "\n");

    List<RequestRecord> read = new ArrayList<>();
    RecordReader.read(file, read::add);

    assertThat(read).hasSize(1);
    RequestRecord record = read.get(0);
    assertThat(record.index()).isEqualTo(7);
    assertThat(record.stamps().firstSentNanos()).isEqualTo(1500);
    assertThat(record.scheduleLagNanos()).isEqualTo(500);
    assertThat(record.ttftNanos()).isEqualTo(50_000);
    assertThat(record.e2eNanos()).isEqualTo(90_000);
    assertThat(record.ttfcNanos()).isEqualTo(RequestRecord.ABSENT);
    assertThat(record.chunks().tokens()).containsExactly(1, 2, 1);
    assertThat(record.chunks().tokensSource()).isNull();
    assertThat(record.tokens().prompt()).isEqualTo(32);
    assertThat(record.tokens().localPrompt()).isEqualTo(-1);
    assertThat(record.tokens().output()).isEqualTo(4);
    assertThat(record.outcome().attempts()).isEqualTo(1);
    assertThat(record.outcome().attemptErrors()).isEmpty();
    assertThat(record.succeeded()).isTrue();
  }

  @Test
  void theClientMachineSurvivesAndAnOlderHeaderHasNone() throws IOException {
    RunInfo.Client client = RunInfo.Client.current();
    assertThat(client.cores()).isPositive();
    assertThat(client.javaVersion()).isEqualTo(System.getProperty("java.version"));
    RunInfo.Client unknownCpu = new RunInfo.Client("21", "vm \"x\"", "os", null, 3, -1, 1 << 30);
    RunInfo.Client[] clients = {client, unknownCpu};
    for (int i = 0; i < clients.length; i++) {
      RunInfo.Client written = clients[i];
      Path file = directory.resolve("client-" + i + ".jsonl");
      RunInfo run = Records.run(1);
      try (RecordWriter writer =
          RecordWriter.create(
              file,
              new RunInfo(
                  run.runId(),
                  run.toolVersion(),
                  run.startedAt(),
                  run.configuredRatePerSecond(),
                  run.configuration(),
                  written))) {
        // The header alone.
      }
      assertThat(RecordReader.read(file, record -> {}).run().client()).isEqualTo(written);
    }
    Path old = writeRecords(List.of());
    assertThat(Files.readAllLines(old, StandardCharsets.UTF_8).get(0)).doesNotContain("\"client\"");
    assertThat(RecordReader.read(old, record -> {}).run().client()).isNull();
  }

  @Test
  void aClosingLineWrittenBeforeTheIoWaitFigureReadsItAsUnknown() throws IOException {
    Path file = writeRecords(List.of());
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines.get(1)).contains(",\"io_threads_cpu_wait_ns\":12345000");
    Files.writeString(
        file,
        lines.get(0)
            + "\n"
            + lines.get(1).replace(",\"io_threads_cpu_wait_ns\":12345000", "")
            + "\n");
    RecordReader.Result result = RecordReader.read(file, record -> {});
    assertThat(result.end().ioThreadsCpuWaitNanos()).isEqualTo(-1);
    assertThat(result.end().peakInFlight()).isEqualTo(2);
  }

  @Test
  void aTornLastLineIsSkippedWithAWarning() throws IOException {
    Path file =
        writeRecords(
            List.of(Records.streamed(0, 0, 0, 1, 2, 5, 6), Records.streamed(1, 0, 0, 1, 2, 5, 6)));
    // Cut inside the second request's line: as if killed while writing it (no closing line either).
    List<String> lines = Files.readAllLines(file);
    Files.writeString(
        file, lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 40));
    List<RequestRecord> read = new ArrayList<>();
    RecordReader.Result result = RecordReader.read(file, read::add);
    assertThat(read).hasSize(1);
    assertThat(result.end()).isNull();
    assertThat(result.warnings()).hasSize(2);
    assertThat(result.warnings().get(0)).contains("torn last line 3");
    assertThat(result.warnings().get(1)).contains("no closing line");
  }

  @Test
  void aFileThatIsNotARecordsFileIsRejectedClearly() throws IOException {
    Path file = directory.resolve("other.jsonl");
    Files.writeString(file, "{\"prompt\":\"x\"}\n");
    assertThatThrownBy(() -> RecordReader.read(file, record -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("not a servebench record");
    assertThatThrownBy(() -> RecordReader.read(directory.resolve("missing.jsonl"), record -> {}))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("does not exist");
  }
}
