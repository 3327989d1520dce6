package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.servebench.error.ExitCode;
import dev.servebench.error.InvalidInputException;
import dev.servebench.exposition.ExpositionParser;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RecordWriter;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import dev.servebench.record.ServerScrape;
import dev.servebench.testing.Expositions;
import dev.servebench.testing.Records;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging shards' records files: counts, order, the union window, and what is missing. */
class ShardMergeTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** Request i of the whole plan: intended at 100 ms * i, e2e 50 ms + i ms, 10 output tokens. */
  private static RequestRecord planRequest(int index) {
    return Records.complete(index, 100L * index, 50 + index, 20, 10);
  }

  @TempDir Path dir;

  /** The host every written shard names, or none. */
  private String host;

  /** Scrapes every written shard 1 carries, on its own clock. */
  private List<ServerScrape> scrapes = List.of();

  /**
   * Writes shard {@code index}/{@code count} of a 10-request plan into {@code dir/shard-I}: its
   * records in the order they finished (the last first), with a closing line unless {@code cut}.
   */
  private Path writeShard(int index, int count, long seed, Instant startedAt, boolean cut)
      throws IOException {
    return writeShard(index, count, seed, startedAt, cut, false);
  }

  private Path writeShard(
      int index, int count, long seed, Instant startedAt, boolean cut, boolean interrupted)
      throws IOException {
    Map<String, Object> configuration = new LinkedHashMap<>();
    configuration.put("seed", seed);
    configuration.put("num_prompts", 10);
    configuration.put("request_rate", 10.0);
    configuration.put("shard", (index + 1) + "/" + count);
    configuration.put("start_at", START.toString());
    configuration.put("start_offset_ms", -1500.0);
    if (host != null) {
      configuration.put("host", host);
    }
    configuration.put("percentiles", List.of(50.0, 99.0));
    Path shardDir = dir.resolve("shard-" + (index + 1));
    Files.createDirectories(shardDir);
    Path file = shardDir.resolve("run-" + index + "-records.jsonl");
    List<RequestRecord> records = new ArrayList<>();
    long shiftNanos = java.time.Duration.between(startedAt, START).toNanos();
    for (int i = index; i < 10; i += count) {
      records.add(ShardMerge.shifted(planRequest(i), shiftNanos));
    }
    try (RecordWriter writer =
        RecordWriter.create(
            file, new RunInfo("run-" + index, "test", startedAt, 10.0 / count, configuration))) {
      if (index == 0) {
        for (ServerScrape scrape : scrapes) {
          writer.write(scrape);
        }
      }
      for (RequestRecord record : records.reversed()) {
        writer.write(record);
      }
      if (!cut) {
        writer.writeEnd(
            new RunEnd(interrupted, records.size(), records.size(), 2, -1, 1, 2, 0, -1, 1));
      }
    }
    return shardDir;
  }

  private Path output() {
    return dir.resolve("merged");
  }

  @Test
  void allShardsMergeIntoTheWholePlanInTimeOrder() throws IOException {
    for (int index = 0; index < 3; index++) {
      writeShard(index, 3, 7, START, false);
    }
    ShardMerge.Result merged = ShardMerge.merge(List.of(dir), output(), Map.of());

    assertThat(merged.partial()).isFalse();
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(merged.summaryFile().toFile())
                .path("complete")
                .asBoolean(false))
        .isTrue();
    assertThat(merged.summary().counts().requests()).isEqualTo(10);
    assertThat(merged.summary().throughput().outputTokens()).isEqualTo(100);
    // The union of the windows: request 0 sent at 0 to request 9 ended at 900 + 59 ms.
    assertThat(merged.summary().throughput().durationNanos()).isEqualTo(959_000_000L);
    // The whole plan's rate, the shards' shares added.
    assertThat(merged.summary().run().configuredRatePerSecond()).isEqualTo(10.0);
    assertThat(merged.summary().run().configuration()).doesNotContainKey("shard");
    assertThat(merged.summary().run().configuration().get("merged_shards")).isEqualTo(3);
    assertThat(merged.summary().end().sentRequests()).isEqualTo(10);
    // Every e2e of the plan is in the distribution: 50 .. 59 ms, so the largest is 59 ms.
    assertThat(merged.summary().latencies().e2e().maxNanos()).isBetween(58_900_000.0, 59_100_000.0);
    List<Integer> indices = new ArrayList<>();
    RecordReader.read(merged.recordsFile(), record -> indices.add(record.index()));
    assertThat(indices).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(merged.summaryFile()).exists();
    assertThat(Files.readString(merged.htmlFile())).contains(merged.summary().run().runId());
    // report rebuilds the same figures from the merged records file.
    assertThat(RecordsSummary.read(merged.recordsFile(), null, null).summary().counts())
        .isEqualTo(merged.summary().counts());
  }

  @Test
  void aMissingShardIsNamedAndTheMergePartial() throws IOException {
    writeShard(0, 3, 7, START, false);
    writeShard(2, 3, 7, START, false);
    ShardMerge.Result merged =
        ShardMerge.merge(
            List.of(dir.resolve("shard-1"), dir.resolve("shard-3")), output(), Map.of());

    assertThat(merged.partial()).isTrue();
    assertThat(merged.problems())
        .singleElement()
        .asString()
        .startsWith("shard 2/3:")
        .contains("no records file");
    // Shard 2/3's requests 1, 4, 7 are not there.
    assertThat(merged.summary().counts().requests()).isEqualTo(7);
    assertThat(merged.summary().warnings())
        .anySatisfy(warning -> assertThat(warning).contains("merged from 3 shards", "2/3"));
    assertThat(merged.summary().run().configuration().get("partial")).isEqualTo(true);
    // The summary and the page say the figures do not cover the whole plan.
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(merged.summaryFile().toFile())
                .path("complete")
                .asBoolean(true))
        .isFalse();
    assertThat(Files.readString(merged.htmlFile()))
        .contains("A merge of shards not all of them whole")
        .doesNotContain("The run completed.");
  }

  @Test
  void aCutOffOrFailedShardIsNamed() throws IOException {
    writeShard(0, 2, 7, START, false);
    writeShard(1, 2, 7, START, true);
    ShardMerge.Result cut = ShardMerge.merge(List.of(dir), output(), Map.of());
    assertThat(cut.problems()).singleElement().asString().contains("2/2", "no closing line");
    // Its records still count.
    assertThat(cut.summary().counts().requests()).isEqualTo(10);

    ShardMerge.Result failed =
        ShardMerge.merge(List.of(dir), dir.resolve("again"), Map.of(0, "failed (exit 5)"));
    assertThat(failed.problems()).hasSize(2).first().asString().contains("1/2", "exit 5");
  }

  @Test
  void interruptedShardsAreMergedAndNamed() throws IOException {
    // Ctrl-C under --processes: every shard drained and exited interrupted; the launcher counts
    // none of them failed, and the merge holds all their records, named as interrupted.
    writeShard(0, 2, 7, START, false, true);
    writeShard(1, 2, 7, START, false, true);
    Map<Integer, String> failed =
        LocalShards.failedShards(List.of(ExitCode.INTERRUPTED, ExitCode.INTERRUPTED));
    assertThat(failed).isEmpty();
    ShardMerge.Result merged = ShardMerge.merge(List.of(dir), output(), failed);
    assertThat(merged.partial()).isTrue();
    assertThat(merged.problems())
        .hasSize(2)
        .allSatisfy(problem -> assertThat(problem).contains("interrupted"));
    assertThat(merged.summary().counts().requests()).isEqualTo(10);
    assertThat(merged.summary().end().interrupted()).isTrue();
    // A shard that crashed is still named failed.
    assertThat(LocalShards.failedShards(List.of(ExitCode.OK, 5, ExitCode.REQUESTS_FAILED)))
        .containsOnlyKeys(1);
  }

  @Test
  void coresAddOnlyAcrossMachinesAndThePeakComesFromTheRecords() throws IOException {
    // Each shard: 2 cores, a live peak of 2. The plan's requests never overlap.
    host = "one-machine";
    for (int index = 0; index < 3; index++) {
      writeShard(index, 3, 7, START, false);
    }
    ShardMerge.Result oneMachine = ShardMerge.merge(List.of(dir), output(), Map.of());
    assertThat(oneMachine.summary().end().availableProcessors()).isEqualTo(2);
    assertThat(oneMachine.summary().end().peakInFlight()).isEqualTo(1);
    assertThat(oneMachine.summary().run().configuration()).doesNotContainKey("host");

    host = null; // shards that name no machine count as machines of their own
    for (int index = 0; index < 3; index++) {
      Files.delete(dir.resolve("shard-" + (index + 1)).resolve("run-" + index + "-records.jsonl"));
      writeShard(index, 3, 7, START, false);
    }
    ShardMerge.Result apart = ShardMerge.merge(List.of(dir), dir.resolve("apart"), Map.of());
    assertThat(apart.summary().end().availableProcessors()).isEqualTo(6);
  }

  @Test
  void shardOnesServerScrapesAreCarriedOntoTheMergedClock() throws IOException {
    scrapes =
        List.of(
            ServerScrape.read(
                0, 1_000_000, ExpositionParser.parse(Expositions.fixture("vllm.prom", 10, 20, 30))),
            ServerScrape.read(
                1_000_000_000L,
                1_000_000,
                ExpositionParser.parse(Expositions.fixture("vllm.prom", 110, 220, 30))));
    // Shard 1 started 2 s after shard 2: its scrapes move 2 s later on the merged clock.
    writeShard(0, 2, 7, START.plusSeconds(2), false);
    writeShard(1, 2, 7, START, false);
    ShardMerge.Result merged = ShardMerge.merge(List.of(dir), output(), Map.of());
    List<Long> at = new ArrayList<>();
    RecordReader.read(
        merged.recordsFile(), run -> {}, record -> {}, scrape -> at.add(scrape.atNanos()));
    assertThat(at).containsExactly(2_000_000_000L, 3_000_000_000L);
    assertThat(merged.summary().server()).isNotNull();
    assertThat(merged.summary().server().scrapes()).isEqualTo(2);
  }

  @Test
  void shardsStartedApartAreMovedOntoOneClock() throws IOException {
    // Shard 2 started 2 s later than shard 1, and its stamps count from its own start.
    writeShard(0, 2, 7, START, false);
    writeShard(1, 2, 7, START.plusSeconds(2), false);
    ShardMerge.Result merged = ShardMerge.merge(List.of(dir), output(), Map.of());
    List<Long> intended = new ArrayList<>();
    RecordReader.read(
        merged.recordsFile(), record -> intended.add(record.stamps().intendedNanos()));
    assertThat(intended).isSorted().hasSize(10);
    assertThat(merged.summary().run().startedAt()).isEqualTo(START);
    assertThat(intended.get(9)).isEqualTo(900_000_000L);
  }

  @Test
  void shardsOfDifferentPlansAreRefusedNamingTheSetting() throws IOException {
    writeShard(0, 2, 7, START, false);
    writeShard(1, 2, 8, START, false);
    assertThatThrownBy(() -> ShardMerge.merge(List.of(dir), output(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("shards of different plans: seed");
  }

  @Test
  void aWholeRunIsNotAShard() throws IOException {
    Path file = dir.resolve("whole-records.jsonl");
    try (RecordWriter writer = RecordWriter.create(file, Records.run(10))) {
      writer.write(planRequest(0));
    }
    assertThatThrownBy(() -> ShardMerge.merge(List.of(file), output(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is not a shard's records file");
    assertThatThrownBy(() -> ShardMerge.merge(List.of(dir), output(), Map.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no shard's records file");
  }

  @Test
  void sortedRunsOnDiskMergeExactlyAsInMemory() throws IOException {
    for (int index = 0; index < 3; index++) {
      writeShard(index, 3, 7, START.plusMillis(index * 7L), false);
    }
    ShardMerge.Result inMemory = ShardMerge.merge(List.of(dir), output(), Map.of());
    // Two records at a time: every shard's records go through sorted runs on disk.
    ShardMerge.Result spilled = ShardMerge.merge(List.of(dir), dir.resolve("spilled"), Map.of(), 2);

    assertThat(lines(spilled.recordsFile())).isEqualTo(lines(inMemory.recordsFile()));
    assertThat(spilled.summary().end().peakInFlight())
        .isEqualTo(inMemory.summary().end().peakInFlight());
    // The sorted runs are gone with the merge.
    try (java.util.stream.Stream<Path> left = Files.list(dir.resolve("spilled"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.startsWith(".merge-"));
    }
  }

  /** A records file's lines after its header, whose run id is the merge's own. */
  private static List<String> lines(Path recordsFile) throws IOException {
    List<String> all = Files.readAllLines(recordsFile);
    return all.subList(1, all.size());
  }
}
