package dev.servebench.mock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's record of what it wrote, for the first {@code maxRequests} generation requests to
 * arrive; later ones, and all of them when the bound is 0, cost nothing but one counter read.
 */
final class WriteLog {

  private final int maxRequests;
  private final AtomicInteger admitted = new AtomicInteger();
  private final Map<String, RequestWrites> finished = new ConcurrentHashMap<>();

  WriteLog(int maxRequests) {
    this.maxRequests = maxRequests;
  }

  Recorder recorder(String requestId, long receivedNanos) {
    if (admitted.get() >= maxRequests || admitted.incrementAndGet() > maxRequests) {
      return Recorder.OFF;
    }
    return new Recording(requestId, receivedNanos);
  }

  /** Removes and returns every finished request's log; one still being answered stays. */
  List<RequestWrites> takeAll() {
    List<RequestWrites> taken = new ArrayList<>();
    for (String requestId : finished.keySet()) {
      RequestWrites writes = finished.remove(requestId);
      if (writes != null) {
        taken.add(writes);
      }
    }
    return taken;
  }

  Map<String, RequestWrites> snapshot() {
    return Map.copyOf(finished);
  }

  /**
   * Stamps one request's writes. Every method runs on the request's event loop, right before the
   * write it stamps.
   */
  interface Recorder {
    Recorder OFF = new Recorder() {};

    default void headersWritten() {}

    /**
     * @param dueNanos when the latency model wanted the chunk written
     * @param runningSequences the running count its gaps were fixed with
     */
    default void chunkWritten(int tokens, long dueNanos, int runningSequences) {}

    /** The request's place among the running sequences, once it has one. */
    default void admitted(RequestWrites.Admission admission) {}

    /** The request is over (answered, failed or cut); later calls change nothing. */
    default void finish() {}
  }

  private final class Recording implements Recorder {
    private final String requestId;
    private final long receivedNanos;
    private long headersNanos;
    private boolean headersWritten;
    private long[] chunkNanos = new long[16];
    private int[] chunkTokens = new int[16];
    private long[] chunkDueNanos = new long[16];
    private int[] chunkRunning = new int[16];
    private int chunks;
    private RequestWrites.Admission admission;
    private boolean finished;

    Recording(String requestId, long receivedNanos) {
      this.requestId = requestId;
      this.receivedNanos = receivedNanos;
    }

    @Override
    public void headersWritten() {
      headersNanos = System.nanoTime();
      headersWritten = true;
    }

    @Override
    public void chunkWritten(int tokens, long dueNanos, int runningSequences) {
      if (chunks == chunkNanos.length) {
        chunkNanos = Arrays.copyOf(chunkNanos, chunks * 2);
        chunkTokens = Arrays.copyOf(chunkTokens, chunks * 2);
        chunkDueNanos = Arrays.copyOf(chunkDueNanos, chunks * 2);
        chunkRunning = Arrays.copyOf(chunkRunning, chunks * 2);
      }
      chunkNanos[chunks] = System.nanoTime();
      chunkDueNanos[chunks] = dueNanos;
      chunkRunning[chunks] = runningSequences;
      chunkTokens[chunks++] = tokens;
    }

    @Override
    public void admitted(RequestWrites.Admission admission) {
      this.admission = admission;
    }

    @Override
    public void finish() {
      if (finished) {
        return;
      }
      finished = true;
      List<RequestWrites.Chunk> written = new ArrayList<>(chunks);
      int totalTokens = 0;
      for (int i = 0; i < chunks; i++) {
        written.add(
            new RequestWrites.Chunk(
                chunkNanos[i], chunkTokens[i], chunkDueNanos[i], chunkRunning[i]));
        totalTokens += chunkTokens[i];
      }
      WriteLog.this.finished.put(
          requestId,
          new RequestWrites(
              requestId,
              receivedNanos,
              headersWritten ? OptionalLong.of(headersNanos) : OptionalLong.empty(),
              written,
              totalTokens,
              Optional.ofNullable(admission)));
    }
  }
}
