package dev.servebench.engine;

import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.ResponseEvents;
import dev.servebench.record.FailureReason;
import dev.servebench.record.RequestRecord;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mutable timeline of one attempt of one request while it runs. After it is sent, only its
 * connection's I/O thread touches it, until {@link #finish} hands it to the recorder thread (the
 * hand-off through a concurrent queue publishes every field). Stamps are {@link System#nanoTime()}
 * readings; they are made relative to the run's start only when the record is built.
 */
final class InFlightRequest implements ResponseEvents {

  final int index;
  final Prompt prompt;
  final byte[] body;
  final long intendedNanos;
  final boolean warmup;

  /** 1 for the first attempt; a retry is a new object with the next number. */
  final int attempt;

  /** "reason: message" of every earlier attempt that failed. */
  final List<String> earlierErrors;

  /** Retries of this request that counted against {@code --retries} (transparent ones do not). */
  final int retriesUsed;

  /** Whether the request has had its one transparent retry after a reused connection closed. */
  final boolean transparentRetryUsed;

  /** The multi-turn session this request is a turn of, or {@code null}; set before it is sent. */
  SessionState session;

  /** Which turn of {@link #session} it is, 0 for the first. */
  int turn;

  /** When the first attempt was sent: schedule lag is measured to it, whatever retries follow. */
  long firstSentNanos = RequestRecord.ABSENT;

  long sentNanos = RequestRecord.ABSENT;
  long headersNanos = RequestRecord.ABSENT;
  long endNanos = RequestRecord.ABSENT;
  long firstContentNanos = RequestRecord.ABSENT;
  int httpStatus = -1;
  boolean streamed;

  /** The connection carrying the request or being opened for it, so a stop can cancel it. */
  volatile Channel channel;

  /** Whether the connection had carried an earlier request (a kept-alive one). */
  boolean reusedConnection;

  long responseBytes;
  String retryAfterHeader;

  /**
   * Sized for the tokens asked for (one chunk each, the common case), so that a stream fills them
   * without growing them: each doubling copies all three, and on one core every collection that
   * garbage brings delays the reads.
   */
  private long[] chunkNanos;

  /** Where each chunk's text ends in {@link #output}. */
  private int[] chunkEnds;

  /** The server's running completion count when each chunk arrived, -1 when it sent none. */
  private int[] usageAtChunk;

  private int chunkCount;
  final StringBuilder output;
  int serverPromptTokens = -1;
  int serverCompletionTokens = -1;
  FailureReason failureReason;
  String error;
  private final AtomicBoolean finished = new AtomicBoolean();

  private static final int MIN_CHUNK_CAPACITY = 16;

  /**
   * Beyond this a long stream grows its arrays as it goes: a server may stop long before the tokens
   * asked for, and 10,000 streams each holding room for thousands of chunks would fill the heap.
   */
  private static final int MAX_INITIAL_CHUNK_CAPACITY = 1024;

  /**
   * English text runs four to six characters a token in the usual BPE vocabularies; room for more.
   */
  private static final int EXPECTED_CHARS_PER_TOKEN = 8;

  InFlightRequest(int index, Prompt prompt, byte[] body, long intendedNanos, boolean warmup) {
    this(index, prompt, body, intendedNanos, warmup, 1, 0, false, List.of());
  }

  private InFlightRequest(
      int index,
      Prompt prompt,
      byte[] body,
      long intendedNanos,
      boolean warmup,
      int attempt,
      int retriesUsed,
      boolean transparentRetryUsed,
      List<String> earlierErrors) {
    this.index = index;
    this.prompt = prompt;
    this.body = body;
    this.intendedNanos = intendedNanos;
    this.warmup = warmup;
    this.attempt = attempt;
    this.earlierErrors = earlierErrors;
    this.retriesUsed = retriesUsed;
    this.transparentRetryUsed = transparentRetryUsed;
    int expectedChunks =
        Math.clamp(prompt.outputTokens() + 1L, MIN_CHUNK_CAPACITY, MAX_INITIAL_CHUNK_CAPACITY);
    this.chunkNanos = new long[expectedChunks];
    this.chunkEnds = new int[expectedChunks];
    this.usageAtChunk = new int[expectedChunks];
    this.output = new StringBuilder(expectedChunks * EXPECTED_CHARS_PER_TOKEN);
  }

  /**
   * The next attempt of this request, remembering why this one failed and when the first was sent.
   *
   * @param transparent the one retry after a reused connection closed, not counted as a retry
   */
  InFlightRequest nextAttempt(boolean transparent) {
    List<String> errors = new ArrayList<>(earlierErrors);
    errors.add(failureReason.label() + ": " + error);
    InFlightRequest next =
        new InFlightRequest(
            index,
            prompt,
            body,
            intendedNanos,
            warmup,
            attempt + 1,
            transparent ? retriesUsed : retriesUsed + 1,
            transparentRetryUsed || transparent,
            List.copyOf(errors));
    next.firstSentNanos = firstSentNanos;
    next.session = session;
    next.turn = turn;
    return next;
  }

  @Override
  public void onStreamedOutput(String text, boolean reasoning, long arrivalNanos) {
    output.append(text);
    if (!reasoning && firstContentNanos == RequestRecord.ABSENT) {
      firstContentNanos = arrivalNanos;
    }
    // Each call is one chunk, even when several events share a read: they then truly arrived
    // together, and the gap of 0 between them is what the client saw.
    if (chunkCount == chunkNanos.length) {
      int grown = chunkCount * 2;
      chunkNanos = Arrays.copyOf(chunkNanos, grown);
      chunkEnds = Arrays.copyOf(chunkEnds, grown);
      usageAtChunk = Arrays.copyOf(usageAtChunk, grown);
    }
    chunkNanos[chunkCount] = arrivalNanos;
    chunkEnds[chunkCount] = output.length();
    usageAtChunk[chunkCount] = -1;
    chunkCount++;
  }

  @Override
  public void onCompleteOutput(String text) {
    output.append(text);
  }

  @Override
  public void onUsage(int promptTokens, int completionTokens) {
    if (promptTokens >= 0) {
      serverPromptTokens = promptTokens;
    }
    if (completionTokens >= 0) {
      serverCompletionTokens = completionTokens;
      if (chunkCount > 0) {
        // Continuous usage: the count that came with (or right after) the latest chunk.
        usageAtChunk[chunkCount - 1] = completionTokens;
      }
    }
  }

  @Override
  public void onEndMarker() {
    // The stream parser checks for the marker itself; nothing else depends on it.
  }

  @Override
  public void onFailure(FailureReason reason, String message) {
    if (failureReason == null) {
      failureReason = reason;
      error = message;
    }
  }

  /** Marks the attempt ended; true only for the first caller, so it is recorded exactly once. */
  boolean finish(long nowNanos) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    endNanos = nowNanos;
    return true;
  }

  boolean hasOutput() {
    return chunkCount > 0 || output.length() > 0;
  }

  /** Arrival stamps of the token-bearing chunks. */
  long[] chunkNanos() {
    return Arrays.copyOf(chunkNanos, chunkCount);
  }

  /** The text of each chunk, in order. */
  List<String> chunkTexts() {
    List<String> texts = new ArrayList<>(chunkCount);
    for (int i = 0; i < chunkCount; i++) {
      texts.add(output.substring(i == 0 ? 0 : chunkEnds[i - 1], chunkEnds[i]));
    }
    return texts;
  }

  /**
   * Tokens in each chunk as the server's counts tell them, or {@code null} when they cannot: from
   * its running counts when it sent one with every chunk (continuous usage stats); otherwise, when
   * its total equals the number of chunks, one token each, since every chunk carries at least one.
   * That is the common case (one token per event), and it spares tokenizing every chunk.
   */
  int[] chunkTokensFromServer() {
    if (chunkCount == 0) {
      return null;
    }
    int[] tokens = new int[chunkCount];
    int previous = 0;
    for (int i = 0; i < chunkCount; i++) {
      if (usageAtChunk[i] < 0) {
        if (serverCompletionTokens != chunkCount) {
          return null;
        }
        Arrays.fill(tokens, 1);
        return tokens;
      }
      tokens[i] = usageAtChunk[i] - previous;
      previous = usageAtChunk[i];
    }
    return tokens;
  }
}
