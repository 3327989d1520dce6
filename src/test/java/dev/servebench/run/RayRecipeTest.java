package dev.servebench.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ray/servebench_shards.py, the Ray recipe, run by python3 against the mock with a stand-in
 * for Ray's Core API (src/test/resources/fake-ray: tasks on threads, arguments and results pickled
 * as the object store would, Ray's signatures checked): the shards it starts, the results it
 * carries back and the merge it runs. Ray's placement over nodes is what this cannot check.
 */
class RayRecipeTest {

  private static final Path RECIPE = Path.of("deploy/ray/servebench_shards.py");
  private static final Path FAKE_RAY = Path.of("src/test/resources/fake-ray");
  private static final int REQUESTS = 24;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  /** What one run of the recipe printed and how it ended. */
  private record Outcome(int exitCode, String err, List<JsonNode> rayCalls) {}

  @BeforeAll
  static void needsPython() throws InterruptedException {
    assumeThat(python3Answers()).as("python3 runs the Ray recipe").isTrue();
  }

  private static boolean python3Answers() throws InterruptedException {
    try {
      Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A {@code servebench} launcher for the recipe's {@code --servebench}: this JVM's Java and class
   * path; {@code prelude} runs first in the same {@code sh}.
   */
  private Path launcher(String prelude) throws IOException {
    String command =
        Cli.ownJvm().stream().map(KubernetesJob::shellQuote).collect(Collectors.joining(" "));
    Path script = dir.resolve("servebench");
    Files.writeString(script, "#!/bin/sh\n" + prelude + "exec " + command + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private Outcome recipe(Path launcher, Path results, String baseUrl, String... extra)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "python3",
                RECIPE.toString(),
                "--shards",
                "2",
                "--servebench",
                launcher.toString(),
                "--results-dir",
                results.toString(),
                "--start-delay-s",
                "6"));
    command.addAll(List.of(extra));
    command.addAll(
        List.of(
            "--",
            "--model-endpoint-base",
            baseUrl,
            "--model-name",
            "gpt2",
            "--tokenizer",
            "r50k_base",
            "--dataset-format",
            "Synthesis",
            "--input-len-mean",
            "16",
            "--input-len-stddev",
            "0",
            "--num-prompts",
            Integer.toString(REQUESTS),
            "--request-rate",
            "20",
            "--seed",
            "5",
            "--stream",
            "--quiet"));
    Path log = dir.resolve("ray-calls.jsonl");
    Path err = dir.resolve("recipe.err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("recipe.out").toFile())
            .redirectError(err.toFile());
    builder.environment().put("PYTHONPATH", FAKE_RAY.toAbsolutePath().toString());
    builder.environment().put("FAKE_RAY_LOG", log.toString());
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process process = builder.start();
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the recipe did not end in 180 s: " + Files.readString(err));
    }
    List<JsonNode> calls = new ArrayList<>();
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        calls.add(MAPPER.readTree(line));
      }
    }
    return new Outcome(process.exitValue(), Files.readString(err), calls);
  }

  private static List<JsonNode> calls(Outcome outcome, String event) {
    return outcome.rayCalls().stream()
        .filter(call -> call.get("event").asText().equals(event))
        .toList();
  }

  private static MockServer mock() {
    return MockServer.start(
        MockServerConfig.builder()
            .ttftMillis(10)
            .itlMillis(2)
            .fixedOutputTokens(4)
            .modelName("gpt2")
            .build());
  }

  @Test
  void twoShardsOnSpreadBundlesCarriedBackAndMerged() throws Exception {
    Path results = dir.resolve("ray-results");
    Outcome outcome;
    try (MockServer server = mock()) {
      outcome = recipe(launcher(""), results, server.baseUrl());

      assertThat(outcome.exitCode()).as(outcome.err()).isZero();
      assertThat(outcome.err()).contains("shard 1/2 on ", "shard 2/2 on ").contains("exited 0");
    }

    // Ray: one placement group of two one-CPU bundles on distinct nodes, a task pinned to each
    // bundle and never retried, the group removed at the end.
    List<JsonNode> groups = calls(outcome, "placement_group");
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0).get("strategy").asText()).isEqualTo("STRICT_SPREAD");
    assertThat(groups.get(0).get("bundles")).hasSize(2);
    List<JsonNode> tasks = calls(outcome, "task");
    assertThat(tasks).extracting(task -> task.get("bundle").asInt()).containsExactly(0, 1);
    assertThat(tasks).allSatisfy(task -> assertThat(task.get("max_retries").asInt()).isZero());
    assertThat(calls(outcome, "remove_placement_group")).hasSize(1);
    // Only shard 1 scrapes the server's metrics, as under --processes.
    assertThat(tasks.get(0).get("args").toString()).doesNotContain("--no-server-metrics");
    assertThat(tasks.get(1).get("args").toString()).contains("--no-server-metrics");

    // Each shard's results came back through the object store, the console in console.txt.
    for (int shard = 1; shard <= 2; shard++) {
      Path shardDir = results.resolve("shard-" + shard + "-of-2");
      assertThat(Cli.onlyFile(shardDir, "-records.jsonl")).isNotEmptyFile();
      assertThat(shardDir.resolve("console.txt")).content().contains("Successful requests:");
    }
    // The merge holds the whole plan.
    JsonNode merged = Cli.json(Cli.onlyFile(results.resolve("merged"), "-summary.json"));
    assertThat(merged.get("complete").asBoolean()).isTrue();
    assertThat(merged.get("requests").get("total").asInt()).isEqualTo(REQUESTS);
    assertThat(merged.get("requests").get("succeeded").asInt()).isEqualTo(REQUESTS);
    assertThat(merged.get("configuration").get("missing_shards")).isEmpty();
  }

  @Test
  void aShardThatFailsLeavesAPartialMergeAndExitSix() throws Exception {
    Path results = dir.resolve("ray-results");
    try (MockServer server = mock()) {
      // Shard 2's servebench fails before it sends anything, as a node without Java would.
      Outcome outcome =
          recipe(
              launcher("case \" $* \" in *\" 2/2 \"*) echo 'no java here' >&2; exit 1;; esac\n"),
              results,
              server.baseUrl());

      assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(6);
      assertThat(outcome.err()).contains("shard 2/2 on ").contains("[2] failed");
    }
    JsonNode merged = Cli.json(Cli.onlyFile(results.resolve("merged"), "-summary.json"));
    assertThat(merged.get("complete").asBoolean()).isFalse();
    assertThat(merged.get("requests").get("total").asInt()).isEqualTo(REQUESTS / 2);
    assertThat(merged.get("configuration").get("partial").asBoolean()).isTrue();
    assertThat(merged.get("configuration").get("missing_shards").toString()).contains("2/2");
  }

  @Test
  void aFlagTheJobSetsItselfIsRefused() throws Exception {
    Outcome outcome =
        recipe(launcher(""), dir.resolve("unused"), "http://127.0.0.1:9", "--", "--shard", "1/2");

    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("--shard is set by this job");
    assertThat(outcome.rayCalls()).isEmpty();
  }
}
