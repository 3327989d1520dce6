package dev.servebench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.record.FailureReason;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.testing.Records;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordsCsvTest {

  @TempDir Path directory;

  private static String row(RequestRecord record) {
    StringBuilder out = new StringBuilder();
    RecordsCsv.row(record, out);
    return out.toString();
  }

  @Test
  void aStreamedRequestsTimesAreMillisecondsSinceTheStart() {
    // Sent at 100 ms (intended at 98 ms); chunks 50, 60 and 90 ms after the send.
    String row = row(Records.streamed(3, 98, 100, 12, 3, 50, 60, 90));
    assertThat(row)
        .isEqualTo(
            "3,ok,false,,200,1,,,true,98.000,100.000,150.000,190.000,190.100,2.000,50.000,20.000,"
                + "90.000,20.000,30.000,3,12,3,server,\r\n");
    assertThat(row.split(",", -1)).hasSize(RecordsCsv.COLUMNS.size());
  }

  @Test
  void aFailureMessageIsQuotedAsRfc4180Says() {
    String message = "upstream said \"no\", then\r\nclosed";
    String row = row(Records.failed(7, 5, 503, FailureReason.HTTP_STATUS, message));
    assertThat(row)
        .startsWith(
            "7,failed,false,http_status,503,1,,,true,5.000,5.000,,,10.000,0.000,,,,,,0,10,0,")
        .endsWith(",\"upstream said \"\"no\"\", then\r\nclosed\"\r\n");
    assertThat(Csv.field("plain")).isEqualTo("plain");
    assertThat(Csv.field(null)).isEmpty();
  }

  @Test
  void microsecondsAreKeptAndNegativeValuesSigned() {
    StringBuilder out = new StringBuilder();
    Csv.millis(out, 1_234_567);
    out.append(' ');
    Csv.millis(out, -5_000);
    out.append(' ');
    Csv.millis(out, 12_000_000_000L);
    assertThat(out).hasToString("1.234 -0.005 12000.000");
  }

  @Test
  void theFileHasAHeaderAndOneRowPerRecordInFileOrder() throws Exception {
    Path records = directory.resolve("run-records.jsonl");
    try (RecordWriter writer = RecordWriter.create(records, Records.run(1))) {
      writer.write(Records.warmupStreamed(0, 10, 2, 30, 40));
      writer.write(Records.streamed(1, 0, 0, 10, 2, 30, 40));
      writer.write(Records.failed(2, 5, 500, FailureReason.HTTP_STATUS, "HTTP 500"));
    }
    Path csv = directory.resolve("run-records.csv");
    assertThat(RecordsCsv.write(records, csv)).isEqualTo(3);
    List<String> lines = List.of(Files.readString(csv, StandardCharsets.UTF_8).split("\r\n"));
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo(String.join(",", RecordsCsv.COLUMNS));
    assertThat(lines.get(1)).startsWith("0,ok,true,");
    assertThat(lines.get(2)).startsWith("1,ok,false,");
    assertThat(lines.get(3)).startsWith("2,failed,false,http_status,500,");
  }
}
