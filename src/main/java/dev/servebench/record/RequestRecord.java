package dev.servebench.record;

import java.util.List;

/**
 * Everything known about one request once it has ended: the unit every report is computed from.
 *
 * <p>Times are {@link System#nanoTime()} readings minus the run's start reading, so they are
 * nanoseconds since the start of the run; {@link #ABSENT} marks a stamp that was never taken (no
 * token arrived, the request failed before headers, a non-streamed request has no chunks).
 *
 * @param index the request's position in the plan
 * @param warmup whether the request was sent during warm-up: recorded, but left out of statistics
 * @param attempts how many times it was sent (1 unless retried)
 * @param attemptErrors "reason: message" of each earlier attempt that failed
 * @param streamed whether a streamed response was asked for and received
 * @param intendedNanos when the schedule planned to send it
 * @param sentNanos when its last attempt's bytes were handed to a kept-alive connection on its I/O
 *     thread, or, for a new connection, when connecting began (after any wait for a concurrency
 *     slot); TTFT and E2E are measured from it
 * @param firstSentNanos when its first attempt was: equal to {@code sentNanos} unless retried;
 *     schedule lag is measured to it
 * @param headersNanos when the response's status and headers arrived
 * @param firstTokenNanos the first chunk that carried generated text
 * @param lastTokenNanos the last chunk that carried generated text
 * @param endNanos when the response completed or the request failed
 * @param firstContentNanos the first chunk with answer text rather than reasoning text
 * @param chunkNanos arrival of every token-bearing chunk, in order (empty when not streamed)
 * @param chunkTokens tokens in each chunk (same length as {@code chunkNanos})
 * @param chunkTokensSource whether the server's counts (running counts, or a total equal to the
 *     number of chunks: one each) or the local tokenizer gave {@code chunkTokens}; {@code null}
 *     when there are no chunks
 * @param promptTokens input tokens: the server's count when reported, else the local count
 * @param promptTokensSource which of the two {@code promptTokens} is
 * @param localPromptTokens the local tokenizer's count of the prompt as sent
 * @param serverPromptTokens the server's count, or -1 when it reported none
 * @param requestedOutputTokens the {@code max_tokens} asked for
 * @param outputTokens output tokens: the server's count when reported, else the local count of the
 *     whole generated text (0 for a failed request that produced nothing)
 * @param outputTokensSource which of the two {@code outputTokens} is
 * @param httpStatus the response status, or -1 when none arrived
 * @param failureReason why it failed, or {@code null} when it succeeded
 * @param error the failure message (truncated), or {@code null}
 * @param promptText the prompt, kept only with {@code --track-input-output}, else {@code null}
 * @param outputText the generated text, kept only with {@code --track-input-output}, else {@code
 *     null}
 */
public record RequestRecord(
    int index,
    boolean warmup,
    int attempts,
    List<String> attemptErrors,
    boolean streamed,
    long intendedNanos,
    long sentNanos,
    long firstSentNanos,
    long headersNanos,
    long firstTokenNanos,
    long lastTokenNanos,
    long endNanos,
    long firstContentNanos,
    long[] chunkNanos,
    int[] chunkTokens,
    TokenSource chunkTokensSource,
    int promptTokens,
    TokenSource promptTokensSource,
    int localPromptTokens,
    int serverPromptTokens,
    int requestedOutputTokens,
    int outputTokens,
    TokenSource outputTokensSource,
    int httpStatus,
    FailureReason failureReason,
    String error,
    String promptText,
    String outputText) {

  /** A stamp that was never taken. */
  public static final long ABSENT = -1;

  public boolean succeeded() {
    return failureReason == null;
  }

  /** Whether the run was interrupted before this request could finish. */
  public boolean cancelled() {
    return failureReason == FailureReason.CANCELLED;
  }

  /** Time to first token: first token-bearing chunk minus sent; {@link #ABSENT} if none. */
  public long ttftNanos() {
    return firstTokenNanos == ABSENT ? ABSENT : firstTokenNanos - sentNanos;
  }

  /**
   * End-to-end latency: last token-bearing chunk minus sent for a stream (the seed's latency per
   * request), completion minus sent for a non-streamed request.
   */
  public long e2eNanos() {
    if (streamed) {
      return lastTokenNanos == ABSENT ? ABSENT : lastTokenNanos - sentNanos;
    }
    return endNanos - sentNanos;
  }

  /** Time per output token after the first: {@code (last - first) / (N - 1)}, only for N > 1. */
  public double tpotNanos() {
    if (!streamed || outputTokens <= 1 || firstTokenNanos == ABSENT) {
      return Double.NaN;
    }
    return (lastTokenNanos - firstTokenNanos) / (double) (outputTokens - 1);
  }

  /**
   * Time to second token: the chunk that brought the output to two tokens, minus sent; {@link
   * #ABSENT} with fewer than two tokens. Equals TTFT when the first chunk carried two.
   */
  public long ttstNanos() {
    int tokens = 0;
    for (int i = 0; i < chunkNanos.length; i++) {
      tokens += chunkTokens[i];
      if (tokens >= 2) {
        return chunkNanos[i] - sentNanos;
      }
    }
    return ABSENT;
  }

  /** Time to the first answer (non-reasoning) text; differs from TTFT for reasoning models. */
  public long ttfcNanos() {
    return firstContentNanos == ABSENT ? ABSENT : firstContentNanos - sentNanos;
  }

  /** How late the client sent the request: its first attempt's send minus intended. */
  public long scheduleLagNanos() {
    return firstSentNanos - intendedNanos;
  }

  /** TTFT as a user arriving on schedule saw it: first token minus intended. */
  public long queueInclusiveTtftNanos() {
    return firstTokenNanos == ABSENT ? ABSENT : firstTokenNanos - intendedNanos;
  }

  /** E2E as a user arriving on schedule saw it, retries and their waits included. */
  public long queueInclusiveE2eNanos() {
    long e2e = e2eNanos();
    return e2e == ABSENT ? ABSENT : e2e + sentNanos - intendedNanos;
  }

  /** Number of gaps between consecutive token-bearing chunks (the request's ITL samples). */
  public int itlSampleCount() {
    return Math.max(0, chunkNanos.length - 1);
  }

  /** The {@code i}-th gap between token-bearing chunks. */
  public long itlNanos(int i) {
    return chunkNanos[i + 1] - chunkNanos[i];
  }
}
