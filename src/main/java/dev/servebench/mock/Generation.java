package dev.servebench.mock;

/**
 * A generation the server has accepted: which protocol frames it, how many tokens it produces per
 * prompt, and the seed that fixes its latencies and text.
 *
 * @param promptTokens prompt length of each prompt (several for a static batch)
 */
record Generation(
    ResponseFormat format, boolean stream, int[] promptTokens, int outputTokens, long seed)
    implements Reply {

  int totalPromptTokens() {
    int total = 0;
    for (int tokens : promptTokens) {
      total += tokens;
    }
    return total;
  }

  int totalOutputTokens() {
    return outputTokens * promptTokens.length;
  }
}
