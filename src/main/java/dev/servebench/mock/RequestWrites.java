package dev.servebench.mock;

import java.util.List;
import java.util.Optional;
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
 * @param admission when the request waited for, and got, its place among the running sequences;
 *     empty for one answered by a fault in place of an answer, which never takes a place
 */
public record RequestWrites(
    String requestId,
    long receivedNanos,
    OptionalLong headersNanos,
    List<Chunk> chunks,
    int totalTokens,
    Optional<Admission> admission) {

  public RequestWrites {
    chunks = List.copyOf(chunks);
  }

  /** A log without the admission: read from an older server, or of a request without one. */
  public RequestWrites(
      String requestId,
      long receivedNanos,
      OptionalLong headersNanos,
      List<Chunk> chunks,
      int totalTokens) {
    this(requestId, receivedNanos, headersNanos, chunks, totalTokens, Optional.empty());
  }

  /**
   * One token-bearing write: when it was handed to the connection and how many tokens it held, and
   * what the server had planned for it.
   *
   * @param dueNanos when the server's latency model wanted it written: the start of the request's
   *     timeline plus its TTFT and the gaps before each of its tokens so far (never after {@code
   *     writeNanos}); 0 when not known
   * @param runningSequences the running sequences the gaps of its tokens were fixed with (see
   *     {@link CapacitySpec}); 0 when not known
   */
  public record Chunk(long writeNanos, int tokens, long dueNanos, int runningSequences) {

    /** A write whose plan is not known. */
    public Chunk(long writeNanos, int tokens) {
      this(writeNanos, tokens, 0, 0);
    }
  }

  /**
   * A request's way through the server's capacity model ({@link CapacitySpec}). Without a limit, or
   * with a free place, it is admitted as it enters.
   *
   * @param entryNumber its place among the requests that reached the model, from 0
   * @param admissionNumber its place among the requests that got a place to run, from 0: equal to
   *     the entry order when nobody gave up waiting, because the waiting are served first in, first
   *     out
   * @param enteredNanos when it reached the model (after its headers, for a stream)
   * @param admittedNanos when it got its place: its TTFT counts from here
   */
  public record Admission(
      long entryNumber, long admissionNumber, long enteredNanos, long admittedNanos) {}
}
