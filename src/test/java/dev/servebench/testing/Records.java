package dev.servebench.testing;

import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import dev.servebench.record.RunInfo;
import dev.servebench.record.TokenSource;
import java.time.Instant;
import java.util.Map;

/** Builds request records with known timings for tests (all times in milliseconds). */
public final class Records {

  private static final long MS = 1_000_000L;

  private Records() {}

  public static RunInfo run(double ratePerSecond) {
    return new RunInfo(
        "test-run", "test", Instant.parse("2026-01-01T00:00:00Z"), ratePerSecond, Map.of("k", "v"));
  }

  /**
   * A successful streamed request: sent at {@code sentMs}, chunks at the given times after send.
   */
  public static RequestRecord streamed(
      int index,
      long intendedMs,
      long sentMs,
      int promptTokens,
      int outputTokens,
      long... chunkMsAfterSend) {
    return streamed(false, index, intendedMs, sentMs, promptTokens, outputTokens, chunkMsAfterSend);
  }

  /** A successful streamed request sent on time at 0 during warm-up. */
  public static RequestRecord warmupStreamed(
      int index, int promptTokens, int outputTokens, long... chunkMsAfterSend) {
    return streamed(true, index, 0, 0, promptTokens, outputTokens, chunkMsAfterSend);
  }

  private static RequestRecord streamed(
      boolean warmup,
      int index,
      long intendedMs,
      long sentMs,
      int promptTokens,
      int outputTokens,
      long... chunkMsAfterSend) {
    long[] chunks = new long[chunkMsAfterSend.length];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = (sentMs + chunkMsAfterSend[i]) * MS;
    }
    long last = chunks.length == 0 ? RequestRecord.ABSENT : chunks[chunks.length - 1];
    long first = chunks.length == 0 ? RequestRecord.ABSENT : chunks[0];
    // The first chunk carries whatever the later ones (one token each) leave of the output.
    int[] tokens = new int[chunks.length];
    java.util.Arrays.fill(tokens, 1);
    if (tokens.length > 0) {
      tokens[0] = Math.max(1, outputTokens - (tokens.length - 1));
    }
    return RequestRecord.builder()
        .index(index)
        .warmup(warmup)
        .streamed(true)
        .intendedNanos(intendedMs * MS)
        .sentNanos(sentMs * MS)
        .firstSentNanos(sentMs * MS)
        .headersNanos(sentMs * MS + MS / 2)
        .firstTokenNanos(first)
        .lastTokenNanos(last)
        .endNanos((last == RequestRecord.ABSENT ? sentMs * MS : last) + MS / 10)
        .firstContentNanos(first)
        .chunks(chunks, tokens, chunks.length == 0 ? null : TokenSource.SERVER)
        .promptTokens(promptTokens, TokenSource.SERVER)
        .localPromptTokens(promptTokens)
        .serverPromptTokens(promptTokens)
        .requestedOutputTokens(outputTokens)
        .outputTokens(outputTokens, TokenSource.SERVER)
        .httpStatus(200)
        .build();
  }

  /** A successful non-streamed request taking {@code e2eMs}. */
  public static RequestRecord complete(
      int index, long sentMs, long e2eMs, int promptTokens, int outputTokens) {
    return RequestRecord.builder()
        .index(index)
        .intendedNanos(sentMs * MS)
        .sentNanos(sentMs * MS)
        .firstSentNanos(sentMs * MS)
        .headersNanos((sentMs + e2eMs) * MS)
        .endNanos((sentMs + e2eMs) * MS)
        .promptTokens(promptTokens, TokenSource.LOCAL)
        .localPromptTokens(promptTokens)
        .requestedOutputTokens(outputTokens)
        .outputTokens(outputTokens, TokenSource.LOCAL)
        .httpStatus(200)
        .build();
  }

  /**
   * A successful non-streamed request whose prompt the local tokenizer counted as {@code
   * localPromptTokens} and the server as {@code serverPromptTokens}.
   */
  public static RequestRecord promptCounted(
      int index, int localPromptTokens, int serverPromptTokens) {
    return RequestRecord.builder()
        .index(index)
        .intendedNanos(index * MS)
        .sentNanos(index * MS)
        .firstSentNanos(index * MS)
        .headersNanos((index + 10) * MS)
        .endNanos((index + 10) * MS)
        .promptTokens(serverPromptTokens, TokenSource.SERVER)
        .localPromptTokens(localPromptTokens)
        .serverPromptTokens(serverPromptTokens)
        .requestedOutputTokens(8)
        .outputTokens(8, TokenSource.SERVER)
        .httpStatus(200)
        .build();
  }

  /** A failed request. */
  public static RequestRecord failed(
      int index, long sentMs, int httpStatus, FailureReason reason, String error) {
    return failed(false, index, sentMs, httpStatus, reason, error);
  }

  /** The same as {@link #failed}, sent during warm-up. */
  public static RequestRecord warmupFailed(
      int index, long sentMs, int httpStatus, FailureReason reason, String error) {
    return failed(true, index, sentMs, httpStatus, reason, error);
  }

  private static RequestRecord failed(
      boolean warmup, int index, long sentMs, int httpStatus, FailureReason reason, String error) {
    return RequestRecord.builder()
        .index(index)
        .warmup(warmup)
        .streamed(true)
        .intendedNanos(sentMs * MS)
        .sentNanos(sentMs * MS)
        .firstSentNanos(sentMs * MS)
        .endNanos((sentMs + 5) * MS)
        .promptTokens(10, TokenSource.LOCAL)
        .localPromptTokens(10)
        .requestedOutputTokens(16)
        .outputTokens(0, TokenSource.LOCAL)
        .httpStatus(httpStatus)
        .failure(reason, error)
        .build();
  }
}
