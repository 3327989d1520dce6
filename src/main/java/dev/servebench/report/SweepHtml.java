package dev.servebench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The sweep's page, {@code sweep.html}: its table, and for TTFT, TPOT, ITL and E2E a curve of
 * latency against request throughput through the steps (p50 and p99) with the Pareto front of the
 * p99, drawn by the HTML report's own chart script. Self-contained and offline, as the run's report
 * is; each step's own report lies in its directory.
 */
public final class SweepHtml {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The latencies drawn: id, name, and the distribution of a summary. */
  private record Drawn(String id, String name, Function<Summary, Distribution> distribution) {}

  private static final List<Drawn> DRAWN =
      List.of(
          new Drawn("ttft", "TTFT", s -> s.latencies().ttft()),
          new Drawn("tpot", "TPOT", s -> s.latencies().tpot()),
          new Drawn("itl", "ITL", s -> s.latencies().itl()),
          new Drawn("e2el", "E2E latency", s -> s.latencies().e2e()));

  private SweepHtml() {}

  /** Writes the page to {@code path}, atomically. */
  public static void write(SweepReport sweep, Path path) throws IOException {
    String page = render(sweep);
    SummaryJson.writeAtomically(path, out -> out.write(page.getBytes(StandardCharsets.UTF_8)));
  }

  static String render(SweepReport sweep) {
    StringBuilder html = new StringBuilder(32 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>servebench sweep: ")
        .append(HtmlReport.escape(sweep.sweepId()))
        .append("</title>\n<style>\n")
        .append(HtmlReport.resource("report.css"))
        .append("</style>\n</head>\n<body>\n<header>\n<h1>servebench ")
        .append(sweep.search() == null ? "sweep" : "SLO search")
        .append("</h1>\n<p class=\"meta\">")
        .append(HtmlReport.escape(sweep.sweepId()))
        .append(", started ")
        .append(HtmlReport.escape(sweep.startedAt().toString()))
        .append(", ")
        .append(HtmlReport.escape(sweep.mode()))
        .append(", ")
        .append(sweep.steps().size())
        .append(" steps. Each step's own report is in its directory.</p>\n</header>\n<main>\n");
    StringWriter table = new StringWriter();
    sweep.printTable(new PrintWriter(table));
    html.append("<h2 id=\"steps\">Steps</h2>\n<pre class=\"messages\">")
        .append(HtmlReport.escape(table.toString().strip()))
        .append("</pre>\n<h2 id=\"curves\">Latency against throughput</h2>\n")
        .append("<div class=\"charts\">\n");
    ObjectNode charts = MAPPER.createObjectNode();
    for (Drawn drawn : DRAWN) {
      charts.set("curve-" + drawn.id(), curve(sweep, drawn));
      HtmlReport.figure(
          html,
          "curve-" + drawn.id(),
          drawn.name() + " against request throughput",
          "One point per step, by rising throughput; the Pareto front: the steps no other beats"
              + " on both throughput and p99.");
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

  /** p50 and p99 through the steps by rising throughput, and the p99's Pareto front. */
  private static ObjectNode curve(SweepReport sweep, Drawn drawn) {
    double[] throughput = sweep.throughputs();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < throughput.length; i++) {
      if (Double.isFinite(throughput[i])) {
        order.add(i);
      }
    }
    order.sort(Comparator.comparingDouble(i -> throughput[i]));
    ObjectNode chart = MAPPER.createObjectNode();
    chart
        .put("kind", "lines")
        .put("xLabel", "request throughput (req/s)")
        .put("yLabel", drawn.name() + " (ms)");
    chart.putArray("x");
    ArrayNode series = chart.putArray("series");
    double[] p99 = sweep.latencies(s -> drawn.distribution().apply(s).p99Nanos());
    double[] p50 = sweep.latencies(s -> drawn.distribution().apply(s).p50Nanos());
    series.add(series("p50", order, throughput, p50));
    series.add(series("p99", order, throughput, p99));
    series.add(
        series("Pareto front (p99)", SweepReport.paretoFront(throughput, p99), throughput, p99));
    return chart;
  }

  private static ObjectNode series(
      String label, List<Integer> steps, double[] throughput, double[] latencyNanos) {
    ObjectNode series = MAPPER.createObjectNode();
    series.put("label", label).put("points", true);
    ArrayNode x = series.putArray("x");
    ArrayNode y = series.putArray("y");
    for (int i : steps) {
      x.add(throughput[i]);
      if (Double.isFinite(latencyNanos[i])) {
        y.add(latencyNanos[i] / 1e6);
      } else {
        y.addNull();
      }
    }
    return series;
  }
}
