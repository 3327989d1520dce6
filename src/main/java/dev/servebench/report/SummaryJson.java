package dev.servebench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.ServerFigure;
import dev.servebench.metrics.Summary;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The summary JSON: the original script's keys first (latencies in seconds, as it wrote them), then
 * the full statistics (latencies in milliseconds), the configuration and the tool version. A figure
 * that cannot be computed is {@code null}: JSON has no NaN or Infinity.
 */
public final class SummaryJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SummaryJson() {}

  /** Writes the summary to {@code path} atomically: a temporary file, then a rename. */
  public static void writeAtomically(Summary summary, Path path) throws IOException {
    writeAtomically(path, out -> write(summary, out));
  }

  /**
   * Writes the seed script's own {@code summary_<time>.json} to {@code path}, atomically: its
   * twelve keys alone, rounded to three decimals as it rounded them ({@code null} where it wrote
   * NaN), so its downstream scripts (benchmark_visualize.py) read it unchanged.
   */
  public static void writeSeedSummary(Summary summary, Path path) throws IOException {
    writeAtomically(
        path,
        out -> {
          JsonGenerator json =
              MAPPER
                  .getFactory()
                  .createGenerator(out)
                  .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
          json.useDefaultPrettyPrinter();
          json.writeStartObject();
          seedKeys(json, summary, true);
          json.writeEndObject();
          json.flush();
        });
  }

  /** Writes a file's whole content to an open stream. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Whether the figures cover the whole run: not when it was interrupted or cut off, nor when it is
   * a merge of shards some of which are missing, cut off or failed.
   */
  static boolean complete(Summary s) {
    return s.end() != null && !s.end().interrupted() && !partialMerge(s);
  }

  /** Whether {@code s} is a merge of shards some of which are missing, cut off or failed. */
  static boolean partialMerge(Summary s) {
    return Boolean.TRUE.equals(s.run().configuration().get("partial"));
  }

  /**
   * The seed script's keys, latencies in seconds; {@code rounded}: to three decimals, as it did.
   */
  private static void seedKeys(JsonGenerator json, Summary s, boolean rounded) throws IOException {
    // The seed counted the prompts it was asked for; here, the measured requests (the same unless
    // a run was interrupted or bounded by --duration).
    json.writeNumberField("num_prompts", s.counts().requests());
    seedNumber(json, "benchmark_time", s.throughput().durationNanos() / 1e9, rounded);
    json.writeNumberField("min_prompt_len", s.tokens().minPromptTokens());
    json.writeNumberField("med_prompt_len", s.tokens().medianPromptTokens());
    json.writeNumberField("max_prompt_len", s.tokens().maxPromptTokens());
    seedNumber(
        json, "throughput_requests_per_s", s.throughput().requestThroughputPerSecond(), rounded);
    seedNumber(
        json, "input_throughput_tokens_per_s", s.throughput().inputTokensPerSecond(), rounded);
    seedNumber(
        json, "output_throughput_tokens_per_s", s.throughput().outputTokensPerSecond(), rounded);
    seedNumber(json, "avg_latency", s.latencies().e2e().meanNanos() / 1e9, rounded);
    seedNumber(
        json, "avg_per_token_latency", s.latencies().perTokenLatency().meanNanos() / 1e9, rounded);
    seedNumber(json, "avg_first_token_latency", s.latencies().ttft().meanNanos() / 1e9, rounded);
    seedNumber(
        json,
        "avg_next_token_latency",
        s.latencies().nextTokenLatency().meanNanos() / 1e9,
        rounded);
  }

  private static void seedNumber(JsonGenerator json, String name, double value, boolean rounded)
      throws IOException {
    number(json, name, rounded && Double.isFinite(value) ? Math.round(value * 1e3) / 1e3 : value);
  }

  /** Writes a whole file atomically: a temporary file beside it, then a rename. */
  static void writeAtomically(Path path, Content content) throws IOException {
    Path directory = path.toAbsolutePath().getParent();
    Path temporary = Files.createTempFile(directory, path.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(temporary)) {
        content.writeTo(out);
      }
      try {
        Files.move(
            temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException notAtomic) {
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Writes the summary as pretty-printed JSON; leaves {@code out} open. */
  public static void write(Summary s, OutputStream out) throws IOException {
    JsonGenerator json =
        MAPPER.getFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    json.useDefaultPrettyPrinter();
    json.writeStartObject();
    seedKeys(json, s, false);

    json.writeStringField("servebench_version", s.run().toolVersion());
    json.writeStringField("run_id", s.run().runId());
    json.writeStringField("started_at", s.run().startedAt().toString());
    json.writeFieldName("configuration");
    MAPPER.writeValue(json, s.run().configuration());

    json.writeBooleanField("complete", complete(s));
    json.writeArrayFieldStart("warnings");
    for (String warning : s.warnings()) {
      json.writeString(warning);
    }
    json.writeEndArray();

    json.writeObjectFieldStart("requests");
    json.writeNumberField("total", s.counts().requests());
    json.writeNumberField("succeeded", s.counts().succeeded());
    json.writeNumberField("failed", s.counts().failed());
    json.writeNumberField("cancelled", s.counts().cancelled());
    json.writeNumberField("warmup_excluded", s.counts().warmupRequests());
    json.writeNumberField("retried", s.counts().retriedRequests());
    json.writeNumberField("streamed", s.counts().streamedRequests());
    counts(json, "failures_by_reason", s.failures().byReason());
    counts(json, "failures_by_http_status", s.failures().byHttpStatus());
    json.writeArrayFieldStart("first_errors");
    for (String error : s.failures().firstErrors()) {
      json.writeString(error);
    }
    json.writeEndArray();
    json.writeEndObject();

    number(json, "duration_s", s.throughput().durationNanos() / 1e9);
    json.writeObjectFieldStart("tokens");
    json.writeNumberField("input_total", s.throughput().inputTokens());
    json.writeNumberField("output_total", s.throughput().outputTokens());
    counts(json, "prompt_tokens_source", s.tokens().promptTokenSources());
    counts(json, "output_tokens_source", s.tokens().outputTokenSources());
    json.writeObjectFieldStart("prompt_server_vs_local");
    json.writeNumberField("compared", s.tokens().promptTokenCheck().compared());
    number(json, "mean_difference", s.tokens().promptTokenCheck().meanDifference());
    json.writeNumberField(
        "max_abs_difference", s.tokens().promptTokenCheck().maxAbsoluteDifference());
    number(json, "difference_stddev", s.tokens().promptTokenCheck().differenceStandardDeviation());
    number(json, "local_mean", s.tokens().promptTokenCheck().meanLocalTokens());
    number(json, "local_stddev", s.tokens().promptTokenCheck().localTokensStandardDeviation());
    json.writeEndObject();
    json.writeEndObject();

    json.writeObjectFieldStart("throughput");
    number(json, "requests_per_s", s.throughput().requestThroughputPerSecond());
    number(json, "input_tokens_per_s", s.throughput().inputTokensPerSecond());
    number(json, "output_tokens_per_s", s.throughput().outputTokensPerSecond());
    number(json, "total_tokens_per_s", s.throughput().totalTokensPerSecond());
    if (Double.isInfinite(s.run().configuredRatePerSecond())) {
      json.writeStringField("configured_rate_per_s", "inf");
    } else {
      number(json, "configured_rate_per_s", s.run().configuredRatePerSecond());
    }
    number(json, "achieved_send_rate_per_s", s.throughput().achievedSendRatePerSecond());
    number(json, "peak_output_tokens_per_s", s.throughput().peakOutputTokensPerSecond());
    json.writeNumberField("peak_concurrent_requests", s.throughput().peakConcurrentRequests());
    json.writeEndObject();

    json.writeObjectFieldStart("goodput");
    json.writeFieldName("slo_ms");
    MAPPER.writeValue(json, s.goodput().sloMillis());
    json.writeNumberField("requests_met", s.goodput().met());
    number(json, "requests_per_s", s.goodput().ratePerSecond());
    number(json, "fraction", s.goodput().fraction());
    json.writeEndObject();

    json.writeObjectFieldStart("client");
    if (s.end() != null) {
      json.writeNumberField("planned_requests", s.end().plannedRequests());
      json.writeNumberField("sent_requests", s.end().sentRequests());
      json.writeNumberField("peak_in_flight", s.end().peakInFlight());
      json.writeNumberField("max_concurrency", s.end().maxConcurrency());
      json.writeNumberField("cpu_s", s.end().clientCpuNanos() / 1e9);
      number(json, "cpu_share_of_cores", s.clientCpuShare());
      json.writeNumberField("cores", s.end().availableProcessors());
      number(json, "io_threads_cpu_wait_ms", s.ioThreadsCpuWaitNanos() / 1e6);
      if (s.end().connectionsOpenedAhead() >= 0) {
        json.writeNumberField("connections_opened_ahead", s.end().connectionsOpenedAhead());
      } else {
        json.writeNullField("connections_opened_ahead");
      }
    }
    json.writeNumberField("streamed_chunks", s.counts().streamedChunks());
    number(json, "cpu_us_per_chunk", s.clientCpuNanosPerChunk() / 1e3);
    json.writeEndObject();

    json.writeObjectFieldStart("latency_ms");
    distribution(json, "ttft", s.latencies().ttft());
    distribution(json, "ttst", s.latencies().ttst());
    distribution(json, "ttft_answer", s.latencies().ttfc());
    distribution(json, "tpot", s.latencies().tpot());
    distribution(json, "itl", s.latencies().itl());
    distribution(json, "itl_per_token", s.latencies().itlPerToken());
    distribution(json, "e2e", s.latencies().e2e());
    distribution(json, "per_token", s.latencies().perTokenLatency());
    distribution(json, "next_token", s.latencies().nextTokenLatency());
    distribution(json, "schedule_lag", s.latencies().scheduleLag());
    distribution(json, "queue_inclusive_ttft", s.latencies().queueInclusiveTtft());
    distribution(json, "queue_inclusive_e2e", s.latencies().queueInclusiveE2e());
    json.writeEndObject();

    // Only a multi-turn run has sessions: other runs' summaries keep their keys.
    if (s.sessions() != null) {
      Summary.Sessions sessions = s.sessions();
      json.writeObjectFieldStart("sessions");
      json.writeNumberField("sessions", sessions.sessions());
      json.writeNumberField("completed", sessions.completed());
      number(json, "mean_turns_completed", sessions.meanTurnsCompleted());
      distribution(json, "duration", sessions.duration());
      distribution(json, "first_turn_ttft", sessions.firstTurnTtft());
      distribution(json, "later_turns_ttft", sessions.laterTurnsTtft());
      distribution(json, "first_turn_e2e", sessions.firstTurnE2e());
      distribution(json, "later_turns_e2e", sessions.laterTurnsE2e());
      json.writeEndObject();
    }

    // Only a run that scraped the server's metrics has them: other runs' summaries keep their keys.
    if (s.server() != null) {
      serverMetrics(json, s.server());
    }

    json.writeArrayFieldStart("time_series");
    for (Summary.Interval interval : s.timeSeries()) {
      json.writeStartObject();
      json.writeNumberField("second", interval.second());
      json.writeNumberField("started", interval.started());
      json.writeNumberField("finished", interval.finished());
      json.writeNumberField("failed", interval.failed());
      json.writeNumberField("output_tokens", interval.outputTokens());
      json.writeNumberField("in_flight", interval.inFlight());
      Summary.SecondLatencies latencies = interval.latencies();
      number(json, "ttft_p50_ms", latencies.ttftP50Nanos() / 1e6);
      number(json, "ttft_p99_ms", latencies.ttftP99Nanos() / 1e6);
      number(json, "itl_p50_ms", latencies.itlP50Nanos() / 1e6);
      number(json, "itl_p99_ms", latencies.itlP99Nanos() / 1e6);
      number(json, "schedule_lag_p50_ms", latencies.scheduleLagP50Nanos() / 1e6);
      number(json, "schedule_lag_p99_ms", latencies.scheduleLagP99Nanos() / 1e6);
      json.writeEndObject();
    }
    json.writeEndArray();

    json.writeEndObject();
    json.writeRaw('\n');
    json.flush();
  }

  private static void serverMetrics(JsonGenerator json, Summary.ServerMetrics server)
      throws IOException {
    json.writeObjectFieldStart("server_metrics");
    json.writeStringField("url", server.url());
    json.writeNumberField("scrapes", server.scrapes());
    json.writeNumberField("failed_scrapes", server.failedScrapes());
    json.writeStringField("first_error", server.firstError());
    json.writeArrayFieldStart("servers");
    for (String name : server.servers()) {
      json.writeString(name);
    }
    json.writeEndArray();
    json.writeObjectFieldStart("figures");
    for (Map.Entry<ServerFigure, Summary.ServerFigureStats> figure : server.figures().entrySet()) {
      Summary.ServerFigureStats stats = figure.getValue();
      json.writeObjectFieldStart(figure.getKey().key());
      json.writeStringField("series", server.sources().get(figure.getKey()));
      json.writeNumberField("scrapes", stats.scrapes());
      number(json, "min", stats.min());
      number(json, "mean", stats.mean());
      number(json, "max", stats.max());
      json.writeEndObject();
    }
    json.writeEndObject();
    json.writeArrayFieldStart("time_series");
    for (Summary.ServerSecond second : server.seconds()) {
      json.writeStartObject();
      json.writeNumberField("second", second.second());
      for (Map.Entry<ServerFigure, Double> value : second.values().entrySet()) {
        number(json, value.getKey().key(), value.getValue());
      }
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeArrayFieldStart("raw_series");
    for (String name : server.rawSeries()) {
      json.writeString(name);
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static void distribution(JsonGenerator json, String name, Distribution d)
      throws IOException {
    json.writeObjectFieldStart(name);
    json.writeNumberField("count", d.count());
    number(json, "mean", d.meanNanos() / 1e6);
    number(json, "std", d.stddevNanos() / 1e6);
    number(json, "min", d.minNanos() / 1e6);
    number(json, "p50", d.p50Nanos() / 1e6);
    number(json, "p90", d.p90Nanos() / 1e6);
    number(json, "p95", d.p95Nanos() / 1e6);
    number(json, "p99", d.p99Nanos() / 1e6);
    number(json, "p99.9", d.p999Nanos() / 1e6);
    number(json, "max", d.maxNanos() / 1e6);
    json.writeObjectFieldStart("percentiles");
    for (int i = 0; i < d.percentiles().size(); i++) {
      number(json, "p" + ConsoleReport.level(d.percentiles().get(i)), d.percentileNanos()[i] / 1e6);
    }
    json.writeEndObject();
    // The full histogram in nanoseconds (HdrHistogram's compressed encoding, base64), to merge
    // runs or compute other percentiles later.
    json.writeStringField("hdr_histogram_ns", d.encodedHistogram());
    json.writeEndObject();
  }

  private static void counts(JsonGenerator json, String name, Map<?, Long> counts)
      throws IOException {
    json.writeObjectFieldStart(name);
    for (Map.Entry<?, Long> entry : counts.entrySet()) {
      json.writeNumberField(String.valueOf(entry.getKey()), entry.getValue());
    }
    json.writeEndObject();
  }

  /** NaN and Infinity have no JSON form; they are written as null. */
  private static void number(JsonGenerator json, String name, double value) throws IOException {
    if (Double.isFinite(value)) {
      json.writeNumberField(name, value);
    } else {
      json.writeNullField(name);
    }
  }
}
