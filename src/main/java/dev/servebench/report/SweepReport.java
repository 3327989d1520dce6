package dev.servebench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.Summary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What a sweep measured, step by step, and how it ended: the console table, {@code sweep.json} and
 * the figures of {@code sweep.html} come from here (docs/metrics.md, Sweep). Each step is a whole
 * run whose own summary, records and report lie in its directory.
 *
 * @param mode the profile ({@code synchronous}, {@code throughput}, {@code sweep}, {@code rates},
 *     {@code concurrencies}) or {@code slo-search}
 * @param stoppedEarly the step that saturated the server and ended the sweep, or {@code null}
 * @param search the SLO search's result, or {@code null} for a sweep
 * @param settings the sweep's own settings, by flag name
 */
public record SweepReport(
    String sweepId,
    Instant startedAt,
    String mode,
    List<Step> steps,
    Stop stoppedEarly,
    Search search,
    Map<String, Object> settings) {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * What a step offered.
   *
   * @param kind {@code synchronous}, {@code throughput}, {@code rate} or {@code concurrency}
   * @param label as the table shows it
   * @param targetRatePerSecond the open-loop rate, infinite for a closed loop or all at once
   * @param concurrency the closed loop's requests in flight, 0 for an open loop
   */
  public record Offered(String kind, String label, double targetRatePerSecond, int concurrency) {}

  /** A step that saturated the server: which test said so ({@code rate}, ...), and its figures. */
  public record Saturated(String reason, String detail) {}

  /**
   * One step: one run.
   *
   * @param directory the step's directory, relative to the sweep's
   * @param completionRatePerSecond (successes - 1) / (last success's end - first success's end)
   * @param saturated why the step counts as saturated, or {@code null}
   */
  public record Step(
      int number,
      Offered offered,
      String directory,
      Summary summary,
      double completionRatePerSecond,
      Saturated saturated) {}

  /** The sweep ended at step {@code step}, saturated for {@code reason}, before its last step. */
  public record Stop(int step, String reason, String detail, int stepsLeft) {}

  /**
   * The SLO search's result (docs/metrics.md, SLO search).
   *
   * @param variable {@code rate} (requests per second) or {@code concurrency}
   * @param outcome {@code found}, {@code none_passed}, {@code no_upper_bound} or {@code stopped}
   * @param passed the largest load that met the target, NaN when none did
   * @param failed the least load above it that did not, NaN when none did
   * @param resolution bisection stopped once {@code failed <= passed * (1 + resolution)}
   */
  public record Search(
      double targetShare,
      Map<String, Double> sloMillis,
      String variable,
      double resolution,
      String outcome,
      double passed,
      double failed,
      List<Probe> probes) {}

  /**
   * One measurement of the search: the run of step {@code step}.
   *
   * @param judgement {@code near} (measured again), {@code pass} or {@code fail}
   */
  public record Probe(
      int number,
      int step,
      double load,
      int attempt,
      double share,
      long requests,
      String judgement) {}

  /** The table's columns: what each step offered and what it achieved. */
  private static final String[] HEADINGS = {
    "step",
    "offered",
    "sent/s",
    "req/s",
    "out tok/s",
    "TTFT p50",
    "TTFT p99",
    "TPOT p50",
    "TPOT p99",
    "ITL p50",
    "ITL p99",
    "E2E p50",
    "E2E p99",
    "goodput",
    "failed",
    "note"
  };

  /**
   * Prints the sweep's table: a row per step (rates in requests per second, latencies in ms,
   * goodput as the share of requests meeting every objective), then how the sweep ended.
   */
  public void printTable(PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADINGS);
    for (Step step : steps) {
      Summary s = step.summary();
      Summary.Latencies l = s.latencies();
      rows.add(
          new String[] {
            String.valueOf(step.number()),
            step.offered().label(),
            ConsoleReport.number(s.throughput().achievedSendRatePerSecond()),
            ConsoleReport.number(s.throughput().requestThroughputPerSecond()),
            ConsoleReport.number(s.throughput().outputTokensPerSecond()),
            ConsoleReport.millis(l.ttft().p50Nanos()),
            ConsoleReport.millis(l.ttft().p99Nanos()),
            ConsoleReport.millis(l.tpot().p50Nanos()),
            ConsoleReport.millis(l.tpot().p99Nanos()),
            ConsoleReport.millis(l.itl().p50Nanos()),
            ConsoleReport.millis(l.itl().p99Nanos()),
            ConsoleReport.millis(l.e2e().p50Nanos()),
            ConsoleReport.millis(l.e2e().p99Nanos()),
            s.goodput().sloMillis().isEmpty()
                ? "-"
                : String.format(Locale.ROOT, "%.1f%%", 100 * s.goodput().fraction()),
            s.counts().failed() + "/" + s.counts().requests(),
            note(step)
          });
    }
    int[] widths = new int[HEADINGS.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    out.println();
    out.println(
        search == null
            ? "Sweep " + sweepId + " (" + mode + "); rates in req/s, latencies in ms"
            : "SLO search " + sweepId + "; rates in req/s, latencies in ms");
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        boolean text = i == 1 || i == row.length - 1;
        String cell = row[i];
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(i == 0 ? "" : "  ").append(text ? cell + pad : pad + cell);
      }
      out.println(line.toString().stripTrailing());
    }
    if (stoppedEarly != null) {
      out.printf(
          Locale.ROOT,
          "Stopped after step %d, %d step%s early: the server was saturated (%s).%n",
          stoppedEarly.step(),
          stoppedEarly.stepsLeft(),
          stoppedEarly.stepsLeft() == 1 ? "" : "s",
          stoppedEarly.detail());
    }
    if (search != null) {
      out.println(searchLine());
    }
    out.flush();
  }

  /** The search's answer in one sentence. */
  public String searchLine() {
    String unit = search.variable().equals("rate") ? " req/s" : "";
    String objectives =
        String.format(
            Locale.ROOT,
            "%s of requests meeting %s",
            percent(search.targetShare()),
            objectives(search.sloMillis()));
    return switch (search.outcome()) {
      case "found" ->
          String.format(
              Locale.ROOT,
              "SLO search: the largest %s with %s is %s%s (%s%s failed; resolution %s).",
              search.variable(),
              objectives,
              load(search.passed()),
              unit,
              load(search.failed()),
              unit,
              percent(search.resolution()));
      case "none_passed" ->
          String.format(
              Locale.ROOT,
              "SLO search: no %s met %s; the least tried, %s%s, failed.",
              search.variable(),
              objectives,
              load(search.failed()),
              unit);
      case "no_upper_bound" ->
          String.format(
              Locale.ROOT,
              "SLO search: every %s tried met %s, up to %s%s; none failed.",
              search.variable(),
              objectives,
              load(search.passed()),
              unit);
      default ->
          String.format(
              Locale.ROOT,
              "SLO search: stopped before it finished; the largest %s that passed so far: %s%s.",
              search.variable(),
              Double.isNaN(search.passed()) ? "none" : load(search.passed()),
              Double.isNaN(search.passed()) ? "" : unit);
    };
  }

  private String note(Step step) {
    if (search != null) {
      for (Probe probe : search.probes()) {
        if (probe.step() == step.number()) {
          return switch (probe.judgement()) {
            case "near" -> "near the target: measured again";
            case "pass" -> "pass";
            default -> "fail";
          };
        }
      }
    }
    return step.saturated() == null ? "" : "saturated: " + step.saturated().reason();
  }

  private static String objectives(Map<String, Double> sloMillis) {
    List<String> parts = new ArrayList<>();
    sloMillis.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> parts.add(e.getKey() + " <= " + load(e.getValue()) + " ms"));
    return String.join(", ", parts);
  }

  private static String percent(double share) {
    return load(100 * share) + " %";
  }

  /** A load or limit: up to three decimals, no trailing zeros. */
  static String load(double value) {
    if (!Double.isFinite(value)) {
      return "n/a";
    }
    String text = String.format(Locale.ROOT, "%.3f", value).replaceAll("0+$", "");
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * The steps on the Pareto front of throughput against a latency: those no other step beats on
   * both (at least as much throughput and at most as much latency, better on one). Steps whose
   * figures are not numbers are never on it. Indices into {@code steps}, by rising throughput.
   */
  public static List<Integer> paretoFront(double[] throughput, double[] latency) {
    List<Integer> front = new ArrayList<>();
    for (int i = 0; i < throughput.length; i++) {
      if (!Double.isFinite(throughput[i]) || !Double.isFinite(latency[i])) {
        continue;
      }
      boolean dominated = false;
      for (int j = 0; j < throughput.length && !dominated; j++) {
        dominated =
            j != i
                && Double.isFinite(throughput[j])
                && Double.isFinite(latency[j])
                && throughput[j] >= throughput[i]
                && latency[j] <= latency[i]
                && (throughput[j] > throughput[i] || latency[j] < latency[i]);
      }
      if (!dominated) {
        front.add(i);
      }
    }
    front.sort((a, b) -> Double.compare(throughput[a], throughput[b]));
    return front;
  }

  /** The latencies whose fronts sweep.json and sweep.html give, by their JSON names. */
  static final Map<String, ToDoubleFunction<Summary>> FRONT_LATENCIES =
      new java.util.LinkedHashMap<>();

  static {
    FRONT_LATENCIES.put("ttft_p99", s -> s.latencies().ttft().p99Nanos());
    FRONT_LATENCIES.put("tpot_p99", s -> s.latencies().tpot().p99Nanos());
    FRONT_LATENCIES.put("e2el_p99", s -> s.latencies().e2e().p99Nanos());
  }

  /** The steps' request throughput. */
  double[] throughputs() {
    return steps.stream()
        .mapToDouble(step -> step.summary().throughput().requestThroughputPerSecond())
        .toArray();
  }

  /** The steps' values of one latency, in nanoseconds. */
  double[] latencies(ToDoubleFunction<Summary> latency) {
    return steps.stream().mapToDouble(step -> latency.applyAsDouble(step.summary())).toArray();
  }

  /** The step with the most request throughput, or {@code null} when none finished a request. */
  public Step mostThroughput() {
    Step best = null;
    for (Step step : steps) {
      double value = step.summary().throughput().requestThroughputPerSecond();
      if (Double.isFinite(value)
          && (best == null || value > best.summary().throughput().requestThroughputPerSecond())) {
        best = step;
      }
    }
    return best;
  }

  /** Writes {@code sweep.json} to {@code path}, atomically. */
  public void writeJson(Path path) throws IOException {
    SummaryJson.writeAtomically(
        path,
        stream -> {
          JsonGenerator json =
              MAPPER
                  .getFactory()
                  .createGenerator(stream)
                  .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
          json.useDefaultPrettyPrinter();
          writeJson(json);
          json.flush();
        });
  }

  private void writeJson(JsonGenerator json) throws IOException {
    json.writeStartObject();
    json.writeStringField("sweep_id", sweepId);
    json.writeStringField("started_at", startedAt.toString());
    json.writeStringField("mode", mode);
    json.writeObjectField("settings", settings);
    json.writeArrayFieldStart("steps");
    for (Step step : steps) {
      Summary s = step.summary();
      json.writeStartObject();
      json.writeNumberField("step", step.number());
      json.writeStringField("kind", step.offered().kind());
      json.writeStringField("label", step.offered().label());
      number(json, "target_rate_per_s", step.offered().targetRatePerSecond());
      json.writeNumberField("concurrency", step.offered().concurrency());
      json.writeStringField("directory", step.directory());
      json.writeStringField("run_id", s.run().runId());
      json.writeNumberField("requests", s.counts().requests());
      json.writeNumberField("failed", s.counts().failed());
      number(json, "achieved_send_rate_per_s", s.throughput().achievedSendRatePerSecond());
      number(json, "completion_rate_per_s", step.completionRatePerSecond());
      number(json, "request_throughput_per_s", s.throughput().requestThroughputPerSecond());
      number(json, "output_tokens_per_s", s.throughput().outputTokensPerSecond());
      number(json, "total_tokens_per_s", s.throughput().totalTokensPerSecond());
      latency(json, "ttft_ms", s.latencies().ttft());
      latency(json, "tpot_ms", s.latencies().tpot());
      latency(json, "itl_ms", s.latencies().itl());
      latency(json, "e2el_ms", s.latencies().e2e());
      latency(json, "queue_inclusive_ttft_ms", s.latencies().queueInclusiveTtft());
      if (s.goodput().sloMillis().isEmpty()) {
        json.writeNullField("goodput_fraction");
      } else {
        number(json, "goodput_fraction", s.goodput().fraction());
      }
      if (step.saturated() == null) {
        json.writeNullField("saturated");
      } else {
        json.writeObjectFieldStart("saturated");
        json.writeStringField("reason", step.saturated().reason());
        json.writeStringField("detail", step.saturated().detail());
        json.writeEndObject();
      }
      json.writeEndObject();
    }
    json.writeEndArray();
    if (stoppedEarly == null) {
      json.writeNullField("stopped_early");
    } else {
      json.writeObjectFieldStart("stopped_early");
      json.writeNumberField("step", stoppedEarly.step());
      json.writeStringField("reason", stoppedEarly.reason());
      json.writeStringField("detail", stoppedEarly.detail());
      json.writeNumberField("steps_left", stoppedEarly.stepsLeft());
      json.writeEndObject();
    }
    Step most = mostThroughput();
    json.writeObjectFieldStart("max_request_throughput");
    if (most != null) {
      json.writeNumberField("step", most.number());
      number(
          json,
          "request_throughput_per_s",
          most.summary().throughput().requestThroughputPerSecond());
    }
    json.writeEndObject();
    json.writeObjectFieldStart("pareto_front");
    double[] throughput = throughputs();
    for (Map.Entry<String, ToDoubleFunction<Summary>> latency : FRONT_LATENCIES.entrySet()) {
      json.writeArrayFieldStart(latency.getKey());
      for (int index : paretoFront(throughput, latencies(latency.getValue()))) {
        json.writeNumber(steps.get(index).number());
      }
      json.writeEndArray();
    }
    json.writeEndObject();
    if (search == null) {
      json.writeNullField("slo_search");
    } else {
      json.writeObjectFieldStart("slo_search");
      json.writeStringField("variable", search.variable());
      number(json, "target_share", search.targetShare());
      json.writeObjectField("slo_ms", search.sloMillis());
      number(json, "resolution", search.resolution());
      json.writeStringField("outcome", search.outcome());
      number(json, "passed", search.passed());
      number(json, "failed", search.failed());
      json.writeArrayFieldStart("probes");
      for (Probe probe : search.probes()) {
        json.writeStartObject();
        json.writeNumberField("probe", probe.number());
        json.writeNumberField("step", probe.step());
        number(json, "load", probe.load());
        json.writeNumberField("attempt", probe.attempt());
        number(json, "share_met", probe.share());
        json.writeNumberField("requests", probe.requests());
        json.writeStringField("judgement", probe.judgement());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    json.writeEndObject();
  }

  private static void latency(JsonGenerator json, String name, Distribution d) throws IOException {
    json.writeObjectFieldStart(name);
    number(json, "mean", d.meanNanos() / 1e6);
    number(json, "p50", d.p50Nanos() / 1e6);
    number(json, "p90", d.p90Nanos() / 1e6);
    number(json, "p99", d.p99Nanos() / 1e6);
    json.writeEndObject();
  }

  private static void number(JsonGenerator json, String name, double value) throws IOException {
    if (Double.isFinite(value)) {
      json.writeNumberField(name, value);
    } else {
      json.writeNullField(name);
    }
  }
}
