package dev.servebench.mock;

import java.nio.charset.StandardCharsets;

/**
 * The mock server's counts in Prometheus's text exposition format (version 0.0.4), under the names
 * and labels vLLM gives them, read at the moment of the scrape: what a client scraping a vLLM
 * server during a benchmark finds, with values that are the mock's own truth.
 *
 * <p>Counters are named with their {@code _total} suffix on the {@code # TYPE} line too, and every
 * value is written as a float ({@code 4.0}), as vLLM's Python client writes them.
 */
final class VllmMetrics {

  /** The media type of the format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private VllmMetrics() {}

  /**
   * The exposition as of now.
   *
   * @param modelName the value of every sample's {@code model_name} label
   */
  static byte[] render(String modelName, SequenceScheduler scheduler, MockCounters counters) {
    String model = "model_name=\"" + escapeLabelValue(modelName) + "\"";
    int[] counts = scheduler.counts();
    int maxRunning = scheduler.capacity().maxRunningSequences();
    double cacheUsage = maxRunning > 0 ? (double) counts[0] / maxRunning : 0;
    FirstTokenHistogram.Snapshot ttft = counters.firstTokens();
    StringBuilder text = new StringBuilder(4096);
    family(
        text,
        "vllm:num_requests_running",
        "gauge",
        "Number of requests in model execution batches.");
    sample(text, "vllm:num_requests_running", model, counts[0]);
    family(
        text, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.");
    sample(text, "vllm:num_requests_waiting", model, counts[1]);
    family(
        text,
        "vllm:gpu_cache_usage_perc",
        "gauge",
        "GPU KV-cache usage. 1 means 100 percent usage (the mock: running / max running).");
    sample(text, "vllm:gpu_cache_usage_perc", model, cacheUsage);
    family(
        text,
        "vllm:kv_cache_usage_perc",
        "gauge",
        "KV-cache usage. 1 means 100 percent usage (the mock: running / max running).");
    sample(text, "vllm:kv_cache_usage_perc", model, cacheUsage);
    family(
        text,
        "vllm:num_preemptions_total",
        "counter",
        "Cumulative number of preemption from the engine (the mock never preempts).");
    sample(text, "vllm:num_preemptions_total", model, 0);
    family(text, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.");
    sample(text, "vllm:prompt_tokens_total", model, counters.promptTokens());
    family(
        text, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.");
    sample(text, "vllm:generation_tokens_total", model, counters.generatedTokens());
    family(
        text,
        "vllm:request_success_total",
        "counter",
        "Count of successfully processed requests (the mock always stops at the length asked).");
    sample(text, "vllm:request_success_total", "finished_reason=\"stop\"," + model, 0);
    sample(
        text,
        "vllm:request_success_total",
        "finished_reason=\"length\"," + model,
        counters.requestsServed());
    String histogram = "vllm:time_to_first_token_seconds";
    family(text, histogram, "histogram", "Histogram of time to first token in seconds.");
    long[] cumulative = ttft.cumulativeCounts();
    for (int i = 0; i < cumulative.length; i++) {
      String bound =
          i < FirstTokenHistogram.BOUNDS_SECONDS.length
              ? number(FirstTokenHistogram.BOUNDS_SECONDS[i])
              : "+Inf";
      sample(text, histogram + "_bucket", model + ",le=\"" + bound + "\"", cumulative[i]);
    }
    sample(text, histogram + "_count", model, ttft.count());
    sample(text, histogram + "_sum", model, ttft.sumNanos() / 1e9);
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void family(StringBuilder text, String name, String type, String help) {
    text.append("# HELP ").append(name).append(' ').append(help).append('\n');
    text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder text, String name, String labels, double value) {
    text.append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
  }

  /** A float as Python writes it for a whole number ({@code 4.0}); Java's form otherwise. */
  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return (long) value + ".0";
    }
    return Double.toString(value);
  }

  /** Backslash, double quote and line feed escaped, as the format requires in a label value. */
  static String escapeLabelValue(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
