package dev.servebench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The comparison as one self-contained page ({@code servebench compare --html FILE}): the table of
 * {@link Comparison}, then each latency's CDF and each time series with one line per run, drawn by
 * the HTML report's script. Every line is made from a run's summary JSON alone: a CDF from its
 * {@code hdr_histogram_ns}, a time series from its {@code time_series}, so that the page shows what
 * each run's own report showed.
 *
 * <p>A run's line has its own x values (the runs' latencies and durations differ); a CDF has at
 * most {@link HtmlReport#MAX_CDF_POINTS} points and a time series at most {@link
 * HtmlReport#MAX_SERIES_POINTS} per run, a long run merging neighbouring seconds as the HTML report
 * merges them.
 */
public final class ComparisonHtml {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The CDFs drawn: the summary JSON's key under {@code latency_ms} and the console's name. */
  private static final String[][] DISTRIBUTIONS = {
    {"ttft", "TTFT", "Time to First Token"},
    {"tpot", "TPOT", "Time per Output Token (excl. 1st token)"},
    {"itl", "ITL", "Inter-token Latency"},
    {"e2e", "E2EL", "End-to-end Latency"},
  };

  /**
   * One time-series chart: the {@code time_series} key it draws, and whether a merged point is the
   * highest of its seconds (in flight, p99s) rather than their mean.
   */
  private record Line(String id, String title, String yLabel, String key, boolean highest) {}

  private static final List<Line> LINES =
      List.of(
          new Line("ts-finished", "Requests succeeded per second", "requests/s", "finished", false),
          new Line("ts-tokens", "Output tokens per second", "tokens/s", "output_tokens", false),
          new Line(
              "ts-in-flight",
              "Requests in flight (end of each second)",
              "requests",
              "in_flight",
              true),
          new Line("ts-ttft-p50", "TTFT p50 by second sent", "ms", "ttft_p50_ms", false),
          new Line("ts-ttft-p99", "TTFT p99 by second sent", "ms", "ttft_p99_ms", true),
          new Line("ts-itl-p50", "ITL p50 by second of arrival", "ms", "itl_p50_ms", false),
          new Line("ts-failures", "Failures per second", "failures/s", "failed", false));

  private ComparisonHtml() {}

  /** Writes the page to {@code path}, atomically. */
  public static void write(Comparison comparison, Path path) throws IOException {
    String page = render(comparison);
    SummaryJson.writeAtomically(path, out -> out.write(page.getBytes(StandardCharsets.UTF_8)));
  }

  static String render(Comparison comparison) {
    List<Comparison.Run> runs = comparison.runs();
    ObjectNode charts = MAPPER.createObjectNode();
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>servebench comparison: ")
        .append(
            HtmlReport.escape(String.join(", ", runs.stream().map(Comparison.Run::name).toList())))
        .append("</title>\n<style>\n")
        .append(HtmlReport.resource("report.css"))
        .append("</style>\n</head>\n<body>\n<header>\n<h1>servebench comparison</h1>\n")
        .append("<p class=\"meta\">")
        .append(runs.size())
        .append(" runs; changes are from the first, ")
        .append(HtmlReport.escape(runs.get(0).name()))
        .append(".</p>\n</header>\n<main>\n");
    table(comparison, html);
    html.append("<h2 id=\"distributions\">Latency distributions</h2>\n")
        .append("<p class=\"chart-note\">The share of each run's samples at or below each")
        .append(" latency, over every sample.</p>\n<div class=\"charts\">\n");
    for (String[] distribution : DISTRIBUTIONS) {
      cdf(runs, distribution, html, charts);
    }
    html.append("</div>\n<h2 id=\"time\">Over time</h2>\n<div class=\"charts\">\n");
    for (Line line : LINES) {
      timeChart(runs, line, html, charts);
    }
    html.append("</div>\n<pre id=\"errors\" class=\"messages\" hidden></pre>\n</main>\n")
        .append("<footer>Every figure is defined in servebench's docs/metrics.md.</footer>\n");
    ObjectNode data = MAPPER.createObjectNode();
    data.set("charts", charts);
    html.append("<script type=\"application/json\" id=\"report-data\">")
        .append(HtmlReport.scriptSafe(data.toString()))
        .append("</script>\n<script>\n")
        .append(HtmlReport.resource("report.js"))
        .append("</script>\n</body>\n</html>\n");
    return html.toString();
  }

  /** The console's table: a column per run, the settings, then the figures, the best marked. */
  private static void table(Comparison comparison, StringBuilder html) {
    html.append("<h2 id=\"summary\">Summary</h2>\n<table class=\"comparison\">\n<tr><th></th>");
    for (Comparison.Run run : comparison.runs()) {
      html.append("<th>").append(HtmlReport.escape(run.name())).append("</th>");
    }
    html.append("</tr>\n");
    for (String[] row : comparison.settingsRows()) {
      html.append("<tr class=\"setting\"><td>").append(HtmlReport.escape(row[0])).append("</td>");
      for (int i = 1; i < row.length; i++) {
        html.append("<td>").append(HtmlReport.escape(row[i])).append("</td>");
      }
      html.append("</tr>\n");
    }
    for (Comparison.FigureRow row : comparison.figureRows()) {
      html.append("<tr><td>").append(HtmlReport.escape(row.figure().name())).append("</td>");
      for (int i = 0; i < row.cells().size(); i++) {
        html.append(i == row.best() ? "<td class=\"num best\">" : "<td class=\"num\">")
            .append(HtmlReport.escape(row.cells().get(i)))
            .append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append(
            "</table>\n<p class=\"chart-note\">Changes are from the first run; * marks the best")
        .append(" run of a figure that has a better direction.</p>\n");
  }

  /** One latency's CDF, a line per run; a run without samples of it has an empty line. */
  private static void cdf(
      List<Comparison.Run> runs, String[] distribution, StringBuilder html, ObjectNode charts) {
    String id = "cdf-" + distribution[0];
    ObjectNode chart =
        HtmlReport.chart("lines", distribution[1] + " (ms)", "share of samples at or below");
    ArrayNode series = (ArrayNode) chart.get("series");
    List<String> damaged = new java.util.ArrayList<>();
    for (Comparison.Run run : runs) {
      JsonNode latency = run.summary().path("latency_ms").path(distribution[0]);
      ArrayNode x = MAPPER.createArrayNode();
      ArrayNode y = MAPPER.createArrayNode();
      JsonNode encoded = latency.path("hdr_histogram_ns");
      String label = run.name() + " (no samples)";
      if (encoded.isTextual() && latency.path("count").asLong() > 0) {
        // A damaged summary file draws an empty line with a note, the other runs still compared.
        Histogram histogram = HtmlReport.decodeOrNull(encoded.asText());
        if (histogram == null) {
          damaged.add(run.name());
          label = run.name() + " (histogram damaged)";
        } else {
          // The summary's exact minimum and maximum bound the line, as in the run's own report.
          double minNanos = nanos(latency.path("min"), histogram.getMinValue());
          double maxNanos = nanos(latency.path("max"), histogram.getMaxValue());
          HtmlReport.cdfPoints(histogram, minNanos, maxNanos, x, y);
        }
      }
      ObjectNode line = series.addObject();
      line.put("label", x.isEmpty() ? label : run.name());
      line.set("x", x);
      line.set("y", y);
    }
    charts.set(id, chart);
    HtmlReport.figure(
        html,
        id,
        distribution[2] + " (" + distribution[1] + ") CDF",
        damaged.isEmpty()
            ? null
            : "The latency_ms."
                + distribution[0]
                + ".hdr_histogram_ns of "
                + String.join(", ", damaged)
                + " cannot be decoded (the summary file is damaged): its line is empty.");
  }

  private static double nanos(JsonNode millis, long fallbackNanos) {
    return millis.isNumber() ? millis.doubleValue() * 1e6 : fallbackNanos;
  }

  /**
   * One time series, a line per run over the seconds since its own start; a run longer than {@link
   * HtmlReport#MAX_SERIES_POINTS} seconds has each point stand for several seconds.
   */
  private static void timeChart(
      List<Comparison.Run> runs, Line line, StringBuilder html, ObjectNode charts) {
    ObjectNode chart =
        HtmlReport.chart("lines", "seconds since the start of the run", line.yLabel());
    ArrayNode series = (ArrayNode) chart.get("series");
    for (Comparison.Run run : runs) {
      JsonNode seconds = run.summary().path("time_series");
      int size = seconds.size();
      int secondsPerPoint =
          Math.max(1, (size + HtmlReport.MAX_SERIES_POINTS - 1) / HtmlReport.MAX_SERIES_POINTS);
      ArrayNode x = MAPPER.createArrayNode();
      ArrayNode y = MAPPER.createArrayNode();
      for (int start = 0; start < size; start += secondsPerPoint) {
        x.add(seconds.get(start).path("second").asDouble());
        double merged = merge(seconds, start, secondsPerPoint, line);
        if (Double.isFinite(merged)) {
          y.add(merged);
        } else {
          y.addNull();
        }
      }
      ObjectNode drawn = series.addObject();
      drawn.put("label", run.name());
      drawn.set("x", x);
      drawn.set("y", y);
    }
    charts.set(line.id(), chart);
    HtmlReport.figure(html, line.id(), line.title(), null);
  }

  /** The mean (or the highest) of the numbers of {@code count} seconds from {@code start}. */
  private static double merge(JsonNode seconds, int start, int count, Line line) {
    double sum = 0;
    double highest = Double.NEGATIVE_INFINITY;
    int values = 0;
    for (int i = start; i < Math.min(seconds.size(), start + count); i++) {
      JsonNode value = seconds.get(i).path(line.key());
      if (value.isNumber()) {
        sum += value.doubleValue();
        highest = Math.max(highest, value.doubleValue());
        values++;
      }
    }
    if (values == 0) {
      return Double.NaN;
    }
    return line.highest() ? highest : sum / values;
  }
}
