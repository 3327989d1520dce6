package dev.servebench.metrics;

/**
 * The server's figures under common names, whichever server reported them (docs/metrics.md, Server
 * metrics). Rates are per second; a server that reports no series for a figure leaves it out.
 */
public enum ServerFigure {
  /** Requests the server is working on now (in its running batch). */
  RUNNING("running"),
  /** Requests the server has accepted and not yet started. */
  WAITING("waiting"),
  /** The share of the server's KV cache in use, 0 to 1. */
  KV_CACHE_USAGE("kv_cache_usage"),
  /** Prompt (prefill) tokens the server processed per second. */
  PROMPT_TOKENS_PER_S("prompt_tokens_per_s"),
  /** Tokens the server generated per second. */
  GENERATION_TOKENS_PER_S("generation_tokens_per_s"),
  /** Requests the server preempted (evicted from the batch to free KV cache) per second. */
  PREEMPTIONS_PER_S("preemptions_per_s"),
  /** The server's own batch size, where it reports one apart from its running requests. */
  BATCH_SIZE("batch_size");

  private final String key;

  ServerFigure(String key) {
    this.key = key;
  }

  /** The name in the summary JSON and the HTML report's data. */
  public String key() {
    return key;
  }
}
