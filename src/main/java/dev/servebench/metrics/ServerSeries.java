package dev.servebench.metrics;

import java.util.List;

/**
 * Which of a server's series gives each {@link ServerFigure}: the names vLLM, SGLang, TGI and
 * llama.cpp serve on {@code /metrics}. A figure takes the first source in this table that the
 * scrape holds, so a server that reports a figure two ways (SGLang's generation counter and its
 * throughput gauge) gives it once.
 */
final class ServerSeries {

  /** How a source's series become a figure. */
  enum Kind {
    /** The value as it is, summed over the series' label sets (engines, ranks). */
    GAUGE_SUM,
    /**
     * The value as it is, averaged over the series' label sets (a share of each engine's cache).
     */
    GAUGE_MEAN,
    /** A running total: its increase per second between scrapes, summed over the label sets. */
    COUNTER
  }

  /**
   * @param sampleName the sample's name as served
   * @param server the server that serves it, as the report names it
   */
  record Source(String sampleName, String server, ServerFigure figure, Kind kind) {}

  static final String VLLM = "vLLM";
  static final String SGLANG = "SGLang";
  static final String TGI = "TGI";
  static final String LLAMA_CPP = "llama.cpp";

  static final List<Source> SOURCES =
      List.of(
          new Source("vllm:num_requests_running", VLLM, ServerFigure.RUNNING, Kind.GAUGE_SUM),
          new Source("sglang:num_running_reqs", SGLANG, ServerFigure.RUNNING, Kind.GAUGE_SUM),
          new Source(
              "llamacpp:requests_processing", LLAMA_CPP, ServerFigure.RUNNING, Kind.GAUGE_SUM),
          // TGI's running requests are its current batch.
          new Source("tgi_batch_current_size", TGI, ServerFigure.RUNNING, Kind.GAUGE_SUM),
          new Source("vllm:num_requests_waiting", VLLM, ServerFigure.WAITING, Kind.GAUGE_SUM),
          new Source("sglang:num_queue_reqs", SGLANG, ServerFigure.WAITING, Kind.GAUGE_SUM),
          new Source("llamacpp:requests_deferred", LLAMA_CPP, ServerFigure.WAITING, Kind.GAUGE_SUM),
          new Source("tgi_queue_size", TGI, ServerFigure.WAITING, Kind.GAUGE_SUM),
          // vLLM V1's name first, then the V0 name it replaced; both are a share, 1 = full.
          new Source(
              "vllm:kv_cache_usage_perc", VLLM, ServerFigure.KV_CACHE_USAGE, Kind.GAUGE_MEAN),
          new Source(
              "vllm:gpu_cache_usage_perc", VLLM, ServerFigure.KV_CACHE_USAGE, Kind.GAUGE_MEAN),
          new Source("sglang:token_usage", SGLANG, ServerFigure.KV_CACHE_USAGE, Kind.GAUGE_MEAN),
          new Source(
              "llamacpp:kv_cache_usage_ratio",
              LLAMA_CPP,
              ServerFigure.KV_CACHE_USAGE,
              Kind.GAUGE_MEAN),
          new Source(
              "vllm:prompt_tokens_total", VLLM, ServerFigure.PROMPT_TOKENS_PER_S, Kind.COUNTER),
          new Source(
              "sglang:prompt_tokens_total", SGLANG, ServerFigure.PROMPT_TOKENS_PER_S, Kind.COUNTER),
          new Source(
              "llamacpp:prompt_tokens_total",
              LLAMA_CPP,
              ServerFigure.PROMPT_TOKENS_PER_S,
              Kind.COUNTER),
          // A histogram's sum only grows: TGI adds each request's input length when it is queued.
          new Source(
              "tgi_request_input_length_sum", TGI, ServerFigure.PROMPT_TOKENS_PER_S, Kind.COUNTER),
          new Source(
              "vllm:generation_tokens_total",
              VLLM,
              ServerFigure.GENERATION_TOKENS_PER_S,
              Kind.COUNTER),
          new Source(
              "sglang:generation_tokens_total",
              SGLANG,
              ServerFigure.GENERATION_TOKENS_PER_S,
              Kind.COUNTER),
          new Source(
              "sglang:gen_throughput",
              SGLANG,
              ServerFigure.GENERATION_TOKENS_PER_S,
              Kind.GAUGE_SUM),
          new Source(
              "llamacpp:tokens_predicted_total",
              LLAMA_CPP,
              ServerFigure.GENERATION_TOKENS_PER_S,
              Kind.COUNTER),
          // TGI adds a request's generated tokens when the request ends, so its rate comes in
          // steps.
          new Source(
              "tgi_request_generated_tokens_sum",
              TGI,
              ServerFigure.GENERATION_TOKENS_PER_S,
              Kind.COUNTER),
          new Source(
              "vllm:num_preemptions_total", VLLM, ServerFigure.PREEMPTIONS_PER_S, Kind.COUNTER),
          new Source("tgi_batch_current_size", TGI, ServerFigure.BATCH_SIZE, Kind.GAUGE_SUM),
          // An average over the server's life, not the batch of the moment.
          new Source(
              "llamacpp:n_busy_slots_per_decode",
              LLAMA_CPP,
              ServerFigure.BATCH_SIZE,
              Kind.GAUGE_SUM));

  private ServerSeries() {}
}
