package dev.servebench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.servebench.mock.Fault;
import dev.servebench.mock.FaultSpec;
import dev.servebench.mock.MockServer;
import dev.servebench.mock.MockServerConfig;
import dev.servebench.mock.RequestSelector;
import dev.servebench.testing.Cli;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of a run against the mock, opened in headless Chromium (Debian's {@code
 * chromium}, which {@code .ci/run} installs): its script must run without an error, and every chart
 * must have drawn its data (the page's script sets {@code data-points} on each canvas to the number
 * of points it drew). A screenshot is kept as {@code target/report-screenshot.png}. The page of
 * {@code compare --html} likewise: each chart must have drawn every run's line ({@code
 * data-series-points}).
 */
class HtmlReportBrowserTest {

  private static final int REQUESTS = 40;

  /** Every chart the report of a streamed run with failures has. */
  private static final List<String> CHARTS =
      List.of(
          "hist-ttft",
          "cdf-ttft",
          "hist-tpot",
          "cdf-tpot",
          "hist-itl",
          "cdf-itl",
          "hist-e2e",
          "cdf-e2e",
          "ts-requests",
          "ts-tokens",
          "ts-in-flight",
          "ts-ttft",
          "ts-itl",
          "ts-lag",
          "ts-failures",
          // The mock's own /metrics, scraped during the run.
          "ts-server-requests",
          "ts-server-kv-cache",
          "ts-server-tokens");

  private static final Pattern CANVAS =
      Pattern.compile("<canvas data-chart=\"([^\"]+)\" data-points=\"(\\d+)\"");

  private static String chromium;

  @TempDir Path results;
  @TempDir Path profile;
  @TempDir Path scratch;

  @BeforeAll
  static void findChromium() {
    chromium = onPath("chromium", "chromium-browser");
    Assumptions.assumeTrue(
        chromium != null,
        "skipped: no chromium on PATH to open the HTML report in (install Debian's chromium:"
            + " apt-get install -y chromium; .ci/run does)");
  }

  private static String onPath(String... names) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path candidate = Path.of(directory, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }

  @Test
  void everyChartOfTheRunsReportDrawsWithoutAnError() throws Exception {
    Path html;
    Path rebuilt = results.resolve("rebuilt.html");
    try (MockServer server =
        MockServer.start(
            MockServerConfig.builder()
                .ttftMillis(15)
                .itlMillis(2)
                .fixedOutputTokens(12)
                .modelName("gpt2")
                .fault(new FaultSpec(Fault.HTTP_500, 0, new RequestSelector.EveryNth(5)))
                .build())) {
      Cli.Result run =
          Cli.runSynthetic(
              server.baseUrl(),
              results,
              "--input-len-mean",
              "16",
              "--num-prompts",
              Integer.toString(REQUESTS),
              "--request-rate",
              "40",
              // Several scrapes in the short run, so that its counters give rates.
              "--server-metrics-interval",
              "100ms");
      // Failed requests: exit code 3, and every file written all the same.
      assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
      html = Cli.onlyFile(results, "-report.html");
      Path records = Cli.onlyFile(results, "-records.jsonl");
      Cli.Result report = Cli.run("report", records.toString(), "--html", rebuilt.toString());
      assertThat(report.exitCode()).as(report.err()).isZero();
    }
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(page).doesNotContain("src=\"http", "href=\"http", "<link");

    for (Path file : List.of(html, rebuilt)) {
      Browser browser = dumpDom(file);
      Map<String, Integer> points = new LinkedHashMap<>();
      Matcher canvas = CANVAS.matcher(browser.dom());
      while (canvas.find()) {
        points.put(canvas.group(1), Integer.parseInt(canvas.group(2)));
      }
      assertThat(points.keySet()).as(file.toString()).containsExactlyInAnyOrderElementsOf(CHARTS);
      assertThat(points)
          .as("points drawn by each chart")
          .allSatisfy((id, n) -> assertThat(n).as(id).isPositive());
      assertThat(browser.dom()).contains("data-charts-drawn=\"" + CHARTS.size() + "\"");
      assertThat(browser.dom())
          .containsPattern("<pre id=\"errors\" class=\"messages\" hidden=\"\"></pre>");
      assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    }

    Path screenshot = Path.of("target", "report-screenshot.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    chromium("--screenshot=" + screenshot, "--window-size=1400,3000", html.toUri().toString());
    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).isPositive();
  }

  /** Every chart of a comparison page. */
  private static final List<String> COMPARE_CHARTS =
      List.of(
          "cdf-ttft",
          "cdf-tpot",
          "cdf-itl",
          "cdf-e2e",
          "ts-finished",
          "ts-tokens",
          "ts-in-flight",
          "ts-ttft-p50",
          "ts-ttft-p99",
          "ts-itl-p50",
          "ts-failures");

  private static final Pattern SERIES_POINTS =
      Pattern.compile("<canvas data-chart=\"([^\"]+)\"[^>]* data-series-points=\"([\\d,]*)\"");

  @Test
  void everyChartOfTheComparisonPageDrawsEachRun() throws Exception {
    // Three runs against mocks of different speeds, one of them labelled.
    double[] ttftMillis = {40, 5, 15};
    for (int i = 0; i < ttftMillis.length; i++) {
      try (MockServer server =
          MockServer.start(
              MockServerConfig.builder()
                  .ttftMillis(ttftMillis[i])
                  .itlMillis(2)
                  .fixedOutputTokens(8)
                  .modelName("gpt2")
                  .build())) {
        Cli.Result run =
            Cli.runSynthetic(
                server.baseUrl(),
                results,
                "--input-len-mean",
                "16",
                "--num-prompts",
                "20",
                "--request-rate",
                "40",
                "--label",
                "ttft-" + (int) ttftMillis[i]);
        assertThat(run.exitCode()).as(run.err()).isZero();
      }
    }
    Path page = scratch.resolve("compare.html");
    Cli.Result compare = Cli.run("compare", results.toString(), "--html", page.toString());
    assertThat(compare.exitCode()).as(compare.err()).isZero();
    assertThat(Files.readString(page)).doesNotContain("src=\"http", "href=\"http", "<link");

    Browser browser = dumpDom(page);
    Map<String, String> perRun = new LinkedHashMap<>();
    Matcher canvas = SERIES_POINTS.matcher(browser.dom());
    while (canvas.find()) {
      perRun.put(canvas.group(1), canvas.group(2));
    }
    assertThat(perRun.keySet()).containsExactlyInAnyOrderElementsOf(COMPARE_CHARTS);
    assertThat(perRun)
        .as("points drawn for each run by each chart")
        .allSatisfy(
            (id, counts) ->
                assertThat(counts.split(","))
                    .as(id)
                    .hasSize(ttftMillis.length)
                    .allSatisfy(n -> assertThat(Integer.parseInt(n)).isPositive()));
    assertThat(browser.dom()).contains("data-charts-drawn=\"" + COMPARE_CHARTS.size() + "\"");
    assertThat(browser.dom())
        .containsPattern("<pre id=\"errors\" class=\"messages\" hidden=\"\"></pre>");
    assertThat(browser.consoleErrors()).as("console errors").isEmpty();
  }

  /** The page's DOM after its scripts ran, and the console errors Chromium logged. */
  private record Browser(String dom, List<String> consoleErrors) {}

  private Browser dumpDom(Path html) throws Exception {
    Output output = chromium("--dump-dom", html.toUri().toString());
    List<String> errors = new ArrayList<>();
    for (String line : output.err().split("\n")) {
      // Chromium logs every console message, uncaught exceptions included, as
      // "...:INFO:CONSOLE:line] "message", source: ...", whatever its level; the page logs
      // nothing, so any such line is an error.
      if (line.contains(":CONSOLE")) {
        errors.add(line);
      }
    }
    return new Browser(output.out(), errors);
  }

  private record Output(String out, String err) {}

  private Output chromium(String... arguments) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                chromium,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=5000"));
    command.addAll(List.of(arguments));
    Path out = Files.createTempFile(scratch, "chromium", ".out");
    Path err = Files.createTempFile(scratch, "chromium", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    // Only a guard against a hung browser: it says nothing about speed.
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish: " + command);
    }
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(stderr).isZero();
    return new Output(Files.readString(out, StandardCharsets.UTF_8), stderr);
  }
}
