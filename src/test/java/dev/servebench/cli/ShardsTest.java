package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.metrics.Summary;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.record.RecordReader;
import dev.servebench.record.RequestRecord;
import dev.servebench.run.LocalShards;
import dev.servebench.run.RecordsSummary;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --processes N} against the mock: the shards together send the plan one process sends,
 * and the merged result reports it as that process's run would.
 */
class ShardsTest {

  private static final int REQUESTS = 30;

  @TempDir Path dir;

  private static String[] plan(Path cache, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input-len-mean",
                "16",
                "--input-len-stddev",
                "0",
                "--num-prompts",
                Integer.toString(REQUESTS),
                "--request-rate",
                "25",
                "--seed",
                "11",
                "--prompt-cache",
                cache.toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  private static Map<Integer, RequestRecord> byIndex(Path records) {
    Map<Integer, RequestRecord> all = new TreeMap<>();
    RecordReader.read(records, record -> all.put(record.index(), record));
    return all;
  }

  @Test
  void twoLocalShardsSendTheOneProcessPlan() throws IOException {
    Path cache = dir.resolve("cache");
    Path one = dir.resolve("one");
    Path shards = dir.resolve("shards");
    Path vllmDir = dir.resolve("vllm");
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(20)
                .itlMillis(5)
                .fixedOutputTokens(4)
                .modelName("gpt2")
                .build())) {
      Cli.Result whole = Cli.runSynthetic(server.baseUrl(), one, plan(cache));
      assertThat(whole.exitCode()).as(whole.err()).isZero();
      // The children's JVMs start, load and rehearse before the common start: give them time.
      String startAt = Instant.now().plusSeconds(15).toString();
      Cli.Result split =
          Cli.runSynthetic(
              server.baseUrl(),
              shards,
              plan(
                  cache,
                  "--processes",
                  "2",
                  "--start-at",
                  startAt,
                  "--percentile-metrics",
                  "e2el,ttft"));
      assertThat(split.exitCode()).as(split.err()).isZero();
      assertThat(split.err()).contains("[shard 1/2] ", "[shard 2/2] ");
      assertThat(split.out()).contains("Successful requests:");

      Path wholeRecords = Cli.onlyFile(one, "-records.jsonl");
      Path mergedRecords = Cli.onlyFile(shards, "-records.jsonl");
      Summary wholeSummary = RecordsSummary.read(wholeRecords, null, null).summary();
      Summary merged = RecordsSummary.read(mergedRecords, null, null).summary();

      // Counts exact: the same requests, the same prompts, the same outputs.
      assertThat(merged.counts().requests()).isEqualTo(REQUESTS);
      assertThat(merged.counts().succeeded()).isEqualTo(wholeSummary.counts().succeeded());
      assertThat(merged.throughput().inputTokens())
          .isEqualTo(wholeSummary.throughput().inputTokens());
      assertThat(merged.throughput().outputTokens())
          .isEqualTo(wholeSummary.throughput().outputTokens());
      assertThat(merged.run().configuredRatePerSecond()).isEqualTo(25.0);
      assertThat(merged.warnings()).noneMatch(warning -> warning.contains("merged from"));

      // When each shard was ready, from the common start: a shard ready late sends what is due
      // before then at once, late by design (and says so).
      long[] readyNanos = new long[2];
      Path launch = onlyLaunch(shards);
      for (int shard = 1; shard <= 2; shard++) {
        Path shardDir = launch.resolve("shard-" + shard + "-of-2");
        Map<String, Object> configuration =
            RecordsSummary.read(Cli.onlyFile(shardDir, "-records.jsonl"), null, null)
                .summary()
                .run()
                .configuration();
        assertThat(configuration.get("shard")).isEqualTo(shard + "/2");
        assertThat(configuration.get("start_at")).isEqualTo(startAt);
        assertThat(configuration.get("start_offset_ms")).isInstanceOf(Number.class);
        readyNanos[shard - 1] =
            (long) (((Number) configuration.get("start_offset_ms")).doubleValue() * 1e6);
        assertThat(Cli.onlyFile(shardDir, "-summary.json")).exists();
      }

      Map<Integer, RequestRecord> wholeByIndex = byIndex(wholeRecords);
      Map<Integer, RequestRecord> mergedByIndex = byIndex(mergedRecords);
      assertThat(mergedByIndex.keySet()).isEqualTo(wholeByIndex.keySet()).hasSize(REQUESTS);
      long wholeStart = wholeByIndex.get(0).stamps().intendedNanos();
      List<Long> lateness = new ArrayList<>();
      for (int index = 0; index < REQUESTS; index++) {
        RequestRecord mine = mergedByIndex.get(index);
        RequestRecord theirs = wholeByIndex.get(index);
        assertThat(mine.tokens().prompt()).isEqualTo(theirs.tokens().prompt());
        // The plan's own times: offsets from the common start, which one process has too.
        assertThat(mine.stamps().intendedNanos())
            .as("request %d's intended time", index)
            .isEqualTo(theirs.stamps().intendedNanos() - wholeStart);
        if (mine.stamps().intendedNanos() >= readyNanos[index % 2]) {
          lateness.add(mine.stamps().sentNanos() - mine.stamps().intendedNanos());
        }
      }
      lateness.sort(null);
      assertThat(lateness).as("requests due after their shard was ready").hasSizeGreaterThan(10);
      // Never early: each shard paces on the common start's clock, not its own start. How close to
      // the plan the sends are is a timing figure, for bench/, not for a suite that must pass on a
      // busy machine; a shard that ignored the common start would be seconds off.
      assertThat(lateness.get(0)).as(lateness + "\n" + split.err()).isNotNegative();
      assertThat(lateness.get(lateness.size() / 2))
          .as(lateness + "\n" + split.err())
          .isLessThan(1_000_000_000L);

      // Both ways, no request saw the mock's first token sooner than the mock sends it (less the
      // histogram's 0.1 % resolution).
      assertThat(merged.latencies().ttft().minNanos()).isGreaterThanOrEqualTo(19.9e6);
      assertThat(wholeSummary.latencies().ttft().minNanos()).isGreaterThanOrEqualTo(19.9e6);

      assertThat(Cli.onlyFile(shards, "-report.html")).exists();

      // report rebuilds the merged run from its records alone.
      Cli.Result report = Cli.run("report", mergedRecords.toString());
      assertThat(report.exitCode()).as(report.err()).isZero();
      assertThat(report.out()).contains("Successful requests:");
      // With the shards' --percentile-metrics, as the run printed them.
      assertThat(report.out()).contains("Mean E2EL (ms):").doesNotContain("Mean ITL (ms):");

      // merge again prints the shards' own --percentile-metrics too.
      Cli.Result merge =
          Cli.run(
              "merge",
              launch.resolve("shard-1-of-2").toString(),
              launch.resolve("shard-2-of-2").toString(),
              "-o",
              dir.resolve("merged-again").toString());
      assertThat(merge.exitCode()).as(merge.err()).isZero();
      assertThat(merge.out())
          .contains("Mean E2EL (ms):", "Mean TTFT (ms):")
          .doesNotContain("Mean ITL (ms):", "Mean TPOT (ms):");
      assertThat(merge.out().indexOf("Mean E2EL (ms):"))
          .isLessThan(merge.out().indexOf("Mean TTFT (ms):"));

      // A second launch into the same results directory merges its own shards only.
      Cli.Result again =
          Cli.runSynthetic(
              server.baseUrl(),
              shards,
              "--input-len-mean",
              "16",
              "--num-prompts",
              "4",
              "--request-rate",
              "25",
              "--seed",
              "12",
              "--prompt-cache",
              cache.toString(),
              "--processes",
              "2",
              "--start-at",
              Instant.now().plusSeconds(10).toString(),
              "--save-result",
              "--result-dir",
              vllmDir.toString(),
              "--csv");
      assertThat(again.exitCode()).as(again.err()).isZero();
      // vLLM's file and the CSV are the launcher's, from the merge: one each, the plan's rate.
      try (Stream<Path> vllm = Files.list(vllmDir)) {
        List<Path> files = vllm.toList();
        assertThat(files).hasSize(1);
        JsonNode result = Cli.json(files.get(0));
        assertThat(result.path("request_rate").asDouble()).isEqualTo(25.0);
        assertThat(result.path("completed").asInt()).isEqualTo(4);
      }
      assertThat(Cli.onlyFile(shards, "-records.csv")).exists();
      assertThat(Cli.onlyFile(shards, "-summary.csv")).exists();
      try (Stream<Path> entries = Files.list(shards)) {
        List<Path> all = entries.toList();
        assertThat(all).filteredOn(Files::isDirectory).hasSize(2);
        assertThat(all).filteredOn(file -> file.toString().endsWith("-records.jsonl")).hasSize(2);
      }
    }
  }

  @Test
  void theWaitForTheStartIsNotPartOfTheRun() throws IOException {
    Path cache = dir.resolve("cache");
    Path results = dir.resolve("later");
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(5)
                .fixedOutputTokens(2)
                .modelName("gpt2")
                .build())) {
      Instant startAt = Instant.now().plusSeconds(3);
      Cli.Result result =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              "3",
              "--request-rate",
              "25",
              "--prompt-cache",
              cache.toString(),
              "--start-at",
              startAt.toString());
      Instant after = Instant.now();
      assertThat(result.exitCode()).as(result.err()).isZero();
      Summary summary =
          RecordsSummary.read(Cli.onlyFile(results, "-records.jsonl"), null, null).summary();
      // The wall clock starts at the start, so it is no longer than from the start to now.
      assertThat(summary.end().runWallNanos())
          .isPositive()
          .isLessThanOrEqualTo(java.time.Duration.between(startAt, after).toNanos());
    }
  }

  @Test
  void vllmsResultFileIsRefusedForOneShard() {
    Cli.Result result =
        Cli.runSynthetic("http://127.0.0.1:9", dir.resolve("r"), "--shard", "1/2", "--save-result");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("--shard sends a share of it: merge the shards")
        .doesNotContain("Exception");
  }

  @Test
  void shardsAfterTheFirstLeaveTheServersMetricsToIt() {
    assertThat(
            LocalShards.notScraping(
                List.of("--server-metrics", "http://h/metrics", "--seed", "3", "--server-metrics")))
        .containsExactly("--seed", "3", "--no-server-metrics");
    assertThat(LocalShards.notScraping(List.of("--no-server-metrics", "--server-metrics=u")))
        .containsExactly("--no-server-metrics");
  }

  @Test
  void theShardsAreNotGivenTheLaunchersOwnFiles() {
    assertThat(
            LocalShards.shardArguments(
                List.of(
                    "--save-result",
                    "--result-dir",
                    "v",
                    "--result_filename=f.json",
                    "--csv",
                    "--seed",
                    "3",
                    "--results-dir",
                    "r",
                    "--append-result")))
        .containsExactly("--seed", "3");
  }

  /** The one launch's folder of shards under a results directory. */
  private static Path onlyLaunch(Path resultsDir) throws IOException {
    try (Stream<Path> entries = Files.list(resultsDir)) {
      List<Path> launches =
          entries.filter(entry -> entry.getFileName().toString().startsWith("shards-")).toList();
      assertThat(launches).hasSize(1);
      return launches.get(0);
    }
  }
}
