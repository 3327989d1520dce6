package dev.servebench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Several runs side by side, read from their summary JSON: one column per run, one row per figure,
 * each figure's change from the first run (the baseline) in percent, and the best value of a row
 * marked with {@code *} where a direction is better (more throughput, less latency, fewer
 * failures).
 *
 * <p>Every figure is taken from the summary as written, so a comparison shows the numbers each
 * run's own report showed.
 */
public final class Comparison {

  /** Whether a larger or a smaller value of a figure is better, or neither. */
  public enum Better {
    HIGHER,
    LOWER,
    NEITHER
  }

  /**
   * One row of the table.
   *
   * @param name the figure as the console report names it, with its unit
   * @param path where the summary JSON holds it, members joined by '/'
   * @param integer whether it is a count (printed without decimals)
   */
  public record Figure(String name, String path, Better better, boolean integer) {}

  /** One column: a run's name in the table and its summary. */
  public record Run(String name, JsonNode summary) {}

  private static final String[] LATENCIES = {"ttft", "tpot", "itl", "e2e"};
  private static final String[] LATENCY_NAMES = {"TTFT", "TPOT", "ITL", "E2E"};
  private static final String[] STATISTICS = {"mean", "p50", "p90", "p99"};
  private static final String[] STATISTIC_NAMES = {"Mean", "Median", "P90", "P99"};

  /** The figures compared, in the console report's order. */
  public static final List<Figure> FIGURES = figures();

  private static final int NAME_WIDTH = 36;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final List<Run> runs;

  public Comparison(List<Run> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("nothing to compare");
    }
    this.runs = List.copyOf(runs);
  }

  private static List<Figure> figures() {
    List<Figure> figures = new ArrayList<>();
    figures.add(new Figure("Successful requests", "requests/succeeded", Better.HIGHER, true));
    figures.add(new Figure("Failed requests", "requests/failed", Better.LOWER, true));
    figures.add(new Figure("Benchmark duration (s)", "duration_s", Better.NEITHER, false));
    figures.add(new Figure("Total input tokens", "tokens/input_total", Better.NEITHER, true));
    figures.add(new Figure("Total output tokens", "tokens/output_total", Better.NEITHER, true));
    figures.add(
        new Figure(
            "Request throughput (req/s)", "throughput/requests_per_s", Better.HIGHER, false));
    figures.add(
        new Figure(
            "Output token throughput (tok/s)",
            "throughput/output_tokens_per_s",
            Better.HIGHER,
            false));
    figures.add(
        new Figure(
            "Total token throughput (tok/s)",
            "throughput/total_tokens_per_s",
            Better.HIGHER,
            false));
    figures.add(
        new Figure("Request goodput (req/s)", "goodput/requests_per_s", Better.HIGHER, false));
    for (int l = 0; l < LATENCIES.length; l++) {
      for (int s = 0; s < STATISTICS.length; s++) {
        figures.add(
            new Figure(
                STATISTIC_NAMES[s] + " " + LATENCY_NAMES[l] + " (ms)",
                "latency_ms/" + LATENCIES[l] + "/" + STATISTICS[s],
                Better.LOWER,
                false));
      }
    }
    figures.add(
        new Figure("P99 schedule lag (ms)", "latency_ms/schedule_lag/p99", Better.LOWER, false));
    figures.add(
        new Figure("Client CPU (us/chunk)", "client/cpu_us_per_chunk", Better.LOWER, false));
    // The server's own figures, where the runs scraped its metrics (--server-metrics): what the
    // same load did to its queue, its KV cache and its batches.
    String server = "server_metrics/figures/";
    figures.add(
        new Figure(
            "Server running requests, mean", server + "running/mean", Better.NEITHER, false));
    figures.add(
        new Figure("Server waiting requests, max", server + "waiting/max", Better.LOWER, false));
    figures.add(
        new Figure(
            "Server KV-cache use, max (0-1)",
            server + "kv_cache_usage/max",
            Better.NEITHER,
            false));
    figures.add(
        new Figure(
            "Server generation tok/s, mean",
            server + "generation_tokens_per_s/mean",
            Better.HIGHER,
            false));
    figures.add(
        new Figure(
            "Server preemptions/s, mean", server + "preemptions_per_s/mean", Better.LOWER, false));
    return List.copyOf(figures);
  }

  /** A figure's value in a summary, or {@code null} where the summary has none. */
  static Double value(JsonNode summary, String path) {
    JsonNode node = summary;
    for (String member : path.split("/")) {
      node = node.path(member);
    }
    return node.isNumber() ? node.doubleValue() : null;
  }

  /** The runs' settings that tell them apart: label, endpoint, model, load, metadata. */
  private static List<String[]> describedRows(List<Run> runs) {
    String[][] keys = {
      {"Run", null},
      {"Label", "label"},
      {"Endpoint type", "endpoint_type"},
      {"Model", "model_name"},
      {"Dataset", "dataset_format"},
      {"Request rate (req/s)", "request_rate"},
      {"Concurrency", "concurrency"},
      {"Max concurrency", "max_concurrency"},
      {"Streamed", "stream"},
    };
    List<String[]> rows = new ArrayList<>();
    for (String[] key : keys) {
      String[] row = new String[runs.size() + 1];
      row[0] = key[0];
      boolean any = false;
      for (int i = 0; i < runs.size(); i++) {
        JsonNode summary = runs.get(i).summary();
        JsonNode value =
            key[1] == null ? summary.path("run_id") : summary.path("configuration").path(key[1]);
        row[i + 1] = value.isMissingNode() || value.isNull() ? "-" : value.asText();
        any |= !row[i + 1].equals("-") && !row[i + 1].equals("0");
      }
      if (any) {
        rows.add(row);
      }
    }
    for (String metadataKey : metadataKeys(runs)) {
      String[] row = new String[runs.size() + 1];
      row[0] = metadataKey;
      for (int i = 0; i < runs.size(); i++) {
        JsonNode value =
            runs.get(i).summary().path("configuration").path("metadata").path(metadataKey);
        row[i + 1] = value.isMissingNode() || value.isNull() ? "-" : value.asText();
      }
      rows.add(row);
    }
    return rows;
  }

  private static List<String> metadataKeys(List<Run> runs) {
    List<String> keys = new ArrayList<>();
    for (Run run : runs) {
      Iterator<String> names = run.summary().path("configuration").path("metadata").fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (!keys.contains(name)) {
          keys.add(name);
        }
      }
    }
    return keys;
  }

  /**
   * One figure's row as printed: its cells (value, change from the first run, {@code *} on the
   * best) and the index of the best run, or -1.
   */
  record FigureRow(Figure figure, List<String> cells, int best) {}

  /** The runs compared, in column order. */
  List<Run> runs() {
    return runs;
  }

  /** The settings rows: a name, then one value per run ("-" where a run has none). */
  List<String[]> settingsRows() {
    return describedRows(runs);
  }

  /** A row for every figure that any run has, in {@link #FIGURES} order. */
  List<FigureRow> figureRows() {
    List<FigureRow> rows = new ArrayList<>();
    for (Figure figure : FIGURES) {
      Double[] values = values(figure);
      if (allNull(values)) {
        continue;
      }
      int best = best(figure.better(), values);
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < values.length; i++) {
        cells.add(cell(figure, values, i, i == best));
      }
      rows.add(new FigureRow(figure, List.copyOf(cells), best));
    }
    return rows;
  }

  /** Prints the table: the runs' settings, then every figure that any run has. */
  public void print(PrintWriter out) {
    int width = columnWidth();
    out.println(row("", names(), width));
    out.println("-".repeat(NAME_WIDTH + runs.size() * (width + 2)));
    for (String[] described : describedRows(runs)) {
      out.println(row(described[0], List.of(described).subList(1, described.length), width));
    }
    out.println("-".repeat(NAME_WIDTH + runs.size() * (width + 2)));
    for (FigureRow figureRow : figureRows()) {
      out.println(row(figureRow.figure().name(), figureRow.cells(), width));
    }
    out.println();
    out.println(
        "Changes are from the first run; * marks the best run of a figure that has a better"
            + " direction.");
    out.flush();
  }

  /**
   * The comparison as JSON: the runs' names and ids, and per figure its values, the change of each
   * from the first run in percent and the index of the best run ({@code null} where none is).
   */
  public ObjectNode toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode runsNode = root.putArray("runs");
    for (Run run : runs) {
      ObjectNode node = runsNode.addObject();
      node.put("name", run.name());
      node.set("run_id", run.summary().path("run_id"));
      node.set("configuration", run.summary().path("configuration"));
    }
    ArrayNode figuresNode = root.putArray("figures");
    for (Figure figure : FIGURES) {
      Double[] values = values(figure);
      if (allNull(values)) {
        continue;
      }
      ObjectNode node = figuresNode.addObject();
      node.put("name", figure.name());
      node.put("path", figure.path());
      node.put("better", figure.better().name().toLowerCase(Locale.ROOT));
      ArrayNode valueNodes = node.putArray("values");
      ArrayNode changes = node.putArray("change_percent");
      for (Double value : values) {
        if (value == null) {
          valueNodes.addNull();
        } else {
          valueNodes.add(value);
        }
        Double change = changePercent(values[0], value);
        if (change == null) {
          changes.addNull();
        } else {
          changes.add(change);
        }
      }
      int best = best(figure.better(), values);
      if (best < 0) {
        node.putNull("best");
      } else {
        node.put("best", best);
      }
    }
    return root;
  }

  private Double[] values(Figure figure) {
    Double[] values = new Double[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      values[i] = value(runs.get(i).summary(), figure.path());
    }
    return values;
  }

  /**
   * The index of the best value, or -1: when the figure has no better direction, when fewer than
   * two runs have it, or when they all have the same value.
   */
  static int best(Better better, Double[] values) {
    if (better == Better.NEITHER) {
      return -1;
    }
    int best = -1;
    int present = 0;
    boolean allEqual = true;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null || values[i].isNaN()) {
        continue;
      }
      present++;
      if (best >= 0 && values[i].doubleValue() != values[best].doubleValue()) {
        allEqual = false;
      }
      if (best < 0
          || (better == Better.HIGHER ? values[i] > values[best] : values[i] < values[best])) {
        best = i;
      }
    }
    return present < 2 || allEqual ? -1 : best;
  }

  /** The change from {@code baseline} in percent; null when either is missing or it is zero. */
  static Double changePercent(Double baseline, Double value) {
    if (baseline == null || value == null || baseline == 0) {
      return null;
    }
    return (value - baseline) / Math.abs(baseline) * 100;
  }

  private String cell(Figure figure, Double[] values, int i, boolean best) {
    Double value = values[i];
    if (value == null) {
      return "-";
    }
    String text =
        figure.integer()
            ? String.format(Locale.ROOT, "%.0f", value)
            : String.format(Locale.ROOT, "%.2f", value);
    if (i > 0) {
      Double change = changePercent(values[0], value);
      if (change != null) {
        text += String.format(Locale.ROOT, " (%+.1f%%)", change);
      }
    }
    return best ? text + " *" : text;
  }

  private List<String> names() {
    return runs.stream().map(Run::name).toList();
  }

  private int columnWidth() {
    int width = 18;
    for (Run run : runs) {
      width = Math.max(width, run.name().length());
    }
    for (String[] described : describedRows(runs)) {
      for (int i = 1; i < described.length; i++) {
        width = Math.max(width, described[i].length());
      }
    }
    return Math.min(width, 48);
  }

  private static String row(String name, List<String> cells, int width) {
    StringBuilder line =
        new StringBuilder(String.format(Locale.ROOT, "%-" + NAME_WIDTH + "s", name));
    for (String cell : cells) {
      String shown = cell.length() > width ? cell.substring(0, width - 1) + "~" : cell;
      line.append("  ").append(String.format(Locale.ROOT, "%" + width + "s", shown));
    }
    return line.toString().stripTrailing();
  }

  private static boolean allNull(Double[] values) {
    for (Double value : values) {
      if (value != null) {
        return false;
      }
    }
    return true;
  }
}
