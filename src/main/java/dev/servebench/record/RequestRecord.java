package dev.servebench.record;

import java.util.List;

/**
 * Everything known about one request once it has ended: the unit every report is computed from. Its
 * values are grouped by kind (stamps, chunks, token counts, outcome, texts) so that a value cannot
 * land in its neighbour's place unnoticed; {@link #builder()} names each one.
 *
 * <p>Times are {@link System#nanoTime()} readings minus the run's start reading, so they are
 * nanoseconds since the start of the run; {@link #ABSENT} marks a stamp that was never taken (no
 * token arrived, the request failed before headers, a non-streamed request has no chunks).
 *
 * @param index the request's position in the plan
 * @param warmup whether the request was sent during warm-up: recorded, but left out of statistics
 * @param outcome how it ended, after how many attempts
 * @param stamps when each step of it happened
 * @param streamed whether a streamed response was asked for and received
 * @param chunks its token-bearing chunks (none when not streamed)
 * @param tokens its input and output token counts
 * @param texts its prompt and output, kept only with {@code --track-input-output}
 * @param turn its place in a multi-turn session, or {@code null} outside {@code --multi-turn}
 */
public record RequestRecord(
    int index,
    boolean warmup,
    Outcome outcome,
    Stamps stamps,
    boolean streamed,
    Chunks chunks,
    TokenCounts tokens,
    Texts texts,
    Turn turn) {

  /**
   * A request's place in a multi-turn session: turn {@code number} of session {@code session}. Its
   * prompt was the conversation so far; it was intended when the previous turn's response ended
   * plus the think time (the first turn: when the plan started the session).
   *
   * @param session the session's number, 0 for the first one started
   * @param number 1 for the session's first turn
   * @param turns how many turns the session has in all (it may stop earlier: a failed turn ends it,
   *     and so does the end of the run)
   */
  public record Turn(int session, int number, int turns) {}

  /**
   * When each step of a request happened, in nanoseconds since the run's start, or {@link #ABSENT}.
   *
   * @param intendedNanos when the schedule planned to send it
   * @param sentNanos when its last attempt's bytes were handed to a kept-alive connection on its
   *     I/O thread, or, for a new connection, when connecting began (after any wait for a
   *     concurrency slot); TTFT and E2E are measured from it
   * @param firstSentNanos when its first attempt was: equal to {@code sentNanos} unless retried;
   *     schedule lag is measured to it
   * @param headersNanos when the response's status and headers arrived
   * @param firstTokenNanos the first chunk that carried generated text
   * @param lastTokenNanos the last chunk that carried generated text
   * @param endNanos when the response completed or the request failed
   * @param firstContentNanos the first chunk with answer text rather than reasoning text
   */
  public record Stamps(
      long intendedNanos,
      long sentNanos,
      long firstSentNanos,
      long headersNanos,
      long firstTokenNanos,
      long lastTokenNanos,
      long endNanos,
      long firstContentNanos) {}

  /**
   * The token-bearing chunks of a streamed response.
   *
   * @param nanos arrival of each, in order
   * @param tokens tokens in each (same length as {@code nanos})
   * @param tokensSource whether the server's counts (running counts, or a total equal to the number
   *     of chunks: one each) or the local tokenizer gave {@code tokens}; {@code null} when there
   *     are no chunks
   */
  public record Chunks(long[] nanos, int[] tokens, TokenSource tokensSource) {
    public static final Chunks NONE = new Chunks(new long[0], new int[0], null);

    public int count() {
      return nanos.length;
    }
  }

  /**
   * Input and output token counts.
   *
   * @param prompt input tokens: the server's count when reported, else the local count
   * @param promptSource which of the two {@code prompt} is
   * @param localPrompt the local tokenizer's count of the prompt as sent
   * @param serverPrompt the server's count, or -1 when it reported none
   * @param requestedOutput the {@code max_tokens} asked for
   * @param output output tokens: the server's count when reported, else the local count of the
   *     whole generated text (0 for a failed request that produced nothing)
   * @param outputSource which of the two {@code output} is
   */
  public record TokenCounts(
      int prompt,
      TokenSource promptSource,
      int localPrompt,
      int serverPrompt,
      int requestedOutput,
      int output,
      TokenSource outputSource) {}

  /**
   * How the request ended.
   *
   * @param httpStatus the response status, or -1 when none arrived
   * @param failureReason why it failed, or {@code null} when it succeeded
   * @param error the failure message (truncated), or {@code null}
   * @param attempts how many times it was sent (1 unless retried)
   * @param attemptErrors "reason: message" of each earlier attempt that failed
   */
  public record Outcome(
      int httpStatus,
      FailureReason failureReason,
      String error,
      int attempts,
      List<String> attemptErrors) {}

  /**
   * The request's texts, kept only with {@code --track-input-output}.
   *
   * @param prompt the prompt, or {@code null}
   * @param output the generated text, or {@code null}
   */
  public record Texts(String prompt, String output) {
    public static final Texts NONE = new Texts(null, null);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A stamp that was never taken. */
  public static final long ABSENT = -1;

  public boolean succeeded() {
    return outcome.failureReason() == null;
  }

  /** Whether the run was interrupted before this request could finish. */
  public boolean cancelled() {
    return outcome.failureReason() == FailureReason.CANCELLED;
  }

  /** Time to first token: first token-bearing chunk minus sent; {@link #ABSENT} if none. */
  public long ttftNanos() {
    return stamps.firstTokenNanos() == ABSENT
        ? ABSENT
        : stamps.firstTokenNanos() - stamps.sentNanos();
  }

  /**
   * End-to-end latency: last token-bearing chunk minus sent for a stream (the seed's latency per
   * request), completion minus sent for a non-streamed request.
   */
  public long e2eNanos() {
    if (streamed) {
      return stamps.lastTokenNanos() == ABSENT
          ? ABSENT
          : stamps.lastTokenNanos() - stamps.sentNanos();
    }
    return stamps.endNanos() - stamps.sentNanos();
  }

  /** Time per output token after the first: {@code (last - first) / (N - 1)}, only for N > 1. */
  public double tpotNanos() {
    if (!streamed || tokens.output() <= 1 || stamps.firstTokenNanos() == ABSENT) {
      return Double.NaN;
    }
    return (stamps.lastTokenNanos() - stamps.firstTokenNanos()) / (double) (tokens.output() - 1);
  }

  /**
   * Time to second token: the chunk that brought the output to two tokens, minus sent; {@link
   * #ABSENT} with fewer than two tokens. Equals TTFT when the first chunk carried two.
   */
  public long ttstNanos() {
    int count = 0;
    for (int i = 0; i < chunks.nanos().length; i++) {
      count += chunks.tokens()[i];
      if (count >= 2) {
        return chunks.nanos()[i] - stamps.sentNanos();
      }
    }
    return ABSENT;
  }

  /** Time to the first answer (non-reasoning) text; differs from TTFT for reasoning models. */
  public long ttfcNanos() {
    return stamps.firstContentNanos() == ABSENT
        ? ABSENT
        : stamps.firstContentNanos() - stamps.sentNanos();
  }

  /** How late the client sent the request: its first attempt's send minus intended. */
  public long scheduleLagNanos() {
    return stamps.firstSentNanos() - stamps.intendedNanos();
  }

  /** TTFT as a user arriving on schedule saw it: first token minus intended. */
  public long queueInclusiveTtftNanos() {
    return stamps.firstTokenNanos() == ABSENT
        ? ABSENT
        : stamps.firstTokenNanos() - stamps.intendedNanos();
  }

  /** E2E as a user arriving on schedule saw it, retries and their waits included. */
  public long queueInclusiveE2eNanos() {
    long e2e = e2eNanos();
    return e2e == ABSENT ? ABSENT : e2e + stamps.sentNanos() - stamps.intendedNanos();
  }

  /** Number of gaps between consecutive token-bearing chunks (the request's ITL samples). */
  public int itlSampleCount() {
    return Math.max(0, chunks.nanos().length - 1);
  }

  /** The {@code i}-th gap between token-bearing chunks. */
  public long itlNanos(int i) {
    return chunks.nanos()[i + 1] - chunks.nanos()[i];
  }

  /**
   * Builds a record value by value, each named: stamps and counts are adjacent numbers of one type,
   * which a positional call would let trade places silently. Stamps not set are {@link #ABSENT}; a
   * record starts as one attempt with no status, no chunks, no texts and no server counts.
   */
  public static final class Builder {
    private int index;
    private boolean warmup;
    private boolean streamed;
    private long intendedNanos = ABSENT;
    private long sentNanos = ABSENT;
    private long firstSentNanos = ABSENT;
    private long headersNanos = ABSENT;
    private long firstTokenNanos = ABSENT;
    private long lastTokenNanos = ABSENT;
    private long endNanos = ABSENT;
    private long firstContentNanos = ABSENT;
    private Chunks chunks = Chunks.NONE;
    private int promptTokens;
    private TokenSource promptTokensSource = TokenSource.LOCAL;
    private int localPromptTokens;
    private int serverPromptTokens = -1;
    private int requestedOutputTokens;
    private int outputTokens;
    private TokenSource outputTokensSource = TokenSource.LOCAL;
    private int httpStatus = -1;
    private FailureReason failureReason;
    private String error;
    private int attempts = 1;
    private List<String> attemptErrors = List.of();
    private Texts texts = Texts.NONE;
    private Turn turn;

    private Builder() {}

    /** Its place in a multi-turn session; unset outside one. */
    public Builder turn(int session, int number, int turns) {
      this.turn = new Turn(session, number, turns);
      return this;
    }

    public Builder index(int index) {
      this.index = index;
      return this;
    }

    public Builder warmup(boolean warmup) {
      this.warmup = warmup;
      return this;
    }

    public Builder streamed(boolean streamed) {
      this.streamed = streamed;
      return this;
    }

    public Builder intendedNanos(long nanos) {
      this.intendedNanos = nanos;
      return this;
    }

    public Builder sentNanos(long nanos) {
      this.sentNanos = nanos;
      return this;
    }

    public Builder firstSentNanos(long nanos) {
      this.firstSentNanos = nanos;
      return this;
    }

    public Builder headersNanos(long nanos) {
      this.headersNanos = nanos;
      return this;
    }

    public Builder firstTokenNanos(long nanos) {
      this.firstTokenNanos = nanos;
      return this;
    }

    public Builder lastTokenNanos(long nanos) {
      this.lastTokenNanos = nanos;
      return this;
    }

    public Builder endNanos(long nanos) {
      this.endNanos = nanos;
      return this;
    }

    public Builder firstContentNanos(long nanos) {
      this.firstContentNanos = nanos;
      return this;
    }

    public Builder stamps(Stamps stamps) {
      return intendedNanos(stamps.intendedNanos())
          .sentNanos(stamps.sentNanos())
          .firstSentNanos(stamps.firstSentNanos())
          .headersNanos(stamps.headersNanos())
          .firstTokenNanos(stamps.firstTokenNanos())
          .lastTokenNanos(stamps.lastTokenNanos())
          .endNanos(stamps.endNanos())
          .firstContentNanos(stamps.firstContentNanos());
    }

    /** Arrival and token count of each chunk (same length), and where the counts came from. */
    public Builder chunks(long[] nanos, int[] tokens, TokenSource tokensSource) {
      if (nanos.length != tokens.length) {
        throw new IllegalArgumentException(
            nanos.length + " chunk stamps but " + tokens.length + " chunk token counts");
      }
      this.chunks = new Chunks(nanos, tokens, tokensSource);
      return this;
    }

    public Builder promptTokens(int tokens, TokenSource source) {
      this.promptTokens = tokens;
      this.promptTokensSource = source;
      return this;
    }

    public Builder localPromptTokens(int tokens) {
      this.localPromptTokens = tokens;
      return this;
    }

    /** The server's count of the prompt, or -1 when it reported none. */
    public Builder serverPromptTokens(int tokens) {
      this.serverPromptTokens = tokens;
      return this;
    }

    public Builder requestedOutputTokens(int tokens) {
      this.requestedOutputTokens = tokens;
      return this;
    }

    public Builder outputTokens(int tokens, TokenSource source) {
      this.outputTokens = tokens;
      this.outputTokensSource = source;
      return this;
    }

    public Builder tokens(TokenCounts tokens) {
      return promptTokens(tokens.prompt(), tokens.promptSource())
          .localPromptTokens(tokens.localPrompt())
          .serverPromptTokens(tokens.serverPrompt())
          .requestedOutputTokens(tokens.requestedOutput())
          .outputTokens(tokens.output(), tokens.outputSource());
    }

    public Builder httpStatus(int status) {
      this.httpStatus = status;
      return this;
    }

    /** Why it failed and the message; both {@code null} for a request that succeeded. */
    public Builder failure(FailureReason reason, String error) {
      this.failureReason = reason;
      this.error = error;
      return this;
    }

    public Builder attempts(int attempts, List<String> earlierErrors) {
      this.attempts = attempts;
      this.attemptErrors = List.copyOf(earlierErrors);
      return this;
    }

    public Builder outcome(Outcome outcome) {
      return httpStatus(outcome.httpStatus())
          .failure(outcome.failureReason(), outcome.error())
          .attempts(outcome.attempts(), outcome.attemptErrors());
    }

    public Builder texts(String prompt, String output) {
      this.texts = prompt == null && output == null ? Texts.NONE : new Texts(prompt, output);
      return this;
    }

    public RequestRecord build() {
      return new RequestRecord(
          index,
          warmup,
          new Outcome(httpStatus, failureReason, error, attempts, attemptErrors),
          new Stamps(
              intendedNanos,
              sentNanos,
              firstSentNanos,
              headersNanos,
              firstTokenNanos,
              lastTokenNanos,
              endNanos,
              firstContentNanos),
          streamed,
          chunks,
          new TokenCounts(
              promptTokens,
              promptTokensSource,
              localPromptTokens,
              serverPromptTokens,
              requestedOutputTokens,
              outputTokens,
              outputTokensSource),
          texts,
          turn);
    }
  }
}
