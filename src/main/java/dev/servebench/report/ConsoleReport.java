package dev.servebench.report;

import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.ServerFigure;
import dev.servebench.metrics.Summary;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
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
    if (label(summary) != null) {
      out.println("Label: " + label(summary));
    }
    if (!metadata(summary).isEmpty()) {
      out.println("Metadata: " + metadataText(summary));
    }
    if (label(summary) != null || !metadata(summary).isEmpty()) {
      out.println();
    }
    printSeedLines(summary, out);
    out.println();
    tables(summary, metrics, console(out));
    printFailures(summary, out);
    printWarnings(summary, out);
    out.flush();
  }

  /** The run's {@code --label}, or {@code null} where it has none. */
  static String label(Summary summary) {
    Object label = summary.run().configuration().get("label");
    return label == null ? null : label.toString();
  }

  /** The run's {@code --metadata} in the order given; empty where it has none. */
  static Map<String, String> metadata(Summary summary) {
    if (!(summary.run().configuration().get("metadata") instanceof Map<?, ?> given)) {
      return Map.of();
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    given.forEach((key, value) -> metadata.put(String.valueOf(key), String.valueOf(value)));
    return metadata;
  }

  /** The metadata as one line: {@code key=value, key=value}. */
  static String metadataText(Summary summary) {
    return metadata(summary).entrySet().stream()
        .map(entry -> entry.getKey() + "=" + entry.getValue())
        .collect(Collectors.joining(", "));
  }

  /**
   * Where the report's tables go: the console's fixed-width lines, or the HTML report's table, so
   * that both name every figure alike.
   */
  interface Table {
    /** The heading of the whole table. */
    void title(String title);

    /** The heading of a part of it. */
    void section(String title);

    void row(String label, String value);

    /** A line of explanation between rows. */
    void note(String text);

    /** The end of the table. */
    void rule();
  }

  /**
   * The tables shared by the console and the HTML report: the serving table with a latency block
   * for each of {@code metrics}, more latencies, sessions and the client.
   */
  static void tables(Summary summary, List<PercentileMetric> metrics, Table out) {
    printServingTable(summary, metrics, out);
    printMoreLatencies(summary, out);
    printSessions(summary, out);
    printServer(summary, out);
    printClientSection(summary, out);
  }

  private static Table console(PrintWriter out) {
    return new Table() {
      @Override
      public void title(String title) {
        out.println(centered(title, '='));
      }

      @Override
      public void section(String title) {
        out.println(centered(title, '-'));
      }

      @Override
      public void row(String label, String value) {
        out.printf(Locale.ROOT, "%-40s %-10s%n", label, value);
      }

      @Override
      public void note(String text) {
        out.println(text);
      }

      @Override
      public void rule() {
        out.println("=".repeat(WIDTH));
      }
    };
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

  private static void printServingTable(Summary s, List<PercentileMetric> metrics, Table out) {
    out.title(" Serving Benchmark Result ");
    out.row("Successful requests:", Long.toString(s.counts().succeeded()));
    out.row("Failed requests:", Long.toString(s.counts().failed()));
    if (s.counts().cancelled() > 0) {
      out.row("Cancelled requests (interrupted):", Long.toString(s.counts().cancelled()));
    }
    if (s.counts().warmupRequests() > 0) {
      out.row("Warm-up requests (not counted):", Long.toString(s.counts().warmupRequests()));
    }
    out.row("Benchmark duration (s):", number(s.throughput().durationNanos() / 1e9));
    out.row("Total input tokens:", Long.toString(s.throughput().inputTokens()));
    out.row("Total generated tokens:", Long.toString(s.throughput().outputTokens()));
    out.row("Request throughput (req/s):", number(s.throughput().requestThroughputPerSecond()));
    out.row("Output token throughput (tok/s):", number(s.throughput().outputTokensPerSecond()));
    out.row(
        "Peak output token throughput (tok/s):",
        number(s.throughput().peakOutputTokensPerSecond()));
    out.row("Peak concurrent requests:", number(s.throughput().peakConcurrentRequests()));
    out.row("Total Token throughput (tok/s):", number(s.throughput().totalTokensPerSecond()));
    if (!s.goodput().sloMillis().isEmpty()) {
      out.row("Request goodput (req/s):", number(s.goodput().ratePerSecond()));
      out.row("Requests meeting every SLO (%):", number(100 * s.goodput().fraction()));
    }
    for (PercentileMetric metric : metrics) {
      latencyBlock(out, metric.title(), metric.label(), metric.of(s));
    }
    out.rule();
  }

  /**
   * Mean, Median, then each {@code --percentiles} level, as vLLM prints a latency: the median
   * always, whether or not 50 is listed, and once (a listed 50 is that line, not a P50 after it).
   */
  private static void latencyBlock(Table out, String title, String name, Distribution d) {
    out.section(title);
    out.row("Mean " + name + " (ms):", millis(d.meanNanos()));
    out.row("Median " + name + " (ms):", millis(d.p50Nanos()));
    for (int i = 0; i < d.percentiles().size(); i++) {
      double level = d.percentiles().get(i);
      if (level != 50) {
        out.row("P" + level(level) + " " + name + " (ms):", millis(d.percentileNanos()[i]));
      }
    }
  }

  /** 99 for 99.0, 99.9 for 99.9. */
  static String level(double level) {
    return level == Math.rint(level) ? Long.toString((long) level) : Double.toString(level);
  }

  private static void printMoreLatencies(Summary s, Table out) {
    if (s.counts().streamedRequests() == 0) {
      out.note("(TTFT, TPOT and ITL need streaming: add --stream or --track-token-latency)");
      return;
    }
    out.section("More latencies (mean / p50 / p99, ms)");
    out.row("Time to second token:", triple(s.latencies().ttst()));
    out.row("ITL per token (chunk gap / tokens):", triple(s.latencies().itlPerToken()));
    if (s.latencies().ttfc().count() != s.latencies().ttft().count()
        || s.latencies().ttfc().meanNanos() != s.latencies().ttft().meanNanos()) {
      out.row("Time to first answer token:", triple(s.latencies().ttfc()));
    }
  }

  /** A multi-turn run's sessions, and its first turns beside the later ones that carry history. */
  private static void printSessions(Summary s, Table out) {
    Summary.Sessions sessions = s.sessions();
    if (sessions == null) {
      return;
    }
    out.section("Multi-turn sessions");
    out.row("Sessions:", Long.toString(sessions.sessions()));
    out.row("Sessions with every turn succeeded:", Long.toString(sessions.completed()));
    out.row("Turns completed per session (mean):", number(sessions.meanTurnsCompleted()));
    out.note("(mean / p50 / p99, ms)");
    out.row("Session duration:", triple(sessions.duration()));
    if (s.counts().streamedRequests() > 0) {
      out.row("TTFT, first turns:", triple(sessions.firstTurnTtft()));
      out.row("TTFT, later turns:", triple(sessions.laterTurnsTtft()));
    }
    out.row("E2E, first turns:", triple(sessions.firstTurnE2e()));
    out.row("E2E, later turns:", triple(sessions.laterTurnsE2e()));
  }

  /** The server's own metrics, scraped during the run: what it says it was doing. */
  private static void printServer(Summary s, Table out) {
    Summary.ServerMetrics server = s.server();
    if (server == null) {
      return;
    }
    out.section("Server (its own metrics)");
    out.row(
        "Scraped from:",
        (server.url() == null ? "?" : server.url())
            + (server.servers().isEmpty() ? "" : " (" + String.join(", ", server.servers()) + ")"));
    out.row("Scrapes (failed):", server.scrapes() + " (" + server.failedScrapes() + ")");
    if (server.figures().isEmpty()) {
      out.note(
          "(no series of vLLM, SGLang, TGI or llama.cpp; "
              + server.rawSeries().size()
              + " kept raw in the records file)");
      return;
    }
    out.note("(mean / max over the scrapes)");
    serverRow(out, server, ServerFigure.RUNNING, "Running requests:", 1);
    serverRow(out, server, ServerFigure.WAITING, "Waiting requests:", 1);
    serverRow(out, server, ServerFigure.KV_CACHE_USAGE, "KV-cache use (%):", 100);
    serverRow(out, server, ServerFigure.PROMPT_TOKENS_PER_S, "Prompt tokens/s:", 1);
    serverRow(out, server, ServerFigure.GENERATION_TOKENS_PER_S, "Generation tokens/s:", 1);
    serverRow(out, server, ServerFigure.PREEMPTIONS_PER_S, "Preemptions/s:", 1);
    serverRow(out, server, ServerFigure.BATCH_SIZE, "Batch size:", 1);
  }

  private static void serverRow(
      Table out, Summary.ServerMetrics server, ServerFigure figure, String label, double scale) {
    Summary.ServerFigureStats stats = server.figures().get(figure);
    if (stats != null) {
      out.row(label, number(scale * stats.mean()) + " / " + number(scale * stats.max()));
    }
  }

  private static String triple(Distribution d) {
    return millis(d.meanNanos()) + " / " + millis(d.p50Nanos()) + " / " + millis(d.p99Nanos());
  }

  private static void printClientSection(Summary s, Table out) {
    out.section("Client");
    out.row("Configured request rate (req/s):", rate(s.run().configuredRatePerSecond()));
    out.row("Achieved send rate (req/s):", number(s.throughput().achievedSendRatePerSecond()));
    Distribution lag = s.latencies().scheduleLag();
    out.row(
        "Schedule lag p50/p99/max (ms):",
        millis(lag.p50Nanos()) + " / " + millis(lag.p99Nanos()) + " / " + millis(lag.maxNanos()));
    out.row(
        "Queue-incl. TTFT p50/p99 (ms):",
        millis(s.latencies().queueInclusiveTtft().p50Nanos())
            + " / "
            + millis(s.latencies().queueInclusiveTtft().p99Nanos()));
    out.row(
        "Queue-incl. E2EL p50/p99 (ms):",
        millis(s.latencies().queueInclusiveE2e().p50Nanos())
            + " / "
            + millis(s.latencies().queueInclusiveE2e().p99Nanos()));
    if (s.end() != null) {
      out.row("Peak requests in flight:", Integer.toString(s.end().peakInFlight()));
      out.row(
          "Client CPU (% of " + s.end().availableProcessors() + " cores):",
          number(100 * s.clientCpuShare()));
      out.row("Client CPU per chunk (us):", number(s.clientCpuNanosPerChunk() / 1e3));
      out.row("I/O threads' wait for a CPU (ms):", millis(s.ioThreadsCpuWaitNanos()));
      out.row(
          "Connections opened before the plan:",
          s.end().connectionsOpenedAhead() >= 0
              ? Integer.toString(s.end().connectionsOpenedAhead())
              : "n/a");
    }
    if (Boolean.TRUE.equals(s.run().configuration().get("insecure_tls"))) {
      out.row("TLS certificates:", "NOT verified (--insecure)");
    }
    if (s.counts().retriedRequests() > 0) {
      out.row("Requests retried:", Long.toString(s.counts().retriedRequests()));
    }
    out.row("Output token counts from:", sources(s.tokens().outputTokenSources()));
    out.row("Prompt token counts from:", sources(s.tokens().promptTokenSources()));
    Summary.TokenCountCheck check = s.tokens().promptTokenCheck();
    if (check.compared() > 0) {
      out.row(
          "Prompt tokens server-local (mean/max):",
          number(check.meanDifference()) + " / " + check.maxAbsoluteDifference());
    }
    out.rule();
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
