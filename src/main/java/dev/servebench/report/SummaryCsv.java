package dev.servebench.report;

import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.ServerFigure;
import dev.servebench.metrics.Summary;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The summary as CSV, one figure per row: {@code figure,value,unit}. A long table rather than one
 * wide row, so that figures can be added without moving columns and the summaries of several runs
 * join on {@code figure}. Figure names follow the summary JSON's keys; a figure that cannot be
 * computed has an empty value. Latencies are in milliseconds, as in the JSON.
 */
public final class SummaryCsv {

  private static final MathContext SIGNIFICANT = new MathContext(9);

  private SummaryCsv() {}

  /** Writes the summary's CSV to {@code path}, atomically. */
  public static void write(Summary summary, Path path) throws IOException {
    String csv = render(summary);
    SummaryJson.writeAtomically(path, out -> out.write(csv.getBytes(StandardCharsets.UTF_8)));
  }

  static String render(Summary s) {
    StringBuilder out = new StringBuilder(8192);
    out.append("figure,value,unit").append(Csv.LINE_END);
    // What the run was called comes first, so that joined summaries say which run is which.
    String label = ConsoleReport.label(s);
    if (label != null) {
      text(out, "label", label);
    }
    for (Map.Entry<String, String> entry : ConsoleReport.metadata(s).entrySet()) {
      text(out, "metadata_" + entry.getKey(), entry.getValue());
    }
    row(out, "requests_total", s.counts().requests(), "requests");
    row(out, "requests_succeeded", s.counts().succeeded(), "requests");
    row(out, "requests_failed", s.counts().failed(), "requests");
    row(out, "requests_cancelled", s.counts().cancelled(), "requests");
    row(out, "requests_warmup_excluded", s.counts().warmupRequests(), "requests");
    row(out, "requests_retried", s.counts().retriedRequests(), "requests");
    row(out, "requests_streamed", s.counts().streamedRequests(), "requests");
    row(out, "duration", s.throughput().durationNanos() / 1e9, "s");
    row(out, "input_tokens_total", s.throughput().inputTokens(), "tokens");
    row(out, "output_tokens_total", s.throughput().outputTokens(), "tokens");
    row(out, "prompt_tokens_min", s.tokens().minPromptTokens(), "tokens");
    row(out, "prompt_tokens_median", s.tokens().medianPromptTokens(), "tokens");
    row(out, "prompt_tokens_max", s.tokens().maxPromptTokens(), "tokens");
    row(out, "request_throughput", s.throughput().requestThroughputPerSecond(), "requests/s");
    row(out, "input_token_throughput", s.throughput().inputTokensPerSecond(), "tokens/s");
    row(out, "output_token_throughput", s.throughput().outputTokensPerSecond(), "tokens/s");
    row(out, "total_token_throughput", s.throughput().totalTokensPerSecond(), "tokens/s");
    row(out, "configured_rate", s.run().configuredRatePerSecond(), "requests/s");
    row(out, "achieved_send_rate", s.throughput().achievedSendRatePerSecond(), "requests/s");
    if (!s.goodput().sloMillis().isEmpty()) {
      row(out, "goodput", s.goodput().ratePerSecond(), "requests/s");
      row(out, "goodput_fraction", s.goodput().fraction(), "fraction");
    }
    Summary.Latencies l = s.latencies();
    distribution(out, "ttft", l.ttft());
    distribution(out, "ttst", l.ttst());
    distribution(out, "ttft_answer", l.ttfc());
    distribution(out, "tpot", l.tpot());
    distribution(out, "itl", l.itl());
    distribution(out, "itl_per_token", l.itlPerToken());
    distribution(out, "e2e", l.e2e());
    distribution(out, "per_token", l.perTokenLatency());
    distribution(out, "next_token", l.nextTokenLatency());
    distribution(out, "schedule_lag", l.scheduleLag());
    distribution(out, "queue_inclusive_ttft", l.queueInclusiveTtft());
    distribution(out, "queue_inclusive_e2e", l.queueInclusiveE2e());
    for (Map.Entry<String, Long> reason : s.failures().byReason().entrySet()) {
      row(out, "failures_" + reason.getKey(), reason.getValue(), "requests");
    }
    for (Map.Entry<Integer, Long> status : s.failures().byHttpStatus().entrySet()) {
      row(out, "failures_http_" + status.getKey(), status.getValue(), "requests");
    }
    if (s.end() != null) {
      row(out, "peak_in_flight", s.end().peakInFlight(), "requests");
      row(out, "client_cpu_share", s.clientCpuShare(), "fraction");
      row(out, "client_cpu_per_chunk", s.clientCpuNanosPerChunk() / 1e3, "us");
    }
    if (s.server() != null) {
      row(out, "server_scrapes", s.server().scrapes(), "scrapes");
      row(out, "server_failed_scrapes", s.server().failedScrapes(), "scrapes");
      for (ServerFigure figure : ServerFigure.values()) {
        Summary.ServerFigureStats stats = s.server().figures().get(figure);
        if (stats != null) {
          String unit = serverUnit(figure);
          row(out, "server_" + figure.key() + "_min", stats.min(), unit);
          row(out, "server_" + figure.key() + "_mean", stats.mean(), unit);
          row(out, "server_" + figure.key() + "_max", stats.max(), unit);
        }
      }
    }
    return out.toString();
  }

  /** The unit of a server figure in the CSV's unit column. */
  private static String serverUnit(ServerFigure figure) {
    return switch (figure) {
      case RUNNING, WAITING, BATCH_SIZE -> "requests";
      case KV_CACHE_USAGE -> "fraction";
      case PROMPT_TOKENS_PER_S, GENERATION_TOKENS_PER_S -> "tokens/s";
      case PREEMPTIONS_PER_S -> "requests/s";
    };
  }

  private static void distribution(StringBuilder out, String name, Distribution d) {
    row(out, name + "_count", d.count(), "samples");
    row(out, name + "_mean", d.meanNanos() / 1e6, "ms");
    row(out, name + "_std", d.stddevNanos() / 1e6, "ms");
    row(out, name + "_min", d.minNanos() / 1e6, "ms");
    row(out, name + "_p50", d.p50Nanos() / 1e6, "ms");
    row(out, name + "_p90", d.p90Nanos() / 1e6, "ms");
    row(out, name + "_p95", d.p95Nanos() / 1e6, "ms");
    row(out, name + "_p99", d.p99Nanos() / 1e6, "ms");
    row(out, name + "_p99.9", d.p999Nanos() / 1e6, "ms");
    row(out, name + "_max", d.maxNanos() / 1e6, "ms");
    for (int i = 0; i < d.percentiles().size(); i++) {
      String level = ConsoleReport.level(d.percentiles().get(i));
      if (!level.equals("50")
          && !level.equals("90")
          && !level.equals("95")
          && !level.equals("99")
          && !level.equals("99.9")) {
        row(out, name + "_p" + level, d.percentileNanos()[i] / 1e6, "ms");
      }
    }
  }

  private static void text(StringBuilder out, String figure, String value) {
    out.append(Csv.field(figure)).append(',').append(Csv.field(value)).append(",text");
    out.append(Csv.LINE_END);
  }

  private static void row(StringBuilder out, String figure, long value, String unit) {
    out.append(Csv.field(figure)).append(',').append(value).append(',').append(unit);
    out.append(Csv.LINE_END);
  }

  /**
   * Nine significant digits (a nanosecond of a second), never in exponent form; no value (NaN) as
   * an empty field, an unbounded one (the rate of a run that sends everything at once) as {@code
   * inf}.
   */
  private static void row(StringBuilder out, String figure, double value, String unit) {
    out.append(Csv.field(figure)).append(',');
    if (Double.isFinite(value)) {
      out.append(new BigDecimal(value).round(SIGNIFICANT).stripTrailingZeros().toPlainString());
    } else if (Double.isInfinite(value)) {
      out.append(value > 0 ? "inf" : "-inf");
    }
    out.append(',').append(unit).append(Csv.LINE_END);
  }
}
