package dev.servebench.mock;

import java.util.List;
import java.util.OptionalLong;

/**
 * What the server actually wrote for one generation request, stamped with {@link System#nanoTime()}
 * on the event loop right before each write: the ground truth a client's own measurements are
 * checked against (same host, same clock).
 *
 * @param requestId the request's {@code X-Servebench-Request-Id} header, or its arrival number
 * @param receivedNanos when the request's first bytes were read (before decoding)
 * @param headersNanos when the response headers were written; empty if they never were
 * @param chunks every write that carried generated tokens, in order (role-only, usage and end
 *     events are not listed)
 * @param totalTokens tokens written in all chunks
 */
public record RequestWrites(
    String requestId,
    long receivedNanos,
    OptionalLong headersNanos,
    List<Chunk> chunks,
    int totalTokens) {

  public RequestWrites {
    chunks = List.copyOf(chunks);
  }

  /** One token-bearing write: when it was handed to the connection and how many tokens it held. */
  public record Chunk(long writeNanos, int tokens) {}
}
