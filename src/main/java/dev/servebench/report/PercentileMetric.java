package dev.servebench.report;

import dev.servebench.error.InvalidInputException;
import dev.servebench.metrics.Distribution;
import dev.servebench.metrics.Summary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A latency whose statistics the console's serving table shows and vLLM's result file holds, chosen
 * by {@code --percentile-metrics} under vLLM's names. vLLM's two client-queue metrics map to
 * servebench's nearest figures: schedule lag and the queue-inclusive E2E (both measured from the
 * intended send, so they hold the pacer's own lateness besides the wait for a concurrency slot).
 */
public enum PercentileMetric {
  TTFT("ttft", "TTFT", "Time to First Token", latencies -> latencies.ttft()),
  TPOT("tpot", "TPOT", "Time per Output Token (excl. 1st token)", latencies -> latencies.tpot()),
  ITL("itl", "ITL", "Inter-token Latency", latencies -> latencies.itl()),
  E2EL("e2el", "E2EL", "End-to-end Latency", latencies -> latencies.e2e()),
  CLIENT_QUEUE_TIME(
      "client_queue_time",
      "Client Queue Time",
      "Client-side Queueing",
      latencies -> latencies.scheduleLag()),
  E2EL_INCLUDING_CLIENT_QUEUE(
      "e2el_including_client_queue",
      "E2EL incl. Client Queue",
      "Queue-inclusive End-to-end Latency",
      latencies -> latencies.queueInclusiveE2e());

  /** What the console shows without {@code --percentile-metrics}: the four request latencies. */
  public static final List<PercentileMetric> DEFAULT = List.of(TTFT, TPOT, ITL, E2EL);

  private final String key;
  private final String label;
  private final String title;
  private final Function<Summary.Latencies, Distribution> distribution;

  PercentileMetric(
      String key,
      String label,
      String title,
      Function<Summary.Latencies, Distribution> distribution) {
    this.key = key;
    this.label = label;
    this.title = title;
    this.distribution = distribution;
  }

  /**
   * vLLM's name, as in {@code --percentile-metrics} and the result file's {@code mean_<key>_ms}.
   */
  public String key() {
    return key;
  }

  /** The short name in a console line, such as {@code TTFT}. */
  String label() {
    return label;
  }

  /** The heading of the metric's block in the console. */
  String title() {
    return title;
  }

  /** The metric's statistics in {@code summary}. */
  public Distribution of(Summary summary) {
    return distribution.apply(summary.latencies());
  }

  /**
   * The metrics named in a {@code --percentile-metrics} list, in its order, each once.
   *
   * @throws InvalidInputException for an unknown or repeated name, listing the names
   */
  public static List<PercentileMetric> parse(List<String> names) {
    List<PercentileMetric> metrics = new ArrayList<>();
    for (String name : names) {
      String wanted = name.strip().toLowerCase(Locale.ROOT);
      PercentileMetric metric =
          Arrays.stream(values())
              .filter(candidate -> candidate.key.equals(wanted))
              .findFirst()
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "--percentile-metrics: unknown metric '"
                              + name
                              + "': use a comma-separated list of "
                              + Arrays.stream(values())
                                  .map(PercentileMetric::key)
                                  .collect(Collectors.joining(", "))));
      if (metrics.contains(metric)) {
        throw new InvalidInputException(
            "--percentile-metrics names " + metric.key + " twice: name each metric once");
      }
      metrics.add(metric);
    }
    if (metrics.isEmpty()) {
      throw new InvalidInputException(
          "--percentile-metrics is empty: name at least one metric, e.g. ttft,tpot,itl,e2el");
    }
    return List.copyOf(metrics);
  }

  /**
   * The metrics a run used, as its configuration stored them ({@code percentile_metrics}), so that
   * a report rebuilt from its records prints what the run printed; the default for records that
   * stored none (written before the key existed).
   *
   * @throws InvalidInputException where the stored value names no metric this version knows
   */
  public static List<PercentileMetric> stored(Summary summary) {
    Object stored = summary.run().configuration().get("percentile_metrics");
    if (stored == null) {
      return DEFAULT;
    }
    if (stored instanceof List<?> names
        && !names.isEmpty()
        && names.stream().allMatch(String.class::isInstance)) {
      List<PercentileMetric> metrics = new ArrayList<>();
      for (Object name : names) {
        PercentileMetric metric =
            Arrays.stream(values()).filter(m -> m.key.equals(name)).findFirst().orElse(null);
        if (metric == null || metrics.contains(metric)) {
          metrics = null;
          break;
        }
        metrics.add(metric);
      }
      if (metrics != null) {
        return List.copyOf(metrics);
      }
    }
    throw new InvalidInputException(
        "the run's configuration holds percentile_metrics "
            + stored
            + ", not a list of "
            + Arrays.stream(values()).map(PercentileMetric::key).collect(Collectors.joining(", "))
            + ": the records file is damaged; 'servebench report --percentile-metrics' overrides it");
  }
}
