package dev.servebench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.ServerFigure;
import dev.servebench.metrics.Summary;
import dev.servebench.record.RunInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The HTML report: one self-contained page (styles, script and data inside it, nothing fetched), so
 * it opens offline and can be mailed or archived with the run. Tables are written here; the charts
 * are drawn by a small script on {@code <canvas>} elements from a JSON data block.
 *
 * <p>The page's size does not grow with the number of requests: each distribution gives at most
 * {@link #MAX_HISTOGRAM_BUCKETS} histogram buckets and {@link #MAX_CDF_POINTS} CDF points, taken
 * from its HdrHistogram, and the time series at most {@link #MAX_SERIES_POINTS} points, merging
 * neighbouring seconds of a long run. Figures carry the names the console gives them.
 */
public final class HtmlReport {

  /** Buckets of a distribution's histogram, at most; fewer for few samples. */
  static final int MAX_HISTOGRAM_BUCKETS = 100;

  /** Points of a distribution's CDF, at most. */
  static final int MAX_CDF_POINTS = 500;

  /** Points of each time series, at most: a longer run merges neighbouring seconds. */
  static final int MAX_SERIES_POINTS = 2000;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final double NANOS_PER_MILLI = 1e6;

  /** The distributions drawn, as the console names them. */
  private record Drawn(String id, String name, String title, Distribution distribution) {}

  private HtmlReport() {}

  /**
   * Writes the page to {@code path}, atomically, its summary table showing the latencies the run
   * chose ({@code --percentile-metrics}, as stored in its configuration).
   */
  public static void write(Summary summary, Path path) throws IOException {
    write(summary, PercentileMetric.stored(summary), path);
  }

  /** Writes the page to {@code path}, atomically, its summary table showing {@code metrics}. */
  public static void write(Summary summary, List<PercentileMetric> metrics, Path path)
      throws IOException {
    String page = render(summary, metrics);
    SummaryJson.writeAtomically(path, out -> out.write(page.getBytes(StandardCharsets.UTF_8)));
  }

  /** The whole page, with the run's own latency blocks in its summary table. */
  static String render(Summary s) {
    return render(s, PercentileMetric.stored(s));
  }

  /** The whole page, the summary table showing {@code metrics} as the console does. */
  static String render(Summary s, List<PercentileMetric> metrics) {
    ObjectNode charts = MAPPER.createObjectNode();
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>servebench report: ")
        .append(escape(ConsoleReport.label(s) != null ? ConsoleReport.label(s) : s.run().runId()))
        .append("</title>\n<style>\n")
        .append(resource("report.css"))
        .append("</style>\n</head>\n<body>\n");
    header(s, html);
    html.append("<main>\n");
    summaryTable(s, metrics, html);
    distributions(s, html, charts);
    overTime(s, html, charts);
    failures(s, html);
    configuration(s, html);
    client(s, html);
    html.append("<pre id=\"errors\" class=\"messages\" hidden></pre>\n</main>\n")
        .append("<footer>Every figure is defined in servebench's docs/metrics.md.</footer>\n");
    ObjectNode data = MAPPER.createObjectNode();
    data.set("charts", charts);
    html.append("<script type=\"application/json\" id=\"report-data\">")
        .append(scriptSafe(data.toString()))
        .append("</script>\n<script>\n")
        .append(resource("report.js"))
        .append("</script>\n</body>\n</html>\n");
    return html.toString();
  }

  private static void header(Summary s, StringBuilder html) {
    html.append("<header>\n<h1>servebench report</h1>\n<p class=\"meta\">Run ")
        .append(escape(s.run().runId()))
        .append(", started ")
        .append(escape(s.run().startedAt().toString()))
        .append(", servebench ")
        .append(escape(s.run().toolVersion()))
        .append(". ")
        .append(
            s.end() == null
                ? "The records file has no closing line: the run did not end normally."
                : s.end().interrupted()
                    ? "The run was interrupted: these figures cover only what it recorded."
                    : SummaryJson.partialMerge(s)
                        ? "A merge of shards not all of them whole (see the warnings): these"
                            + " figures cover only the shards' records that were merged."
                        : "The run completed.")
        .append("</p>\n");
    String label = ConsoleReport.label(s);
    Map<String, String> metadata = ConsoleReport.metadata(s);
    if (label != null || !metadata.isEmpty()) {
      html.append("<dl class=\"identity\">");
      if (label != null) {
        html.append("<dt>Label</dt><dd class=\"label\">").append(escape(label)).append("</dd>");
      }
      for (Map.Entry<String, String> entry : metadata.entrySet()) {
        html.append("<dt>")
            .append(escape(entry.getKey()))
            .append("</dt><dd>")
            .append(escape(entry.getValue()))
            .append("</dd>");
      }
      html.append("</dl>\n");
    }
    if (!s.warnings().isEmpty()) {
      html.append("<ul class=\"warnings\">\n");
      for (String warning : s.warnings()) {
        html.append("<li>").append(escape(warning)).append("</li>\n");
      }
      html.append("</ul>\n");
    }
    html.append("</header>\n");
  }

  /** The console's tables, row for row, with the latency blocks of {@code metrics}. */
  private static void summaryTable(Summary s, List<PercentileMetric> metrics, StringBuilder html) {
    html.append("<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n");
    ConsoleReport.tables(
        s,
        metrics,
        new ConsoleReport.Table() {
          @Override
          public void title(String title) {
            html.append("<tr class=\"title\"><th colspan=\"2\">")
                .append(escape(title.strip()))
                .append("</th></tr>\n");
          }

          @Override
          public void section(String title) {
            html.append("<tr class=\"section\"><th colspan=\"2\">")
                .append(escape(title.strip()))
                .append("</th></tr>\n");
          }

          @Override
          public void row(String label, String value) {
            html.append("<tr><td>")
                .append(escape(label))
                .append("</td><td class=\"num\">")
                .append(escape(value))
                .append("</td></tr>\n");
          }

          @Override
          public void note(String text) {
            html.append("<tr><td class=\"note\" colspan=\"2\">")
                .append(escape(text))
                .append("</td></tr>\n");
          }

          @Override
          public void rule() {}
        });
    html.append("</table>\n");
  }

  private static List<Drawn> drawn(Summary s) {
    Summary.Latencies l = s.latencies();
    return List.of(
        new Drawn("ttft", "TTFT", "Time to First Token", l.ttft()),
        new Drawn("tpot", "TPOT", "Time per Output Token (excl. 1st token)", l.tpot()),
        new Drawn("itl", "ITL", "Inter-token Latency", l.itl()),
        new Drawn("e2e", "E2EL", "End-to-end Latency", l.e2e()));
  }

  private static void distributions(Summary s, StringBuilder html, ObjectNode charts) {
    html.append("<h2 id=\"distributions\">Latency distributions</h2>\n")
        .append("<p class=\"chart-note\">Histograms cover the minimum to p99.9 (the samples")
        .append(" above are counted under each); the CDFs cover every sample. Dashed lines mark")
        .append(" p50, p90, p99 and p99.9.</p>\n");
    for (Drawn drawn : drawn(s)) {
      Distribution d = drawn.distribution();
      html.append("<h3>").append(escape(drawn.title())).append("</h3>\n");
      if (d.isEmpty() || d.encodedHistogram() == null) {
        html.append("<p class=\"chart-note\">No samples")
            .append(
                s.counts().streamedRequests() == 0 && !drawn.id().equals("e2e")
                    ? ": " + drawn.name() + " needs streaming (--stream or --track-token-latency)."
                    : ".")
            .append("</p>\n");
        continue;
      }
      percentileTable(drawn.name(), d, html);
      Histogram histogram = decode(d.encodedHistogram());
      ObjectNode bars = histogramChart(drawn.name(), d, histogram);
      ObjectNode cdf = cdfChart(drawn.name(), d, histogram);
      charts.set("hist-" + drawn.id(), bars);
      charts.set("cdf-" + drawn.id(), cdf);
      html.append("<div class=\"charts\">\n");
      figure(html, "hist-" + drawn.id(), drawn.name() + " histogram", bars.path("note").asText());
      figure(html, "cdf-" + drawn.id(), drawn.name() + " CDF", null);
      html.append("</div>\n");
    }
  }

  private static void percentileTable(String name, Distribution d, StringBuilder html) {
    html.append("<table><tr><th>")
        .append(escape(name))
        .append(" (ms)</th><th>count</th><th>mean</th><th>std</th><th>min</th><th>p50</th>")
        .append(
            "<th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n<tr><td></td>")
        .append("<td class=\"num\">")
        .append(d.count())
        .append("</td>");
    for (double nanos :
        new double[] {
          d.meanNanos(),
          d.stddevNanos(),
          d.minNanos(),
          d.p50Nanos(),
          d.p90Nanos(),
          d.p95Nanos(),
          d.p99Nanos(),
          d.p999Nanos(),
          d.maxNanos()
        }) {
      html.append("<td class=\"num\">").append(ConsoleReport.millis(nanos)).append("</td>");
    }
    html.append("</tr></table>\n");
  }

  static void figure(StringBuilder html, String id, String caption, String note) {
    html.append("<figure class=\"chart\"><figcaption>")
        .append(escape(caption))
        .append("</figcaption><canvas data-chart=\"")
        .append(escape(id))
        .append("\" data-points=\"0\"></canvas>");
    if (note != null && !note.isEmpty()) {
      html.append("<p class=\"chart-note\">").append(escape(note)).append("</p>");
    }
    html.append("</figure>\n");
  }

  /** A histogram this run encoded itself: one that does not decode is a bug. */
  static Histogram decode(String encoded) {
    Histogram histogram = decodeOrNull(encoded);
    if (histogram == null) {
      throw new IllegalStateException("a distribution's histogram cannot be decoded");
    }
    return histogram;
  }

  /**
   * A histogram read from a file ({@code hdr_histogram_ns}), or {@code null} where it does not
   * decode: a damaged file is the user's input, which the caller reports, not a bug.
   */
  static Histogram decodeOrNull(String encoded) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
    } catch (java.util.zip.DataFormatException | RuntimeException damaged) {
      // HdrHistogram reports garbage with assorted runtime exceptions (buffer underflow, bad
      // cookie, out-of-range counts), not one type.
      return null;
    }
  }

  /**
   * Equal-width buckets from the minimum to p99.9; the samples above are counted, not drawn, so one
   * stall does not squeeze the rest into a single bar. Bucket count grows with the square root of
   * the samples, from 10 to {@link #MAX_HISTOGRAM_BUCKETS}.
   */
  static ObjectNode histogramChart(String name, Distribution d, Histogram histogram) {
    int buckets =
        (int) Math.max(10, Math.min(MAX_HISTOGRAM_BUCKETS, Math.round(Math.sqrt(d.count()))));
    double fromNanos = d.minNanos();
    double toNanos = Math.max(d.p999Nanos(), fromNanos + 1);
    double widthNanos = (toNanos - fromNanos) / buckets;
    long[] counts = new long[buckets];
    long above = 0;
    for (HistogramIterationValue value : histogram.recordedValues()) {
      double nanos = histogram.medianEquivalentValue(value.getValueIteratedTo());
      long count = value.getCountAddedInThisIterationStep();
      if (nanos > toNanos
          && histogram.lowestEquivalentValue(value.getValueIteratedTo()) > toNanos) {
        above += count;
      } else {
        int bucket = (int) Math.floor((nanos - fromNanos) / widthNanos);
        counts[Math.max(0, Math.min(buckets - 1, bucket))] += count;
      }
    }
    ObjectNode chart = chart("bars", name + " (ms)", "samples");
    ArrayNode x = chart.putArray("x");
    ArrayNode y = MAPPER.createArrayNode();
    for (int i = 0; i < buckets; i++) {
      x.add((fromNanos + i * widthNanos) / NANOS_PER_MILLI);
      y.add(counts[i]);
    }
    chart.put("barWidth", widthNanos / NANOS_PER_MILLI);
    series(chart, "samples per bucket", y);
    markers(chart, d);
    if (above > 0) {
      chart.put(
          "note",
          String.format(
              Locale.ROOT,
              "%d samples above p99.9 (%s ms, up to the maximum of %s ms) are not drawn.",
              above,
              ConsoleReport.millis(toNanos),
              ConsoleReport.millis(d.maxNanos())));
    }
    return chart;
  }

  /**
   * The share of samples at or below each value, one point per distinct HdrHistogram value, thinned
   * evenly to at most {@link #MAX_CDF_POINTS} (the first and last kept).
   */
  static ObjectNode cdfChart(String name, Distribution d, Histogram histogram) {
    ObjectNode chart = chart("lines", name + " (ms)", "share of samples at or below");
    ArrayNode x = chart.putArray("x");
    ArrayNode y = MAPPER.createArrayNode();
    cdfPoints(histogram, d.minNanos(), d.maxNanos(), x, y);
    series(chart, "CDF", y);
    markers(chart, d);
    return chart;
  }

  /**
   * Adds a distribution's CDF to {@code xMillis} and {@code share}: from its minimum at 0, each
   * distinct HdrHistogram value (its bucket's highest equivalent value, clamped into [min, max]) at
   * the share of samples at or below it, thinned evenly to at most {@link #MAX_CDF_POINTS} (the
   * first and last kept).
   */
  static void cdfPoints(
      Histogram histogram, double minNanos, double maxNanos, ArrayNode xMillis, ArrayNode share) {
    List<double[]> points = new ArrayList<>();
    points.add(new double[] {minNanos, 0});
    long total = histogram.getTotalCount();
    long cumulative = 0;
    for (HistogramIterationValue value : histogram.recordedValues()) {
      cumulative += value.getCountAddedInThisIterationStep();
      double nanos =
          Math.max(
              minNanos,
              Math.min(maxNanos, histogram.highestEquivalentValue(value.getValueIteratedTo())));
      points.add(new double[] {nanos, cumulative / (double) total});
    }
    int size = points.size();
    int kept = Math.min(size, MAX_CDF_POINTS);
    for (int k = 0; k < kept; k++) {
      // Evenly spaced indexes from the first point to the last.
      int index = kept == 1 ? 0 : (int) Math.round(k * (size - 1) / (double) (kept - 1));
      xMillis.add(points.get(index)[0] / NANOS_PER_MILLI);
      share.add(points.get(index)[1]);
    }
  }

  private static void markers(ObjectNode chart, Distribution d) {
    ArrayNode markers = chart.putArray("markers");
    String[] labels = {"p50", "p90", "p99", "p99.9"};
    double[] values = {d.p50Nanos(), d.p90Nanos(), d.p99Nanos(), d.p999Nanos()};
    for (int i = 0; i < labels.length; i++) {
      if (Double.isFinite(values[i])) {
        markers
            .addObject()
            .put("x", values[i] / NANOS_PER_MILLI)
            .put("label", labels[i] + " " + ConsoleReport.millis(values[i]) + " ms");
      }
    }
  }

  static ObjectNode chart(String kind, String xLabel, String yLabel) {
    ObjectNode chart = MAPPER.createObjectNode();
    chart.put("kind", kind).put("xLabel", xLabel).put("yLabel", yLabel);
    chart.putArray("series");
    return chart;
  }

  static void series(ObjectNode chart, String label, ArrayNode y) {
    ObjectNode series = ((ArrayNode) chart.get("series")).addObject();
    series.put("label", label);
    series.set("y", y);
  }

  /** One time-series line: how a merged point is made from the seconds it stands for. */
  private record Line<T>(
      String label, ToDoubleFunction<T> perSecond, boolean highest, double scale) {}

  /** A time series' seconds and where each stands in the run. */
  private record Seconds<T>(List<T> seconds, ToLongFunction<T> secondOf, int perPoint) {}

  private static void overTime(Summary s, StringBuilder html, ObjectNode charts) {
    html.append("<h2 id=\"time\">Over time</h2>\n");
    List<Summary.Interval> seconds = s.timeSeries();
    if (seconds.isEmpty()) {
      html.append("<p class=\"chart-note\">No request was recorded.</p>\n");
      return;
    }
    int secondsPerPoint = (seconds.size() + MAX_SERIES_POINTS - 1) / MAX_SERIES_POINTS;
    if (secondsPerPoint > 1) {
      html.append("<p class=\"chart-note\">Each point stands for ")
          .append(secondsPerPoint)
          .append(" seconds: counts are their mean per second; in flight and the p99 lines their")
          .append(" highest value; the p50 lines their mean.</p>\n");
    }
    html.append("<div class=\"charts\">\n");
    Seconds<Summary.Interval> client =
        new Seconds<>(seconds, Summary.Interval::second, secondsPerPoint);
    timeChart(
        client,
        charts,
        html,
        "ts-requests",
        "Requests per second",
        "requests/s",
        new Line<Summary.Interval>("sent", Summary.Interval::started, false, 1),
        new Line<Summary.Interval>("succeeded", Summary.Interval::finished, false, 1));
    timeChart(
        client,
        charts,
        html,
        "ts-tokens",
        "Output tokens per second",
        "tokens/s",
        new Line<Summary.Interval>("output tokens", Summary.Interval::outputTokens, false, 1));
    timeChart(
        client,
        charts,
        html,
        "ts-in-flight",
        "Requests in flight (end of each second)",
        "requests",
        new Line<Summary.Interval>("in flight", Summary.Interval::inFlight, true, 1));
    timeChart(
        client,
        charts,
        html,
        "ts-ttft",
        "TTFT by second sent",
        "ms",
        new Line<Summary.Interval>(
            "TTFT p50", i -> i.latencies().ttftP50Nanos(), false, NANOS_PER_MILLI),
        new Line<Summary.Interval>(
            "TTFT p99", i -> i.latencies().ttftP99Nanos(), true, NANOS_PER_MILLI));
    timeChart(
        client,
        charts,
        html,
        "ts-itl",
        "ITL by second of arrival",
        "ms",
        new Line<Summary.Interval>(
            "ITL p50", i -> i.latencies().itlP50Nanos(), false, NANOS_PER_MILLI),
        new Line<Summary.Interval>(
            "ITL p99", i -> i.latencies().itlP99Nanos(), true, NANOS_PER_MILLI));
    timeChart(
        client,
        charts,
        html,
        "ts-lag",
        "Schedule lag by second sent",
        "ms",
        new Line<Summary.Interval>(
            "lag p50", i -> i.latencies().scheduleLagP50Nanos(), false, NANOS_PER_MILLI),
        new Line<Summary.Interval>(
            "lag p99", i -> i.latencies().scheduleLagP99Nanos(), true, NANOS_PER_MILLI));
    timeChart(
        client,
        charts,
        html,
        "ts-failures",
        "Failures per second",
        "failures/s",
        new Line<Summary.Interval>("failed", Summary.Interval::failed, false, 1));
    html.append("</div>\n");
    serverOverTime(s, html, charts);
  }

  /**
   * The server's own figures over the run, under the client's, on the same axis of seconds since
   * the run's start: what the server says it was doing while the client measured.
   */
  private static void serverOverTime(Summary s, StringBuilder html, ObjectNode charts) {
    Summary.ServerMetrics server = s.server();
    if (server == null) {
      return;
    }
    html.append("<h3 id=\"server-time\">The server's own metrics</h3>\n");
    List<Summary.ServerSecond> seconds = server.seconds();
    if (seconds.isEmpty()) {
      html.append("<p class=\"chart-note\">")
          .append(
              escape(
                  server.scrapes() == server.failedScrapes()
                      ? "Every scrape of " + server.url() + " failed: " + server.firstError()
                      : "No series of vLLM, SGLang, TGI or llama.cpp among the server's metrics."))
          .append("</p>\n");
      return;
    }
    int perPoint = (seconds.size() + MAX_SERIES_POINTS - 1) / MAX_SERIES_POINTS;
    Seconds<Summary.ServerSecond> scraped =
        new Seconds<>(seconds, Summary.ServerSecond::second, perPoint);
    html.append("<div class=\"charts\">\n");
    timeChart(
        scraped,
        charts,
        html,
        "ts-server-requests",
        "Server: running and waiting requests",
        "requests",
        serverLine("running", ServerFigure.RUNNING, 1),
        serverLine("waiting", ServerFigure.WAITING, 1));
    timeChart(
        scraped,
        charts,
        html,
        "ts-server-kv-cache",
        "Server: KV-cache use",
        "%",
        serverLine("KV-cache use", ServerFigure.KV_CACHE_USAGE, 0.01));
    timeChart(
        scraped,
        charts,
        html,
        "ts-server-tokens",
        "Server: tokens per second",
        "tokens/s",
        serverLine("generation", ServerFigure.GENERATION_TOKENS_PER_S, 1),
        serverLine("prompt", ServerFigure.PROMPT_TOKENS_PER_S, 1));
    html.append("</div>\n");
  }

  private static Line<Summary.ServerSecond> serverLine(
      String label, ServerFigure figure, double scale) {
    return new Line<>(label, second -> second.value(figure), false, scale);
  }

  /**
   * One chart of the time series, merged to at most {@link #MAX_SERIES_POINTS} points; left out,
   * with a note, when none of its lines has a value (TTFT of a run that did not stream).
   */
  @SafeVarargs
  private static <T> void timeChart(
      Seconds<T> series,
      ObjectNode charts,
      StringBuilder html,
      String id,
      String title,
      String yLabel,
      Line<T>... lines) {
    List<T> seconds = series.seconds();
    int secondsPerPoint = series.perPoint();
    ObjectNode chart = chart("lines", "seconds since the start of the run", yLabel);
    ArrayNode x = chart.putArray("x");
    for (int start = 0; start < seconds.size(); start += secondsPerPoint) {
      x.add(series.secondOf().applyAsLong(seconds.get(start)));
    }
    boolean anyValue = false;
    for (Line<T> line : lines) {
      ArrayNode y = MAPPER.createArrayNode();
      for (int start = 0; start < seconds.size(); start += secondsPerPoint) {
        double merged = merge(seconds, start, secondsPerPoint, line);
        if (Double.isFinite(merged)) {
          y.add(merged / line.scale());
          anyValue = true;
        } else {
          y.addNull();
        }
      }
      series(chart, line.label(), y);
    }
    if (!anyValue) {
      html.append("<p class=\"chart-note\">").append(escape(title)).append(": no samples.</p>\n");
      return;
    }
    charts.set(id, chart);
    figure(html, id, title, null);
  }

  /** The mean (or the highest) of the finite values of {@code count} seconds from {@code start}. */
  private static <T> double merge(List<T> seconds, int start, int count, Line<T> line) {
    double sum = 0;
    double highest = Double.NEGATIVE_INFINITY;
    int values = 0;
    for (int i = start; i < Math.min(seconds.size(), start + count); i++) {
      double value = line.perSecond().applyAsDouble(seconds.get(i));
      if (Double.isFinite(value)) {
        sum += value;
        highest = Math.max(highest, value);
        values++;
      }
    }
    if (values == 0) {
      return Double.NaN;
    }
    return line.highest() ? highest : sum / values;
  }

  private static void failures(Summary s, StringBuilder html) {
    html.append("<h2 id=\"failures\">Failures</h2>\n");
    if (s.counts().failed() == 0) {
      html.append("<p class=\"ok\">No measured request failed.</p>\n");
      return;
    }
    html.append("<p>")
        .append(s.counts().failed())
        .append(" of ")
        .append(s.counts().requests())
        .append(" requests failed (")
        .append(ConsoleReport.number(100.0 * s.counts().failed() / s.counts().requests()))
        .append(" %).</p>\n");
    counts(html, "reason", s.failures().byReason());
    if (!s.failures().byHttpStatus().isEmpty()) {
      counts(html, "HTTP status", s.failures().byHttpStatus());
    }
    html.append("<h3>First errors</h3>\n<pre class=\"messages\">");
    for (String error : s.failures().firstErrors()) {
      html.append(escape(error)).append('\n');
    }
    html.append("</pre>\n");
  }

  private static void counts(StringBuilder html, String key, Map<?, Long> counts) {
    html.append("<table><tr><th>")
        .append(escape(key))
        .append("</th><th>failed requests</th></tr>\n");
    for (Map.Entry<?, Long> entry : counts.entrySet()) {
      html.append("<tr><td>")
          .append(escape(String.valueOf(entry.getKey())))
          .append("</td><td class=\"num\">")
          .append(entry.getValue())
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void configuration(Summary s, StringBuilder html) {
    html.append("<h2 id=\"configuration\">Configuration</h2>\n<table>\n");
    for (Map.Entry<String, Object> setting : s.run().configuration().entrySet()) {
      html.append("<tr><td>")
          .append(escape(setting.getKey()))
          .append("</td><td>")
          .append(escape(settingValue(setting.getValue())))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  /** A setting as JSON would show it (lists and maps too); {@code null} as "not set". */
  private static String settingValue(Object value) {
    if (value == null) {
      return "not set";
    }
    if (value instanceof String text) {
      return text;
    }
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException unrepresentable) {
      return String.valueOf(value);
    }
  }

  private static void client(Summary s, StringBuilder html) {
    html.append("<h2 id=\"client\">Versions and machine</h2>\n<table>\n");
    property(html, "servebench", s.run().toolVersion());
    RunInfo.Client client = s.run().client();
    if (client == null) {
      property(html, "client machine", "not recorded (a records file from an older servebench)");
    } else {
      property(html, "Java", client.javaVersion());
      property(html, "JVM", client.javaVm());
      property(html, "operating system", client.os());
      property(html, "processor", client.cpuModel() == null ? "unknown" : client.cpuModel());
      property(html, "cores available", Integer.toString(client.cores()));
      property(html, "memory", bytes(client.memoryBytes()));
      property(html, "maximum heap", bytes(client.maxHeapBytes()));
    }
    html.append("</table>\n");
  }

  private static void property(StringBuilder html, String name, String value) {
    html.append("<tr><td>")
        .append(escape(name))
        .append("</td><td>")
        .append(escape(value == null ? "unknown" : value))
        .append("</td></tr>\n");
  }

  private static String bytes(long bytes) {
    return bytes < 0
        ? "unknown"
        : String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }

  /** Text for HTML content and attribute values. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * JSON made safe inside a {@code <script>} element: {@code <}, {@code >} and {@code &} become
   * {@code \}u escapes, so no {@code </script>} or {@code <!--} in a failure message can end or
   * bend the block, and U+2028 and U+2029 too, which older JavaScript parsers took for line ends.
   * These characters occur only inside JSON strings, where the escapes mean the same.
   */
  static String scriptSafe(String json) {
    StringBuilder out = new StringBuilder(json.length() + 64);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<' -> out.append("\\u003c");
        case '>' -> out.append("\\u003e");
        case '&' -> out.append("\\u0026");
        case '\u2028' -> out.append("\\u2028");
        case '\u2029' -> out.append("\\u2029");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the HTML report's " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException unreadable) {
      throw new UncheckedIOException(unreadable);
    }
  }
}
