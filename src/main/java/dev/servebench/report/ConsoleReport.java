package dev.servebench.report;

import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.Summary;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The report printed at the end of a run (and by {@code servebench report}): the original script's
 * lines, then a table in the layout of vLLM's "Serving Benchmark Result", then what the client
 * itself saw (its lag and the queue-inclusive latencies), token-count sources and failures.
 * Latencies are in milliseconds; a figure that cannot be computed prints as {@code n/a}.
 */
public final class ConsoleReport {

  private static final int WIDTH = 50;

  private ConsoleReport() {}

  /** The report with the latency blocks of TTFT, TPOT, ITL and E2EL. */
  public static void print(Summary summary, PrintWriter out) {
    print(summary, PercentileMetric.DEFAULT, out);
  }

  /**
   * The report with a latency block for each of {@code metrics}, in their order ({@code
   * --percentile-metrics}), as vLLM prints them.
   */
  public static void print(Summary summary, List<PercentileMetric> metrics, PrintWriter out) {
    printSeedLines(summary, out);
    out.println();
    printServingTable(summary, metrics, out);
    printMoreLatencies(summary, out);
    printSessions(summary, out);
    printClientSection(summary, out);
    printFailures(summary, out);
    printWarnings(summary, out);
    out.flush();
  }

  /**
   * The seed script's lines, character for character ({@code %.3f}, seconds, its lower-case
   * "output"), so that scripts that scrape them keep working; the first- and next-token lines only
   * for streamed runs, as the seed printed them only with {@code --track-token-latency}.
   */
  private static void printSeedLines(Summary s, PrintWriter out) {
    out.printf(Locale.ROOT, "Total time: %s s%n", seed(s.throughput().durationNanos() / 1e9));
    out.printf(
        Locale.ROOT,
        "Prompt Length (Min/Med/Max): %d / %d / %d%n",
        s.tokens().minPromptTokens(),
        s.tokens().medianPromptTokens(),
        s.tokens().maxPromptTokens());
    out.printf(
        Locale.ROOT,
        "Request Throughput (QPS): %s requests/s%n",
        seed(s.throughput().requestThroughputPerSecond()));
    out.printf(
        Locale.ROOT,
        "Input Token Throughput: %s tokens/s%n",
        seed(s.throughput().inputTokensPerSecond()));
    out.printf(
        Locale.ROOT,
        "output Token Throughput: %s tokens/s%n",
        seed(s.throughput().outputTokensPerSecond()));
    out.printf(
        Locale.ROOT,
        "Average latency per Request: %s s%n",
        seed(s.latencies().e2e().meanNanos() / 1e9));
    out.printf(
        Locale.ROOT,
        "Average latency per Token: %s s%n",
        seed(s.latencies().perTokenLatency().meanNanos() / 1e9));
    if (s.counts().streamedRequests() > 0) {
      out.printf(
          Locale.ROOT,
          "Average latency for First Tokens: %s s%n",
          seed(s.latencies().ttft().meanNanos() / 1e9));
      out.printf(
          Locale.ROOT,
          "Average latency for Next Tokens: %s s%n",
          seed(s.latencies().nextTokenLatency().meanNanos() / 1e9));
    }
  }

  /** Python's {@code %.3f}: three decimals, {@code nan} for a figure that cannot be computed. */
  private static String seed(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  private static void printServingTable(
      Summary s, List<PercentileMetric> metrics, PrintWriter out) {
    out.println(centered(" Serving Benchmark Result ", '='));
    row(out, "Successful requests:", Long.toString(s.counts().succeeded()));
    row(out, "Failed requests:", Long.toString(s.counts().failed()));
    if (s.counts().cancelled() > 0) {
      row(out, "Cancelled requests (interrupted):", Long.toString(s.counts().cancelled()));
    }
    if (s.counts().warmupRequests() > 0) {
      row(out, "Warm-up requests (not counted):", Long.toString(s.counts().warmupRequests()));
    }
    row(out, "Benchmark duration (s):", number(s.throughput().durationNanos() / 1e9));
    row(out, "Total input tokens:", Long.toString(s.throughput().inputTokens()));
    row(out, "Total generated tokens:", Long.toString(s.throughput().outputTokens()));
    row(out, "Request throughput (req/s):", number(s.throughput().requestThroughputPerSecond()));
    row(out, "Output token throughput (tok/s):", number(s.throughput().outputTokensPerSecond()));
    row(
        out,
        "Peak output token throughput (tok/s):",
        number(s.throughput().peakOutputTokensPerSecond()));
    row(out, "Peak concurrent requests:", number(s.throughput().peakConcurrentRequests()));
    row(out, "Total Token throughput (tok/s):", number(s.throughput().totalTokensPerSecond()));
    if (!s.goodput().sloMillis().isEmpty()) {
      row(out, "Request goodput (req/s):", number(s.goodput().ratePerSecond()));
      row(out, "Requests meeting every SLO (%):", number(100 * s.goodput().fraction()));
    }
    for (PercentileMetric metric : metrics) {
      latencyBlock(out, metric.title(), metric.label(), metric.of(s));
    }
    out.println("=".repeat(WIDTH));
  }

  private static void latencyBlock(PrintWriter out, String title, String name, Distribution d) {
    out.println(centered(title, '-'));
    row(out, "Mean " + name + " (ms):", millis(d.meanNanos()));
    for (int i = 0; i < d.percentiles().size(); i++) {
      double level = d.percentiles().get(i);
      String label = level == 50 ? "Median " : "P" + level(level) + " ";
      row(out, label + name + " (ms):", millis(d.percentileNanos()[i]));
    }
  }

  /** 99 for 99.0, 99.9 for 99.9. */
  static String level(double level) {
    return level == Math.rint(level) ? Long.toString((long) level) : Double.toString(level);
  }

  private static void printMoreLatencies(Summary s, PrintWriter out) {
    if (s.counts().streamedRequests() == 0) {
      out.println("(TTFT, TPOT and ITL need streaming: add --stream or --track-token-latency)");
      return;
    }
    out.println(centered("More latencies (mean / p50 / p99, ms)", '-'));
    row(out, "Time to second token:", triple(s.latencies().ttst()));
    row(out, "ITL per token (chunk gap / tokens):", triple(s.latencies().itlPerToken()));
    if (s.latencies().ttfc().count() != s.latencies().ttft().count()
        || s.latencies().ttfc().meanNanos() != s.latencies().ttft().meanNanos()) {
      row(out, "Time to first answer token:", triple(s.latencies().ttfc()));
    }
  }

  /** A multi-turn run's sessions, and its first turns beside the later ones that carry history. */
  private static void printSessions(Summary s, PrintWriter out) {
    Summary.Sessions sessions = s.sessions();
    if (sessions == null) {
      return;
    }
    out.println(centered("Multi-turn sessions", '-'));
    row(out, "Sessions:", Long.toString(sessions.sessions()));
    row(out, "Sessions with every turn succeeded:", Long.toString(sessions.completed()));
    row(out, "Turns completed per session (mean):", number(sessions.meanTurnsCompleted()));
    out.println("(mean / p50 / p99, ms)");
    row(out, "Session duration:", triple(sessions.duration()));
    if (s.counts().streamedRequests() > 0) {
      row(out, "TTFT, first turns:", triple(sessions.firstTurnTtft()));
      row(out, "TTFT, later turns:", triple(sessions.laterTurnsTtft()));
    }
    row(out, "E2E, first turns:", triple(sessions.firstTurnE2e()));
    row(out, "E2E, later turns:", triple(sessions.laterTurnsE2e()));
  }

  private static String triple(Distribution d) {
    return millis(d.meanNanos()) + " / " + millis(d.p50Nanos()) + " / " + millis(d.p99Nanos());
  }

  private static void printClientSection(Summary s, PrintWriter out) {
    out.println(centered("Client", '-'));
    row(out, "Configured request rate (req/s):", rate(s.run().configuredRatePerSecond()));
    row(out, "Achieved send rate (req/s):", number(s.throughput().achievedSendRatePerSecond()));
    Distribution lag = s.latencies().scheduleLag();
    row(
        out,
        "Schedule lag p50/p99/max (ms):",
        millis(lag.p50Nanos()) + " / " + millis(lag.p99Nanos()) + " / " + millis(lag.maxNanos()));
    row(
        out,
        "Queue-incl. TTFT p50/p99 (ms):",
        millis(s.latencies().queueInclusiveTtft().p50Nanos())
            + " / "
            + millis(s.latencies().queueInclusiveTtft().p99Nanos()));
    row(
        out,
        "Queue-incl. E2EL p50/p99 (ms):",
        millis(s.latencies().queueInclusiveE2e().p50Nanos())
            + " / "
            + millis(s.latencies().queueInclusiveE2e().p99Nanos()));
    if (s.end() != null) {
      row(out, "Peak requests in flight:", Integer.toString(s.end().peakInFlight()));
      row(
          out,
          "Client CPU (% of " + s.end().availableProcessors() + " cores):",
          number(100 * s.clientCpuShare()));
      row(out, "Client CPU per chunk (us):", number(s.clientCpuNanosPerChunk() / 1e3));
      row(out, "I/O threads' wait for a CPU (ms):", millis(s.ioThreadsCpuWaitNanos()));
      row(
          out,
          "Connections opened before the plan:",
          s.end().connectionsOpenedAhead() >= 0
              ? Integer.toString(s.end().connectionsOpenedAhead())
              : "n/a");
    }
    if (Boolean.TRUE.equals(s.run().configuration().get("insecure_tls"))) {
      row(out, "TLS certificates:", "NOT verified (--insecure)");
    }
    if (s.counts().retriedRequests() > 0) {
      row(out, "Requests retried:", Long.toString(s.counts().retriedRequests()));
    }
    row(out, "Output token counts from:", sources(s.tokens().outputTokenSources()));
    row(out, "Prompt token counts from:", sources(s.tokens().promptTokenSources()));
    Summary.TokenCountCheck check = s.tokens().promptTokenCheck();
    if (check.compared() > 0) {
      row(
          out,
          "Prompt tokens server-local (mean/max):",
          number(check.meanDifference()) + " / " + check.maxAbsoluteDifference());
    }
    out.println("=".repeat(WIDTH));
  }

  private static void printFailures(Summary s, PrintWriter out) {
    if (s.counts().failed() == 0) {
      return;
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "Failed requests: %d of %d (%s %%)%n",
        s.counts().failed(),
        s.counts().requests(),
        number(100.0 * s.counts().failed() / s.counts().requests()));
    out.println("  by reason: " + joined(s.failures().byReason()));
    if (!s.failures().byHttpStatus().isEmpty()) {
      out.println("  by HTTP status: " + joined(s.failures().byHttpStatus()));
    }
    StringBuilder overTime = new StringBuilder();
    int shown = 0;
    for (Summary.Interval interval : s.timeSeries()) {
      if (interval.failed() > 0 && shown++ < 20) {
        overTime.append(' ').append(interval.second()).append("s:").append(interval.failed());
      }
    }
    out.println("  over time (second:failures):" + overTime + (shown > 20 ? " ..." : ""));
    out.println("  first errors:");
    for (String error : s.failures().firstErrors()) {
      out.println("    " + error.replace('\n', ' '));
    }
  }

  private static void printWarnings(Summary s, PrintWriter out) {
    if (s.end() != null && s.end().interrupted()) {
      out.println();
      out.println("WARNING: the run was interrupted; these figures cover only what it recorded.");
    }
    for (String warning : s.warnings()) {
      out.println();
      out.println("WARNING: " + warning);
    }
  }

  private static String joined(Map<?, Long> counts) {
    return counts.entrySet().stream()
        .map(entry -> entry.getKey() + " " + entry.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String sources(Map<String, Long> counts) {
    return counts.isEmpty() ? "n/a" : joined(counts);
  }

  private static void row(PrintWriter out, String label, String value) {
    out.printf(Locale.ROOT, "%-40s %-10s%n", label, value);
  }

  private static String centered(String title, char fill) {
    int padding = Math.max(0, WIDTH - title.length());
    int left = padding / 2;
    return String.valueOf(fill).repeat(left) + title + String.valueOf(fill).repeat(padding - left);
  }

  static String number(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.2f", value) : "n/a";
  }

  static String millis(double nanos) {
    return number(nanos / 1e6);
  }

  static String rate(double ratePerSecond) {
    return Double.isInfinite(ratePerSecond) ? "inf (all at once)" : number(ratePerSecond);
  }
}
