package dev.servebench.endpoint;

import dev.servebench.record.FailureReason;

/**
 * What a {@link ResponseParser} learns from one response, reported as it is learned. The engine
 * implements it with the request's mutable timeline; parsers know nothing of timing or statistics.
 */
public interface ResponseEvents {

  /**
   * A streamed chunk of generated text arrived: one SSE event's content or reasoning delta, or one
   * read of a plain-text stream. Called once per chunk, never with empty text: role-only, empty and
   * usage-only events are not output.
   *
   * @param reasoning whether the chunk is only reasoning output ({@code reasoning_content}/{@code
   *     reasoning}), no answer text
   * @param arrivalNanos {@link System#nanoTime()} of the read that carried it
   */
  void onStreamedOutput(String text, boolean reasoning, long arrivalNanos);

  /** The whole output of a non-streamed response. */
  void onCompleteOutput(String text);

  /**
   * Token counts reported by the server; -1 for a count it did not report. Called again if the
   * server reports them again (continuous usage): the last report wins.
   */
  void onUsage(int promptTokens, int completionTokens);

  /** The protocol's explicit end marker ({@code data: [DONE]}) arrived. */
  void onEndMarker();

  /** The response is unusable or reports an error; the request fails with this reason. */
  void onFailure(FailureReason reason, String message);
}
