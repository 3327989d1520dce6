package dev.servebench.metrics;

import dev.servebench.record.RunEnd;
import dev.servebench.record.RunInfo;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run, each defined in {@code docs/metrics.md}, grouped by kind: counts,
 * failures, throughput, token counts, latency distributions. Computed only from the records file's
 * lines, so a summary rebuilt from the file equals the one printed at the end of the run. Warm-up
 * requests are counted but left out of every other figure. Rates are per second; a figure that
 * cannot be computed is NaN and shows as "n/a" or JSON {@code null}.
 *
 * @param end what the live run measured of itself, or {@code null} when the file was cut off
 * @param goodput requests that met every service-level objective
 * @param timeSeries the run second by second
 * @param warnings what the run should not be trusted for, in plain words
 * @param sessions multi-turn sessions' figures, or {@code null} when the run replayed none
 * @param server the server's own metrics scraped during the run, or {@code null} when none were
 */
public record Summary(
    RunInfo run,
    RunEnd end,
    Counts counts,
    Failures failures,
    Throughput throughput,
    Tokens tokens,
    Goodput goodput,
    Latencies latencies,
    List<Interval> timeSeries,
    List<String> warnings,
    Sessions sessions,
    ServerMetrics server) {

  /**
   * The server's own metrics, scraped from its Prometheus endpoint during the run ({@code
   * --server-metrics}), under common names whichever server reported them.
   *
   * @param url where they were scraped, or {@code null} when the records file does not say
   * @param scrapes scrapes tried
   * @param failedScrapes scrapes that brought no exposition (no answer, an HTTP error, a malformed
   *     text)
   * @param firstError why the first failed scrape failed, or {@code null}
   * @param servers the servers whose known series were found ({@code vLLM}, {@code SGLang}, {@code
   *     TGI}, {@code llama.cpp})
   * @param figures each figure's min, mean and max over the scrapes that gave it
   * @param sources the series each figure was read from
   * @param seconds the figures second by second (seconds since the run's start, as the client's
   *     time series); a second without a scrape is left out
   * @param rawSeries the names of the series kept in the records file but given no common name
   */
  public record ServerMetrics(
      String url,
      long scrapes,
      long failedScrapes,
      String firstError,
      List<String> servers,
      Map<ServerFigure, ServerFigureStats> figures,
      Map<ServerFigure, String> sources,
      List<ServerSecond> seconds,
      List<String> rawSeries) {}

  /**
   * One server figure over the run.
   *
   * @param scrapes scrapes that gave a value (a rate needs two)
   */
  public record ServerFigureStats(long scrapes, double min, double mean, double max) {}

  /**
   * One second of the server's figures: the mean of the scrapes taken in it.
   *
   * @param values the figures the second's scrapes gave; a figure not there is unknown
   */
  public record ServerSecond(long second, Map<ServerFigure, Double> values) {

    /** The figure's value, NaN when the second has none. */
    public double value(ServerFigure figure) {
      Double value = values.get(figure);
      return value == null ? Double.NaN : value;
    }
  }

  /**
   * Multi-turn sessions ({@code --multi-turn}), over the measured ones.
   *
   * @param sessions sessions that sent at least one measured turn
   * @param completed sessions whose every turn succeeded
   * @param meanTurnsCompleted turns that succeeded per session
   * @param duration a completed session's first turn sent to its last turn's end, think times
   *     included
   * @param firstTurnTtft TTFT of the sessions' first turns, sent with no history
   * @param laterTurnsTtft TTFT of every later turn, sent with the conversation so far
   * @param firstTurnE2e E2E of the first turns
   * @param laterTurnsE2e E2E of the later turns
   */
  public record Sessions(
      long sessions,
      long completed,
      double meanTurnsCompleted,
      Distribution duration,
      Distribution firstTurnTtft,
      Distribution laterTurnsTtft,
      Distribution firstTurnE2e,
      Distribution laterTurnsE2e) {}

  /**
   * How many requests of each kind were recorded.
   *
   * @param warmupRequests requests sent during warm-up (left out of every other figure)
   * @param requests measured (non-warm-up) requests recorded
   * @param succeeded measured requests that succeeded
   * @param failed measured requests that failed, cancelled ones not included
   * @param cancelled requests cut off by an interrupted run: requests = succeeded + failed +
   *     cancelled
   * @param retriedRequests measured requests sent more than once
   * @param streamedRequests measured requests answered as a stream
   * @param streamedChunks token-bearing chunks of all recorded requests, for CPU per chunk
   */
  public record Counts(
      long warmupRequests,
      long requests,
      long succeeded,
      long failed,
      long cancelled,
      long retriedRequests,
      long streamedRequests,
      long streamedChunks) {}

  /**
   * Why requests failed.
   *
   * @param byReason failed measured requests by reason label
   * @param byHttpStatus failed measured requests by HTTP status, where one arrived
   * @param firstErrors the first few distinct error messages
   */
  public record Failures(
      Map<String, Long> byReason, Map<Integer, Long> byHttpStatus, List<String> firstErrors) {}

  /**
   * How much went through, and how fast.
   *
   * @param durationNanos first send to last completion, over the measured requests
   * @param inputTokens prompt tokens of the successful measured requests
   * @param outputTokens output tokens of the successful measured requests
   * @param requestThroughputPerSecond successful requests / duration
   * @param inputTokensPerSecond input tokens / duration
   * @param outputTokensPerSecond output tokens / duration
   * @param totalTokensPerSecond input and output tokens / duration
   * @param achievedSendRatePerSecond (requests - 1) / (last send - first send)
   * @param peakOutputTokensPerSecond the most output tokens that arrived in one second of the run
   *     (the time series' seconds), NaN when no request succeeded
   * @param peakConcurrentRequests the most successful requests in flight at one instant, each from
   *     its send to its end
   */
  public record Throughput(
      long durationNanos,
      long inputTokens,
      long outputTokens,
      double requestThroughputPerSecond,
      double inputTokensPerSecond,
      double outputTokensPerSecond,
      double totalTokensPerSecond,
      double achievedSendRatePerSecond,
      double peakOutputTokensPerSecond,
      long peakConcurrentRequests) {}

  /**
   * The prompts' lengths and where token counts came from.
   *
   * @param minPromptTokens shortest measured prompt, in tokens
   * @param medianPromptTokens median measured prompt, in tokens
   * @param maxPromptTokens longest measured prompt, in tokens
   * @param promptTokenSources measured requests by where their prompt count came from
   * @param outputTokenSources measured requests by where their output count came from
   * @param promptTokenCheck server against local prompt token counts, where both exist
   */
  public record Tokens(
      long minPromptTokens,
      long medianPromptTokens,
      long maxPromptTokens,
      Map<String, Long> promptTokenSources,
      Map<String, Long> outputTokenSources,
      TokenCountCheck promptTokenCheck) {}

  /**
   * The latency distributions of the successful measured requests.
   *
   * @param ttst time to second token
   * @param ttfc time to first answer (non-reasoning) token
   * @param itlPerToken each chunk's gap divided by the tokens it carried, once per token
   * @param perTokenLatency the seed's latency per token: E2E / output tokens per request
   * @param nextTokenLatency the seed's next-token latency: each request's mean ITL
   * @param scheduleLag the client's lateness: first send minus intended, every measured request
   */
  public record Latencies(
      Distribution ttft,
      Distribution ttst,
      Distribution ttfc,
      Distribution tpot,
      Distribution itl,
      Distribution itlPerToken,
      Distribution e2e,
      Distribution perTokenLatency,
      Distribution nextTokenLatency,
      Distribution scheduleLag,
      Distribution queueInclusiveTtft,
      Distribution queueInclusiveE2e) {}

  /**
   * How far the server's prompt token counts are from the local tokenizer's, over the requests that
   * have both. What a server adds to every prompt (a chat template) moves the mean difference; a
   * different tokenizer spreads it.
   *
   * @param compared requests where both counts exist
   * @param meanDifference mean of (server - local)
   * @param maxAbsoluteDifference the largest |server - local|
   * @param differenceStandardDeviation standard deviation of (server - local)
   * @param meanLocalTokens mean local count of the compared prompts
   * @param localTokensStandardDeviation standard deviation of the local counts: 0 when every prompt
   *     counted the same (one prompt sent again and again)
   */
  public record TokenCountCheck(
      long compared,
      double meanDifference,
      long maxAbsoluteDifference,
      double differenceStandardDeviation,
      double meanLocalTokens,
      double localTokensStandardDeviation) {}

  /**
   * Requests that met every service-level objective.
   *
   * @param sloMillis the objectives, by metric ({@code ttft}, {@code tpot}, {@code itl}, {@code
   *     e2el}); empty when none was given
   * @param met successful requests meeting all of them
   * @param ratePerSecond met / duration
   * @param fraction met / measured requests
   */
  public record Goodput(
      Map<String, Double> sloMillis, long met, double ratePerSecond, double fraction) {}

  /**
   * One second of the run (seconds since its start).
   *
   * @param started requests sent in this second
   * @param finished requests that succeeded in this second
   * @param failed requests that failed in this second
   * @param outputTokens tokens that arrived in this second
   * @param inFlight requests in flight at the end of the second
   * @param latencies the second's latency quantiles
   */
  public record Interval(
      long second,
      long started,
      long finished,
      long failed,
      long outputTokens,
      long inFlight,
      SecondLatencies latencies) {}

  /**
   * Streaming estimates (P², a few percent off) of one second's latencies; NaN where the second had
   * no sample.
   *
   * @param ttftP50Nanos median TTFT of the successful streamed requests sent in this second
   * @param ttftP99Nanos their p99 TTFT
   * @param itlP50Nanos median of the ITL samples whose later chunk arrived in this second
   * @param itlP99Nanos their p99
   * @param scheduleLagP50Nanos median schedule lag of the requests first sent in this second
   * @param scheduleLagP99Nanos their p99 schedule lag
   */
  public record SecondLatencies(
      double ttftP50Nanos,
      double ttftP99Nanos,
      double itlP50Nanos,
      double itlP99Nanos,
      double scheduleLagP50Nanos,
      double scheduleLagP99Nanos) {}

  /** Client CPU per streamed chunk over the whole run, NaN when unknown. */
  public double clientCpuNanosPerChunk() {
    if (end == null || end.clientCpuNanos() < 0 || counts.streamedChunks() == 0) {
      return Double.NaN;
    }
    return end.clientCpuNanos() / (double) counts.streamedChunks();
  }

  /**
   * Time the client's I/O threads were ready to run but waited for a CPU over the run, summed over
   * the threads, in nanoseconds; NaN when unknown.
   */
  public double ioThreadsCpuWaitNanos() {
    if (end == null || end.ioThreadsCpuWaitNanos() < 0) {
      return Double.NaN;
    }
    return end.ioThreadsCpuWaitNanos();
  }

  /** Client CPU used over the run as a share of all its cores (0..1), NaN when unknown. */
  public double clientCpuShare() {
    if (end == null || end.clientCpuNanos() < 0 || end.runWallNanos() <= 0) {
      return Double.NaN;
    }
    return end.clientCpuNanos() / ((double) end.runWallNanos() * end.availableProcessors());
  }
}
