package dev.servebench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.metrics.Aggregator;
import dev.servebench.metrics.Summary;
import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunInfo;
import dev.servebench.record.TokenSource;
import dev.servebench.testing.Records;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long MS = 1_000_000L;
  private static final String DATA_START = "<script type=\"application/json\" id=\"report-data\">";

  /** The page's JSON data block, read back as the browser's JSON.parse would. */
  private static JsonNode data(String page) throws Exception {
    int start = page.indexOf(DATA_START) + DATA_START.length();
    int end = page.indexOf("</script>", start);
    return MAPPER.readTree(page.substring(start, end));
  }

  /**
   * A streamed request sent at {@code sentNanos}: TTFT and eight chunks' gaps drawn from log-normal
   * latencies, so every distribution has a tail.
   */
  private static RequestRecord streamed(int index, long sentNanos, Random random) {
    long[] chunks = new long[8];
    int[] tokens = new int[8];
    long at = sentNanos + (long) (40 * MS * Math.exp(0.4 * random.nextGaussian()));
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = at;
      tokens[i] = 1;
      at += (long) (5 * MS * Math.exp(0.6 * random.nextGaussian()));
    }
    return RequestRecord.builder()
        .index(index)
        .streamed(true)
        .intendedNanos(sentNanos)
        .sentNanos(sentNanos)
        .firstSentNanos(sentNanos)
        .headersNanos(sentNanos + MS)
        .firstTokenNanos(chunks[0])
        .lastTokenNanos(chunks[7])
        .endNanos(chunks[7] + MS / 10)
        .firstContentNanos(chunks[0])
        .chunks(chunks, tokens, TokenSource.SERVER)
        .promptTokens(100, TokenSource.SERVER)
        .localPromptTokens(100)
        .serverPromptTokens(100)
        .requestedOutputTokens(8)
        .outputTokens(8, TokenSource.SERVER)
        .httpStatus(200)
        .build();
  }

  @Test
  void aMillionRequestsGiveBoundedChartsAndAPageOfBoundedSize() throws Exception {
    Aggregator aggregator = new Aggregator();
    Random random = new Random(21);
    int requests = 1_000_000;
    // 100 requests a second: 10,000 seconds, more than the series' point limit.
    for (int i = 0; i < requests; i++) {
      long sentNanos = i * 10 * MS;
      aggregator.add(
          i % 1000 == 7
              ? Records.failed(i, sentNanos / MS, 500, FailureReason.HTTP_STATUS, "HTTP 500")
              : streamed(i, sentNanos, random));
    }
    Summary summary = aggregator.summarize(Records.run(100), null);
    String page = HtmlReport.render(summary);

    JsonNode charts = data(page).path("charts");
    assertThat(charts.size()).isEqualTo(15);
    for (String metric : new String[] {"ttft", "tpot", "itl", "e2e"}) {
      JsonNode histogram = charts.path("hist-" + metric);
      assertThat(histogram.path("x").size()).isEqualTo(HtmlReport.MAX_HISTOGRAM_BUCKETS);
      long drawn = 0;
      for (JsonNode count : histogram.path("series").get(0).path("y")) {
        drawn += count.asLong();
      }
      // Every sample is in a bucket, or counted above p99.9 (at most a thousandth of them).
      long samples = metric.equals("itl") ? 7L * 999_000 : 999_000;
      assertThat(drawn).isBetween(samples - samples / 1000 - 1, samples);
      JsonNode cdf = charts.path("cdf-" + metric);
      assertThat(cdf.path("x").size()).isBetween(10, HtmlReport.MAX_CDF_POINTS);
      JsonNode share = cdf.path("series").get(0).path("y");
      assertThat(share.get(share.size() - 1).asDouble()).isEqualTo(1.0);
      assertThat(cdf.path("markers").size()).isEqualTo(4);
      assertThat(cdf.path("markers").get(3).path("label").asText()).startsWith("p99.9 ");
    }
    for (String series :
        new String[] {"ts-requests", "ts-tokens", "ts-in-flight", "ts-ttft", "ts-itl", "ts-lag"}) {
      // 10,001 seconds: six a point.
      assertThat(charts.path(series).path("x").size()).as(series).isEqualTo(1667);
    }
    // 100 requests sent in each second, on average over the six.
    assertThat(charts.path("ts-requests").path("series").get(0).path("y").get(10).asDouble())
        .isEqualTo(100.0);
    assertThat(page.length()).isLessThan(2_000_000);
  }

  @Test
  void textThatCouldEndTheScriptIsEscapedEverywhere() throws Exception {
    Aggregator aggregator = new Aggregator();
    String hostile = "bad </script><script>alert(1)</script> <!-- & \u2028 \"quoted\"";
    aggregator.add(Records.streamed(0, 0, 0, 10, 4, 30, 40, 50, 60));
    aggregator.add(Records.failed(1, 5, 500, FailureReason.HTTP_STATUS, hostile));
    Map<String, Object> configuration = new LinkedHashMap<>();
    configuration.put("model_name", "</script><b>model</b>");
    RunInfo run =
        new RunInfo(
            "run-<1>",
            "test",
            Instant.parse("2026-01-01T00:00:00Z"),
            1,
            configuration,
            new RunInfo.Client("21", "vm", "os", null, 2, 1L << 33, 1L << 30));
    String page = HtmlReport.render(aggregator.summarize(run, null));

    assertThat(page).doesNotContain("<script>alert(1)", "<b>model</b>", "run-<1>");
    // Two scripts: the data block and the drawing code, each ended once.
    assertThat(page.split("</script>", -1)).hasSize(3);
    assertThat(page)
        .contains("bad &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- &amp;")
        .contains("&lt;/script&gt;&lt;b&gt;model&lt;/b&gt;")
        .contains("8.0 GiB");
    assertThat(data(page).path("charts").has("hist-ttft")).isTrue();

    String json = MAPPER.writeValueAsString(Map.of("message", hostile));
    String safe = HtmlReport.scriptSafe(json);
    assertThat(safe).doesNotContain("<", ">", "&", "\u2028");
    assertThat(MAPPER.readTree(safe).path("message").asText()).isEqualTo(hostile);
  }

  @Test
  void aRunThatDidNotStreamSaysWhyItHasNoTokenCharts() throws Exception {
    Aggregator aggregator = new Aggregator();
    aggregator.add(Records.complete(0, 0, 80, 10, 4));
    String page = HtmlReport.render(aggregator.summarize(Records.run(1), null));
    JsonNode charts = data(page).path("charts");
    assertThat(charts.has("hist-e2e")).isTrue();
    assertThat(charts.has("hist-ttft")).isFalse();
    assertThat(charts.has("ts-ttft")).isFalse();
    assertThat(page).contains("TTFT needs streaming").contains("TTFT by second sent: no samples.");
    // Every chart named in the page has its data.
    java.util.regex.Matcher canvas =
        java.util.regex.Pattern.compile("<canvas data-chart=\"([^\"]+)\"").matcher(page);
    int canvases = 0;
    while (canvas.find()) {
      assertThat(charts.has(canvas.group(1))).as(canvas.group(1)).isTrue();
      canvases++;
    }
    assertThat(canvases).isEqualTo(charts.size());
  }

  /** The page's summary table alone. */
  private static String summaryTable(String page) {
    int start = page.indexOf("<table class=\"summary\">");
    return page.substring(start, page.indexOf("</table>", start));
  }

  @Test
  void theSummaryTableShowsTheLatencyBlocksTheRunChose() {
    Aggregator aggregator = new Aggregator();
    Random random = new Random(5);
    for (int i = 0; i < 20; i++) {
      aggregator.add(streamed(i, i * 10 * MS, random));
    }
    RunInfo run =
        new RunInfo(
            "chosen",
            "test",
            Instant.parse("2026-01-01T00:00:00Z"),
            100,
            Map.of("percentile_metrics", java.util.List.of("ttft", "e2el")));
    Summary summary = aggregator.summarize(run, null);

    String chosen = summaryTable(HtmlReport.render(summary));
    assertThat(chosen).contains("Time to First Token", "End-to-end Latency");
    assertThat(chosen).doesNotContain("Inter-token Latency", "Time per Output Token");

    String given =
        summaryTable(HtmlReport.render(summary, java.util.List.of(PercentileMetric.ITL)));
    assertThat(given).contains("Inter-token Latency");
    assertThat(given).doesNotContain("Time to First Token", "End-to-end Latency");
  }
}
