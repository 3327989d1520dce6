package dev.servebench.engine;

import dev.servebench.dataset.Prompt;
import dev.servebench.endpoint.FailureReason;
import dev.servebench.endpoint.ResponseEvents;
import dev.servebench.record.RequestRecord;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The mutable timeline of one request while it runs. After it is sent, only its connection's I/O
 * thread touches it, until {@link #finish} hands it to the recorder thread (the hand-off through a
 * concurrent queue publishes every field). Stamps are {@link System#nanoTime()} readings; they are
 * made relative to the run's start only when the record is built.
 */
final class InFlightRequest implements ResponseEvents {

  final int index;
  final Prompt prompt;
  final byte[] body;
  final long intendedNanos;
  long sentNanos = RequestRecord.ABSENT;
  long headersNanos = RequestRecord.ABSENT;
  long endNanos = RequestRecord.ABSENT;
  int httpStatus = -1;
  boolean streamed;
  private long[] chunkNanos = new long[16];
  private int chunkCount;
  final StringBuilder output = new StringBuilder();
  int serverPromptTokens = -1;
  int serverCompletionTokens = -1;
  FailureReason failureReason;
  String error;
  private final AtomicBoolean finished = new AtomicBoolean();

  InFlightRequest(int index, Prompt prompt, byte[] body, long intendedNanos) {
    this.index = index;
    this.prompt = prompt;
    this.body = body;
    this.intendedNanos = intendedNanos;
  }

  @Override
  public void onStreamedOutput(String text, boolean reasoning, long arrivalNanos) {
    output.append(text);
    // Each call is one chunk, even when several events share a read: they then truly arrived
    // together, and the gap of 0 between them is what the client saw.
    if (chunkCount == chunkNanos.length) {
      chunkNanos = Arrays.copyOf(chunkNanos, chunkCount * 2);
    }
    chunkNanos[chunkCount++] = arrivalNanos;
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
    }
  }

  @Override
  public void onEndMarker() {
    // The stream parser checks for the marker itself; nothing else depends on it yet.
  }

  @Override
  public void onFailure(FailureReason reason, String message) {
    if (failureReason == null) {
      failureReason = reason;
      error = message;
    }
  }

  /** Marks the request ended; true only for the first caller, so it is recorded exactly once. */
  boolean finish(long nowNanos) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    endNanos = nowNanos;
    return true;
  }

  boolean isFinished() {
    return finished.get();
  }

  /** Arrival stamps of the token-bearing chunks. */
  long[] chunkNanos() {
    return Arrays.copyOf(chunkNanos, chunkCount);
  }
}
