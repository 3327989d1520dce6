package dev.servebench.mock;

/**
 * Where an OpenAI stream reports {@code usage} when the request asks for it with {@code
 * stream_options.include_usage}; real servers differ, and a client must handle each.
 */
public enum UsagePlacement {
  /** A last event with {@code "choices": []} before {@code [DONE]}, as vLLM and OpenAI send. */
  SEPARATE,
  /** Inside the last content event, beside {@code finish_reason}. */
  IN_LAST_CONTENT,
  /** Never, even when asked. */
  ABSENT,
  /**
   * Running totals in every content event (vLLM's {@code continuous_usage_stats}), and the separate
   * last event too.
   */
  CONTINUOUS
}
