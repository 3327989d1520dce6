package dev.servebench.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.exposition.ExpositionParser;
import dev.servebench.exposition.Sample;
import dev.servebench.testing.Expositions;
import dev.servebench.testing.Records;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrapes of the server's metrics in the records file: every sample, type and failure read back
 * as written, between the requests' lines; and lines of a kind a later version may add are skipped
 * with a warning.
 */
class ServerScrapeRoundTripTest {

  @TempDir Path directory;

  @Test
  void everySampleTypeAndFailureSurvivesWriteAndRead() throws IOException {
    ServerScrape vllm =
        ServerScrape.read(
            1_000_000L,
            2_500_000L,
            ExpositionParser.parse(Expositions.fixture("vllm.prom", 10, 20, 30)));
    // Escapes, a quoted name, and the values JSON has no number for.
    ServerScrape odd =
        ServerScrape.read(
            2_000_000_000L,
            1L,
            ExpositionParser.parse(
                Expositions.fixture("spec-example.prom")
                    + "{\"odd.name\",a=\"x\"} NaN\nneg -Inf\n"));
    ServerScrape failed = ServerScrape.failed(3_000_000_000L, 4_000_000L, "HTTP 503");
    Path file = directory.resolve("run-records.jsonl");
    try (RecordWriter writer = RecordWriter.create(file, Records.run(10))) {
      writer.write(vllm);
      writer.write(Records.streamed(0, 0, 5, 10, 3, 20, 30, 40));
      writer.write(odd);
      writer.write(failed);
    }

    List<ServerScrape> read = new ArrayList<>();
    List<RequestRecord> requests = new ArrayList<>();
    RecordReader.Result result = RecordReader.read(file, run -> {}, requests::add, read::add);

    assertThat(requests).hasSize(1);
    assertThat(result.requestCount()).isEqualTo(1);
    assertThat(read).hasSize(3);
    assertSame(read.get(0), vllm);
    assertSame(read.get(1), odd);
    assertThat(read.get(2)).isEqualTo(failed);
  }

  private static void assertSame(ServerScrape read, ServerScrape written) {
    assertThat(read.atNanos()).isEqualTo(written.atNanos());
    assertThat(read.tookNanos()).isEqualTo(written.tookNanos());
    assertThat(read.exposition().types()).isEqualTo(written.exposition().types());
    List<Sample> samples = read.exposition().samples();
    assertThat(samples).hasSameSizeAs(written.exposition().samples());
    for (int i = 0; i < samples.size(); i++) {
      Sample expected = written.exposition().samples().get(i);
      assertThat(samples.get(i).name()).isEqualTo(expected.name());
      assertThat(samples.get(i).labels()).containsExactlyEntriesOf(expected.labels());
      assertThat(Double.valueOf(samples.get(i).value()))
          .isEqualTo(Double.valueOf(expected.value()));
    }
  }

  @Test
  void aReaderThatAsksNoScrapesSkipsThemAndALaterKindIsSkippedWithAWarning() throws IOException {
    Path file = directory.resolve("run-records.jsonl");
    try (RecordWriter writer = RecordWriter.create(file, Records.run(10))) {
      writer.write(ServerScrape.failed(1, 1, "HTTP 500"));
      writer.write(Records.streamed(0, 0, 5, 10, 3, 20, 30, 40));
    }
    Files.writeString(
        file,
        "{\"record\":\"gpu_power\",\"watts\":300}\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);

    List<RequestRecord> requests = new ArrayList<>();
    RecordReader.Result result = RecordReader.read(file, requests::add);

    assertThat(requests).hasSize(1);
    assertThat(result.warnings())
        .anySatisfy(warning -> assertThat(warning).contains("1 line(s) of kind \"gpu_power\""));
  }
}
