package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.servebench.error.ExitCode;
import dev.servebench.mock.Fault;
import dev.servebench.mock.FaultSpec;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestSelector;
import dev.servebench.record.RecordReader;
import dev.servebench.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code servebench sweep} end to end against the mock server: steps, files, early stop, search.
 */
class SweepCommandTest {

  @TempDir Path results;

  private static MockServer mock(FaultSpec... faults) {
    return mock(10, faults);
  }

  private static MockServer mock(double ttftMillis, FaultSpec... faults) {
    MockServerConfig.Builder config =
        MockServerConfig.builder()
            .ttftMillis(ttftMillis)
            .itlMillis(2)
            .fixedOutputTokens(4)
            .modelName("gpt2");
    for (FaultSpec fault : faults) {
      config.fault(fault);
    }
    return MockServer.start(config.build());
  }

  private Cli.Result sweep(MockServer server, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sweep",
                "--model-endpoint-base",
                server.baseUrl(),
                "--model-name",
                "gpt2",
                "--tokenizer",
                "r50k_base",
                "--dataset-format",
                "Synthesis",
                "--input-len-mean",
                "16",
                "--stream",
                "--quiet",
                "--results-dir",
                results.toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The prompt token counts of a step's measured requests, in send order. */
  private static List<Integer> promptTokens(Path stepDirectory) {
    List<int[]> indexed = new ArrayList<>();
    RecordReader.read(
        Cli.onlyFile(stepDirectory, "-records.jsonl"),
        record -> {
          if (!record.warmup()) {
            indexed.add(new int[] {record.index(), record.tokens().prompt()});
          }
        });
    indexed.sort((a, b) -> Integer.compare(a[0], b[0]));
    return indexed.stream().map(pair -> pair[1]).toList();
  }

  @Test
  void ratesRunAStepEachWithTheSamePromptsAndOneWarmUp() throws IOException {
    try (MockServer server = mock()) {
      Cli.Result result =
          sweep(
              server,
              "--rates",
              "20,40",
              "--num-prompts",
              "12",
              "--warmup-requests",
              "2",
              "--goodput",
              "ttft:2000");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains("Sweep ", "(rates)", "TTFT p99", "goodput")
          .containsPattern("\\n +1  rate 20/s .* 100\\.0%  +0/12")
          .containsPattern("\\n +2  rate 40/s .* 100\\.0%  +0/12");
      JsonNode sweep = Cli.json(results.resolve("sweep.json"));
      assertThat(sweep.path("mode").asText()).isEqualTo("rates");
      assertThat(sweep.path("steps")).hasSize(2);
      JsonNode first = sweep.path("steps").get(0);
      assertThat(first.path("directory").asText()).isEqualTo("01-rate-20");
      assertThat(first.path("target_rate_per_s").asDouble()).isEqualTo(20);
      assertThat(first.path("requests").asInt()).isEqualTo(12);
      assertThat(first.path("goodput_fraction").asDouble()).isEqualTo(1.0);
      assertThat(sweep.path("stopped_early").isNull()).isTrue();
      assertThat(sweep.path("pareto_front").path("e2el_p99")).isNotEmpty();

      // The warm-up is a run of its own before the first step; every step sends the same prompts
      // in the same order.
      Path one = results.resolve("01-rate-20");
      Path two = results.resolve("02-rate-40");
      assertThat(
              Cli.json(Cli.onlyFile(one, "-summary.json"))
                  .path("requests")
                  .path("warmup_excluded")
                  .asInt())
          .isZero();
      assertThat(
              Cli.json(Cli.onlyFile(two, "-summary.json"))
                  .path("requests")
                  .path("warmup_excluded")
                  .asInt())
          .isZero();
      assertThat(promptTokens(two)).hasSize(12).isEqualTo(promptTokens(one));
      assertThat(
              Cli.json(Cli.onlyFile(results.resolve("00-warmup"), "-summary.json"))
                  .path("requests")
                  .path("total")
                  .asInt())
          .isEqualTo(2);

      String html = Files.readString(results.resolve("sweep.html"));
      assertThat(html)
          .contains("data-chart=\"curve-ttft\"", "data-chart=\"curve-e2el\"", "Pareto front");
    }
  }

  @Test
  void theSweepProfilePlacesItsRatesBetweenSynchronousAndThroughput() {
    try (MockServer server = mock()) {
      Cli.Result result = sweep(server, "--steps", "2", "--num-prompts", "8", "--no-early-stop");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode steps = Cli.json(results.resolve("sweep.json")).path("steps");
      assertThat(steps)
          .extracting(step -> step.path("kind").asText())
          .containsExactly("synchronous", "throughput", "rate", "rate");
      double low = steps.get(0).path("request_throughput_per_s").asDouble();
      double high = steps.get(1).path("request_throughput_per_s").asDouble();
      assertThat(high).isGreaterThan(low);
      assertThat(steps.get(2).path("target_rate_per_s").asDouble())
          .isCloseTo((low + high) / 2, org.assertj.core.data.Percentage.withPercentage(1e-6));
      assertThat(steps.get(3).path("target_rate_per_s").asDouble())
          .isCloseTo(high, org.assertj.core.data.Percentage.withPercentage(1e-6));
      assertThat(steps.get(0).path("concurrency").asInt()).isEqualTo(1);
    }
  }

  @Test
  void aStepWithTooManyFailuresEndsTheSweepAndSaysWhy() {
    // Every second request fails: 50 % is past the 5 % limit at the first step.
    try (MockServer server =
        mock(new FaultSpec(Fault.HTTP_500, 0, new RequestSelector.EveryNth(2)))) {
      Cli.Result result = sweep(server, "--concurrencies", "1,2,4", "--num-prompts", "8");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains("saturated: failures")
          .contains(
              "Stopped after step 1, 2 steps early: the server was saturated (4 of 8 requests failed");
      JsonNode sweep = Cli.json(results.resolve("sweep.json"));
      assertThat(sweep.path("steps")).hasSize(1);
      assertThat(sweep.path("stopped_early").path("reason").asText()).isEqualTo("failures");
      assertThat(sweep.path("steps").get(0).path("saturated").path("reason").asText())
          .isEqualTo("failures");
      assertThat(results.resolve("02-concurrency-2")).doesNotExist();
    }
  }

  @Test
  void aThroughputStepWithFailuresIsNotedButDoesNotEndTheSweep() {
    // Requests 8 and 9, a quarter of the throughput step (the second 8), fail: past the 5 % limit,
    // yet the throughput step overloads by design, so the rates after it still run. A 150 ms TTFT
    // keeps one request at a time far slower than all at once, however busy the machine, so the
    // sweep has rates to place between them.
    try (MockServer server =
        mock(
            150,
            new FaultSpec(
                Fault.HTTP_500, 0, new RequestSelector.Numbers(java.util.Set.of(8L, 9L))))) {
      Cli.Result result = sweep(server, "--steps", "1", "--num-prompts", "8");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode sweep = Cli.json(results.resolve("sweep.json"));
      assertThat(sweep.path("steps"))
          .as(result.err() + result.out())
          .extracting(step -> step.path("kind").asText())
          .containsExactly("synchronous", "throughput", "rate");
      assertThat(sweep.path("steps").get(1).path("saturated").path("reason").asText())
          .isEqualTo("failures");
      assertThat(
              sweep.path("stopped_early").isMissingNode() || sweep.path("stopped_early").isNull())
          .as(sweep.toString())
          .isTrue();
    }
  }

  @Test
  void anSloSearchReportsEveryProbe() {
    // A 1 ms TTFT objective against a 10 ms server: no concurrency meets it, down to 1.
    try (MockServer server = mock()) {
      Cli.Result result =
          sweep(
              server,
              "--goodput",
              "ttft:1",
              "--target",
              "95%",
              "--search",
              "concurrency",
              "--search-start",
              "4",
              "--num-prompts",
              "6");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains("SLO search: no concurrency met 95 % of requests meeting ttft <= 1 ms")
          .containsPattern("\\n +1  concurrency 4 .* fail");
      JsonNode search = Cli.json(results.resolve("sweep.json")).path("slo_search");
      assertThat(search.path("outcome").asText()).isEqualTo("none_passed");
      assertThat(search.path("probes"))
          .extracting(probe -> probe.path("load").asInt())
          .containsExactly(4, 2, 1);
      assertThat(search.path("probes").get(0).path("share_met").asDouble()).isZero();
      assertThat(results.resolve("probe-03-concurrency-1")).isDirectory();
    }
  }

  @Test
  void ratesAndConcurrenciesRunAscendingWhateverTheOrderGiven() {
    // Early stop assumes rising load: --rates 20,5,1 must not stop at 20 before 1 and 5 ran.
    assertThat(SweepCommand.parseRates(List.of("20", " 5", "1.5"))).containsExactly(1.5, 5.0, 20.0);
    assertThat(SweepCommand.checkConcurrencies(List.of(32, 1, 8))).containsExactly(1, 8, 32);
  }

  static Stream<Arguments> badFlags() {
    return Stream.of(
        Arguments.of(
            List.of("--rates", "1,2", "--concurrencies", "4"),
            "--rates (open-loop steps) and --concurrencies"),
        Arguments.of(List.of("--rates", "1,0"), "--rates '0' is not a positive number"),
        Arguments.of(List.of("--rates", "5,1,5"), "--rates gives 5 twice: give each rate once"),
        Arguments.of(
            List.of("--concurrencies", "8,8"),
            "--concurrencies gives 8 twice: give each concurrency once"),
        Arguments.of(
            List.of("--concurrencies", "0"), "--concurrencies takes closed loops of 1 or more"),
        Arguments.of(List.of("--profile", "fast"), "--profile 'fast'"),
        Arguments.of(List.of("--profile", "sweep", "--rates", "1"), "--profile chooses the steps"),
        Arguments.of(List.of("--request-rate", "5"), "sweep sets each step's load"),
        Arguments.of(List.of("--shard", "1/2"), "--shard, --start-at and --processes"),
        Arguments.of(List.of("--processes", "2"), "--shard, --start-at and --processes"),
        Arguments.of(List.of("--steps", "0"), "--steps must be 1 or more"),
        Arguments.of(
            List.of("--rates", "1,2", "--steps", "3"), "this sweep is --rates: drop --steps"),
        Arguments.of(
            List.of("--concurrencies", "1,2", "--steps", "3"),
            "this sweep is --concurrencies: drop --steps"),
        Arguments.of(
            List.of("--profile", "throughput", "--steps", "3"),
            "this sweep is --profile throughput: drop --steps"),
        Arguments.of(
            List.of("--profile", "synchronous", "--steps", "3"),
            "this sweep is --profile synchronous: drop --steps"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "95", "--steps", "3"),
            "--steps, --no-early-stop and --failure-limit"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "95", "--no-early-stop"),
            "--steps, --no-early-stop and --failure-limit"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "95", "--failure-limit", "10%"),
            "--steps, --no-early-stop and --failure-limit"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "0"),
            "--target '0' must be a percentage in (0, 100]"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "101%"),
            "--target '101%' must be a percentage in (0, 100]"),
        Arguments.of(List.of("--target", "95%"), "add --goodput"),
        Arguments.of(List.of("--search", "rate"), "add --target PCT"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "95", "--search", "tokens"),
            "--search 'tokens'"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "95", "--resolution", "0"),
            "--resolution '0'"),
        Arguments.of(
            List.of("--goodput", "ttft:500", "--target", "95", "--rates", "1"),
            "--target searches for its loads itself"),
        Arguments.of(
            List.of("--failure-limit", "x"),
            "--failure-limit 'x' must be a percentage in [0, 100]"));
  }

  @ParameterizedTest
  @MethodSource("badFlags")
  void badFlagsAreRefusedWithTheFlagsNamed(List<String> flags, String message) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sweep",
                "--model-endpoint-base",
                "http://127.0.0.1:9",
                "--results-dir",
                results.toString()));
    args.addAll(flags);
    Cli.Result result = Cli.run(args.toArray(String[]::new));

    assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(result.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void aSweepNeedsADirectoryOfItsOwn() throws IOException {
    Cli.Result none = Cli.run("sweep", "--model-endpoint-base", "http://127.0.0.1:9");
    assertThat(none.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(none.err()).contains("add --results-dir DIR");

    Files.writeString(results.resolve("sweep.json"), "{}");
    Cli.Result taken =
        Cli.run(
            "sweep",
            "--model-endpoint-base",
            "http://127.0.0.1:9",
            "--dataset-format",
            "Synthesis",
            "--results-dir",
            results.toString());
    assertThat(taken.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    assertThat(taken.err()).contains("holds an earlier sweep (sweep.json): choose a new directory");
  }
}
